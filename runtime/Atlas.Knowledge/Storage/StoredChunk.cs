using System.Collections.Generic;

namespace Atlas.Knowledge;

/// <summary>A chunk as stored: its row id, text, document source, heading path and metadata (the document's plus the chunk's).</summary>
public sealed record StoredChunk(long Id, string Source, int Ordinal, string Text, string? Heading, IReadOnlyDictionary<string, string> Metadata);

/// <summary>What a store was built with. From <see cref="SqliteKnowledgeStore.ReadSearchState"/>, <see cref="Documents"/> and <see cref="Chunks"/> are only 0 (none) or 1 (some).</summary>
public sealed record StoreInfo(string Embedder, int Dimensions, int Documents, int Chunks, bool IngestCompleted);
