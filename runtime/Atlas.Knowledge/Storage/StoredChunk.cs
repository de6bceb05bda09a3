using System.Collections.Generic;

namespace Atlas.Knowledge;

/// <summary>A chunk as stored: its row id, text, document source, heading path and metadata (the document's plus the chunk's).</summary>
/// <param name="Id">The chunk's id in the store.</param>
/// <param name="Source">The document's source path.</param>
/// <param name="Ordinal">The chunk's position in its document, from 0.</param>
/// <param name="Text">The chunk's text.</param>
/// <param name="Heading">The Markdown heading path above it; <see langword="null"/> if none.</param>
/// <param name="Metadata">The document's metadata and the chunk's.</param>
public sealed record StoredChunk(long Id, string Source, int Ordinal, string Text, string? Heading, IReadOnlyDictionary<string, string> Metadata);

/// <summary>What a store was built with. From <see cref="SqliteKnowledgeStore.ReadSearchState"/>, <see cref="Documents"/> and <see cref="Chunks"/> are only 0 (none) or 1 (some).</summary>
/// <param name="Embedder">The recorded name of the embedder the vectors came from.</param>
/// <param name="Dimensions">The vectors' length.</param>
/// <param name="Documents">How many documents the store holds.</param>
/// <param name="Chunks">How many chunks the store holds.</param>
/// <param name="IngestCompleted">Whether an ingest has ever run to the end.</param>
public sealed record StoreInfo(string Embedder, int Dimensions, int Documents, int Chunks, bool IngestCompleted);
