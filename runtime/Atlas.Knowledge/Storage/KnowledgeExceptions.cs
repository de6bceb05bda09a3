using System;

namespace Atlas.Knowledge;

/// <summary>A search on a knowledge store that was never ingested (no file, or no completed ingest).</summary>
/// <param name="knowledge">The knowledge base's name.</param>
/// <param name="storePath">Where its store is (a file, or a server and collection).</param>
public sealed class KnowledgeNotIngestedException(string knowledge, string storePath)
    : InvalidOperationException($"Knowledge base '{knowledge}' has not been ingested yet: {storePath} holds no documents. Run `atlas ingest FILE --knowledge {knowledge}` (or KnowledgeIngestor.IngestAsync) first.")
{
    /// <summary>The knowledge base's name, as <c>atlas ingest FILE --knowledge NAME</c> takes it.</summary>
    public string Knowledge { get; } = knowledge;

    /// <summary>Where its store is: the SQLite file, or the Chroma server and collection.</summary>
    public string StorePath { get; } = storePath;
}

/// <summary>A store built with one embedder searched (or appended to) with another, or with vectors of another dimension.</summary>
/// <param name="message">Names the store and both embedders or dimensions.</param>
public sealed class KnowledgeStoreMismatchException(string message) : InvalidOperationException(message);

/// <summary>A store's server (ChromaDB) could not be reached or refused a request.</summary>
/// <param name="message">Names the server and what was being done, with the server's own message when it gave one.</param>
/// <param name="inner">The network's exception, if any.</param>
public sealed class KnowledgeStoreUnavailableException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
