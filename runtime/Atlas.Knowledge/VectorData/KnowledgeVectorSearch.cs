using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Atlas.Runtime;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace Atlas.Knowledge;

/// <summary>
/// The read side of a <see cref="SqliteKnowledgeStore"/> through Microsoft.Extensions.VectorData:
/// <see cref="IKeywordHybridSearchable{TRecord}"/> (hybrid = the store's RRF) and a
/// <see cref="SearchAsync{TInput}"/> shaped like <c>VectorStoreCollection.SearchAsync</c>. The search
/// value is a <see langword="string"/> (embedded with the store's embedder), a
/// <see cref="ReadOnlyMemory{T}"/> or <see cref="float"/> array, or an <see cref="Embedding{T}"/>.
/// </summary>
/// <remarks>
/// Writes stay with <see cref="KnowledgeIngestor"/>: the store replaces a document's chunks as one
/// unit and records the embedder, which per-record <c>UpsertAsync</c> cannot express, so this is not a
/// full <c>VectorStoreCollection</c>. Thread-safe; the embedder is not owned.
/// </remarks>
public sealed class KnowledgeVectorSearch : IKeywordHybridSearchable<KnowledgeChunkRecord>
{
    private readonly SqliteKnowledgeStore _store;
    private readonly KnowledgeSearcher _searcher;

    /// <summary>Searches <paramref name="store"/> as the knowledge base <paramref name="name"/> does.</summary>
    /// <param name="name">The knowledge base's name, for messages.</param>
    /// <param name="store">The store to search (not owned).</param>
    /// <param name="embedderName">The recorded name of the embedder the store was built with; searching a store built with another fails.</param>
    /// <param name="embedder">Embeds string search values (not owned); <see langword="null"/> if only vectors are searched.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is <see langword="null"/>.</exception>
    public KnowledgeVectorSearch(string name, SqliteKnowledgeStore store, string embedderName, IEmbeddingGenerator<string, Embedding<float>>? embedder)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _searcher = new KnowledgeSearcher(name, store, embedderName, embedder);
    }

    /// <summary>Vector search, like <c>VectorStoreCollection.SearchAsync</c>.</summary>
    /// <typeparam name="TInput">The search value's type: <see langword="string"/>, <see cref="ReadOnlyMemory{T}"/> of <see cref="float"/>, <see cref="float"/>[] or <see cref="Embedding{T}"/>.</typeparam>
    /// <param name="searchValue">The text to embed, or the query vector.</param>
    /// <param name="top">The most results, at least 1.</param>
    /// <param name="options">Skip, score threshold, whether to return vectors, and a filter of equalities on indexed fields (combined with <c>&amp;&amp;</c>); <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The chunks with their cosine similarity, best first.</returns>
    /// <exception cref="NotSupportedException"><typeparamref name="TInput"/> is none of the supported types.</exception>
    /// <exception cref="KnowledgeStoreMismatchException">The store was built with another embedder or dimension.</exception>
    public IAsyncEnumerable<VectorSearchResult<KnowledgeChunkRecord>> SearchAsync<TInput>(TInput searchValue, int top, VectorSearchOptions<KnowledgeChunkRecord>? options = null, CancellationToken cancellationToken = default)
        where TInput : notnull
    {
        options ??= new VectorSearchOptions<KnowledgeChunkRecord>();
        return RunAsync(searchValue, string.Empty, SearchMode.Vector, top, options.Skip, options.ScoreThreshold, options.IncludeVectors, FilterTranslator.Translate(options.Filter), cancellationToken);
    }

    /// <summary>Hybrid search: the vector, keyword and rare-term rankings fused by reciprocal rank, as <c>kb.search(..., mode = hybrid)</c>.</summary>
    /// <typeparam name="TInput">The search value's type, as for <see cref="SearchAsync{TInput}"/>.</typeparam>
    /// <param name="searchValue">The text to embed, or the query vector.</param>
    /// <param name="keywords">The words to rank by keyword; empty to use <paramref name="searchValue"/>'s text.</param>
    /// <param name="top">The most results, at least 1.</param>
    /// <param name="options">Skip, score threshold, whether to return vectors, and a filter; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The chunks with their fused score, best first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keywords"/> is <see langword="null"/>.</exception>
    public IAsyncEnumerable<VectorSearchResult<KnowledgeChunkRecord>> HybridSearchAsync<TInput>(TInput searchValue, ICollection<string> keywords, int top, HybridSearchOptions<KnowledgeChunkRecord>? options = null, CancellationToken cancellationToken = default)
        where TInput : notnull
    {
        ArgumentNullException.ThrowIfNull(keywords);
        options ??= new HybridSearchOptions<KnowledgeChunkRecord>();
        return RunAsync(searchValue, string.Join(" ", keywords), SearchMode.Hybrid, top, options.Skip, options.ScoreThreshold, options.IncludeVectors, FilterTranslator.Translate(options.Filter), cancellationToken);
    }

    /// <summary>Returns its <see cref="VectorStoreCollectionMetadata"/> (system <c>sqlite</c>, the file's name as collection), or itself for a type it is.</summary>
    /// <param name="serviceType">The type of the service wanted.</param>
    /// <param name="serviceKey">A key; it has no keyed services.</param>
    /// <returns>The service, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="serviceType"/> is <see langword="null"/>.</exception>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreCollectionMetadata) ? new VectorStoreCollectionMetadata { VectorStoreSystemName = "sqlite", CollectionName = System.IO.Path.GetFileName(_store.Path) }
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    private async IAsyncEnumerable<VectorSearchResult<KnowledgeChunkRecord>> RunAsync<TInput>(
        TInput searchValue, string keywords, SearchMode mode, int top, int skip, double? threshold, bool includeVectors, IReadOnlyDictionary<string, string>? filters, [EnumeratorCancellation] CancellationToken cancellationToken)
        where TInput : notnull
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        var (text, vector) = searchValue switch
        {
            string s => (s, (ReadOnlyMemory<float>?)null),
            ReadOnlyMemory<float> m => (string.Empty, m),
            float[] a => (string.Empty, new ReadOnlyMemory<float>(a)),
            Embedding<float> e => (string.Empty, e.Vector),
            _ => throw new NotSupportedException($"Search values of type {typeof(TInput)} are not supported; use string, ReadOnlyMemory<float>, float[] or Embedding<float>."),
        };
        var keywordQuery = keywords.Length > 0 ? keywords : text;
        var hits = await _searcher.SearchAsync(keywordQuery, vector, new KnowledgeSearchOptions(top + skip, mode, threshold, filters), cancellationToken).ConfigureAwait(false);
        var page = hits.Skip(skip).ToList();
        var vectors = includeVectors ? _store.ReadVectors(page.Select(h => h.Chunk.Id)) : null;
        foreach (var hit in page)
        {
            var chunk = hit.Chunk;
            yield return new VectorSearchResult<KnowledgeChunkRecord>(
                new KnowledgeChunkRecord
                {
                    Id = chunk.Id,
                    Source = chunk.Source,
                    Ordinal = chunk.Ordinal,
                    Text = chunk.Text,
                    Heading = chunk.Heading,
                    Metadata = chunk.Metadata,
                    Vector = vectors?.GetValueOrDefault(chunk.Id),
                },
                hit.Score);
        }
    }
}
