using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Knowledge;

/// <summary>
/// Where a knowledge base keeps its documents, chunks and vectors: what <see cref="KnowledgeIngestor"/>
/// writes and <see cref="KnowledgeSearcher"/> reads. <see cref="SqliteKnowledgeStore"/> (one file) and
/// <see cref="ChromaKnowledgeStore"/> (a ChromaDB server) implement it.
/// </summary>
/// <remarks>
/// The unit of writing is the document: <see cref="ReplaceDocumentAsync"/> swaps all of a
/// document's chunks. A store records the embedder and dimension its vectors came from.
/// Implementations are thread-safe for searches; one ingest at a time (<see cref="AcquireIngestLockAsync"/>).
/// </remarks>
public interface IKnowledgeStore
{
    /// <summary>Where the store is, for messages: a file path or a server URL and collection.</summary>
    string Location { get; }

    /// <summary>
    /// Waits until no other ingest (in this process or another) writes this store, then keeps others waiting until the
    /// result is disposed. <see cref="KnowledgeIngestor"/> holds it for a whole ingest.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The lock; dispose it to let the next ingest in.</returns>
    Task<IAsyncDisposable> AcquireIngestLockAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes the reads of this async flow, until the result is disposed, see one snapshot of the store, so a search that
    /// reads several times never mixes two versions of a document written in between. A store without transactions
    /// (Chroma) returns a no-op.
    /// </summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The snapshot; dispose it when the reads are done.</returns>
    Task<IAsyncDisposable> BeginConsistentReadAsync(CancellationToken cancellationToken = default);

    /// <summary>What the store holds (counts included), or <see langword="null"/> if it was never prepared.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="KnowledgeStoreUnavailableException">The store's server could not be reached or refused the request.</exception>
    Task<StoreInfo?> ReadInfoAsync(CancellationToken cancellationToken = default);

    /// <summary>What a search needs, cheaply: <see cref="StoreInfo.Documents"/> and <see cref="StoreInfo.Chunks"/> may be only 0 or 1.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The embedder, dimensions and whether anything was ingested; <see langword="null"/> if the store was never prepared.</returns>
    Task<StoreInfo?> ReadSearchStateAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates the store if needed and records the embedder; empties one built with another embedder or dimension and returns <see langword="true"/> then.</summary>
    /// <param name="embedder">The embedder's recorded name (a provider's with its model, e.g. <c>local (nomic-embed-text)</c>).</param>
    /// <param name="dimensions">The length of its vectors, at least 1.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether the store was emptied because it had been built with another embedder or dimension.</returns>
    Task<bool> PrepareAsync(string embedder, int dimensions, CancellationToken cancellationToken = default);

    /// <summary>Source → SHA-256 of every stored document (a document left half-written reads as a hash no file has).</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Lowercase hex hashes by source path.</returns>
    Task<IReadOnlyDictionary<string, string>> ReadDocumentHashesAsync(CancellationToken cancellationToken = default);

    /// <summary>Replaces a document and all its chunks and vectors.</summary>
    /// <param name="document">The document; its <see cref="KnowledgeDocument.Source"/> identifies it.</param>
    /// <param name="chunks">Its chunks, in order.</param>
    /// <param name="vectors">One vector per chunk, in the same order, of the prepared dimension.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="KnowledgeStoreMismatchException">A vector's dimension is not the one the store was prepared with.</exception>
    Task ReplaceDocumentAsync(KnowledgeDocument document, IReadOnlyList<TextChunk> chunks, IReadOnlyList<ReadOnlyMemory<float>> vectors, CancellationToken cancellationToken = default);

    /// <summary>Removes a document and its chunks.</summary>
    /// <param name="source">The document's source path; a source the store does not hold is ignored.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task RemoveDocumentAsync(string source, CancellationToken cancellationToken = default);

    /// <summary>Records that an ingest ran to the end.</summary>
    /// <param name="when">When it ended.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task MarkIngestCompletedAsync(DateTimeOffset when, CancellationToken cancellationToken = default);

    /// <summary>
    /// The <paramref name="top"/> chunks by cosine similarity, best first. Each of <paramref name="filters"/> keeps chunks whose
    /// metadata key matches its pattern: equal to it, or, when it holds <c>*</c> or <c>?</c>, matching it as a glob
    /// (<c>*</c> any run of characters, <c>/</c> included; <c>?</c> one character). See <see cref="Atlas.Runtime.MetadataPattern"/>.
    /// </summary>
    /// <param name="query">The query's vector, of the prepared dimension.</param>
    /// <param name="top">The most chunks to return.</param>
    /// <param name="filters">Metadata key → value or glob, all of which must match; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Chunk ids with their cosine similarity, best first.</returns>
    /// <exception cref="KnowledgeStoreMismatchException">The query vector's dimension is not the store's.</exception>
    Task<IReadOnlyList<(long Id, double Score)>> SearchVectorsAsync(ReadOnlyMemory<float> query, int top, IReadOnlyDictionary<string, string>? filters, CancellationToken cancellationToken = default);

    /// <summary>
    /// The <paramref name="top"/> chunks by keyword relevance (BM25, positive scores), best first; a chunk must hold at least
    /// <paramref name="minimumShouldMatch"/> of the query's content words (a fraction, rounded up).
    /// </summary>
    /// <param name="query">The query text; stop words are left out.</param>
    /// <param name="top">The most chunks to return.</param>
    /// <param name="filters">Metadata key → value or glob, all of which must match; <see langword="null"/> for none.</param>
    /// <param name="minimumShouldMatch">The fraction, 0 to 1, of the query's content words a chunk must hold (at least one).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Chunk ids with their BM25 score, best first.</returns>
    Task<IReadOnlyList<(long Id, double Score)>> SearchKeywordsAsync(string query, int top, IReadOnlyDictionary<string, string>? filters, double minimumShouldMatch = 0, CancellationToken cancellationToken = default);

    /// <summary>The chunks with these ids (unknown ids left out).</summary>
    /// <param name="ids">Chunk ids from a search.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The chunks by id.</returns>
    Task<IReadOnlyDictionary<long, StoredChunk>> ReadChunksAsync(IEnumerable<long> ids, CancellationToken cancellationToken = default);
}
