using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
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

    public KnowledgeVectorSearch(string name, SqliteKnowledgeStore store, string embedderName, IEmbeddingGenerator<string, Embedding<float>>? embedder)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _searcher = new KnowledgeSearcher(name, store, embedderName, embedder);
    }

    /// <summary>Vector search, like <c>VectorStoreCollection.SearchAsync</c>.</summary>
    public IAsyncEnumerable<VectorSearchResult<KnowledgeChunkRecord>> SearchAsync<TInput>(TInput searchValue, int top, VectorSearchOptions<KnowledgeChunkRecord>? options = null, CancellationToken cancellationToken = default)
        where TInput : notnull
    {
        options ??= new VectorSearchOptions<KnowledgeChunkRecord>();
        return RunAsync(searchValue, string.Empty, SearchMode.Vector, top, options.Skip, options.ScoreThreshold, options.IncludeVectors, FilterTranslator.Translate(options.Filter), cancellationToken);
    }

    public IAsyncEnumerable<VectorSearchResult<KnowledgeChunkRecord>> HybridSearchAsync<TInput>(TInput searchValue, ICollection<string> keywords, int top, HybridSearchOptions<KnowledgeChunkRecord>? options = null, CancellationToken cancellationToken = default)
        where TInput : notnull
    {
        ArgumentNullException.ThrowIfNull(keywords);
        options ??= new HybridSearchOptions<KnowledgeChunkRecord>();
        return RunAsync(searchValue, string.Join(" ", keywords), SearchMode.Hybrid, top, options.Skip, options.ScoreThreshold, options.IncludeVectors, FilterTranslator.Translate(options.Filter), cancellationToken);
    }

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
