using System;

namespace Atlas.Knowledge;

/// <summary>A search on a knowledge store that was never ingested (no file, or no completed ingest).</summary>
public sealed class KnowledgeNotIngestedException(string knowledge, string storePath)
    : InvalidOperationException($"Knowledge base '{knowledge}' has not been ingested yet: {storePath} holds no documents. Run `atlas ingest FILE --knowledge {knowledge}` (or KnowledgeIngestor.IngestAsync) first.")
{
    public string Knowledge { get; } = knowledge;

    public string StorePath { get; } = storePath;
}

/// <summary>A store built with one embedder searched (or appended to) with another, or with vectors of another dimension.</summary>
public sealed class KnowledgeStoreMismatchException(string message) : InvalidOperationException(message);

/// <summary>A store's server (ChromaDB) could not be reached or refused a request.</summary>
public sealed class KnowledgeStoreUnavailableException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
