using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Knowledge;

/// <summary>
/// Vector (cosine), keyword (FTS5 BM25) and hybrid (reciprocal rank fusion of the two, k = 60) search over an <see cref="IKnowledgeStore"/>.
/// </summary>
/// <remarks>Thread-safe. The embedder is not owned.</remarks>
public sealed class KnowledgeSearcher
{
    /// <summary>The k of reciprocal rank fusion: score = Σ 1 / (k + rank).</summary>
    public const int RrfK = 60;

    private readonly string _name;
    private readonly IKnowledgeStore _store;
    private readonly string _embedderName;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;

    /// <param name="name">The knowledge base's name, for messages.</param>
    /// <param name="store">The store searched.</param>
    /// <param name="embedderName">The embedder's name as the store records it (<c>minilm</c>, or a provider's name).</param>
    /// <param name="embedder">May be <see langword="null"/> for keyword-only use.</param>
    public KnowledgeSearcher(string name, IKnowledgeStore store, string embedderName, IEmbeddingGenerator<string, Embedding<float>>? embedder)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(embedderName);
        _name = name;
        _store = store;
        _embedderName = embedderName;
        _embedder = embedder;
    }

    /// <summary>Hybrid draws this many candidates from each ranking (at least; more for a large <c>top</c>).</summary>
    public int HybridCandidates { get; init; } = 50;

    /// <summary>
    /// In hybrid, a chunk enters the keyword ranking only if it contains at least this fraction of the
    /// query's content words. In RRF a chunk present in both rankings outranks one that only one
    /// ranking found, so a single shared word would let a mediocre semantic match beat the best one:
    /// on the labelled set (tests/Atlas.Knowledge.Tests/Retrieval) ungated RRF fell to recall@5 0.90
    /// against 0.98 for vector alone.
    /// </summary>
    public double HybridMinimumShouldMatch { get; init; } = 0.5;

    /// <summary>The weight of the keyword ranking in hybrid fusion (the vector ranking weighs 1); 1 is plain RRF.</summary>
    public double HybridKeywordWeight { get; init; } = 1.0;

    /// <exception cref="KnowledgeNotIngestedException">The store has never been ingested.</exception>
    /// <exception cref="KnowledgeStoreMismatchException">Vector or hybrid search with an embedder the store was not built with.</exception>
    public Task<IReadOnlyList<KnowledgeHit>> SearchAsync(string query, KnowledgeSearchOptions options, CancellationToken cancellationToken = default) =>
        SearchAsync(query, null, options, cancellationToken);

    /// <summary>As <see cref="SearchAsync(string, KnowledgeSearchOptions, CancellationToken)"/>, with the query vector given (not embedded from <paramref name="query"/>) when not <see langword="null"/>.</summary>
    public async Task<IReadOnlyList<KnowledgeHit>> SearchAsync(string query, ReadOnlyMemory<float>? queryVector, KnowledgeSearchOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(options);
        // Every read below sees one version of the store, even while another process ingests it.
        await using var snapshot = await _store.BeginConsistentReadAsync(cancellationToken).ConfigureAwait(false);
        var info = await _store.ReadSearchStateAsync(cancellationToken).ConfigureAwait(false);
        if (info is null || (info.Documents == 0 && !info.IngestCompleted))
        {
            throw new KnowledgeNotIngestedException(_name, _store.Location);
        }

        var top = Math.Max(1, options.Top);
        var mode = options.Mode.ToLowerInvariant();
        IReadOnlyList<(long Id, double Score)> ranked = mode switch
        {
            "keyword" => await _store.SearchKeywordsAsync(query, top, options.Filters, 0, cancellationToken).ConfigureAwait(false),
            "vector" => await _store.SearchVectorsAsync(queryVector ?? await EmbedAsync(query, info, cancellationToken).ConfigureAwait(false), top, options.Filters, cancellationToken).ConfigureAwait(false),
            "hybrid" => await HybridAsync(query, queryVector, info, top, options.Filters, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentException($"Unknown search mode '{options.Mode}'; expected vector, keyword or hybrid.", nameof(options)),
        };
        if (options.MinScore is { } min)
        {
            ranked = ranked.Where(r => r.Score >= min).ToList();
        }

        var chunks = await _store.ReadChunksAsync(ranked.Select(r => r.Id), cancellationToken).ConfigureAwait(false);
        return ranked.Where(r => chunks.ContainsKey(r.Id)).Select(r => new KnowledgeHit(chunks[r.Id], r.Score)).ToList();
    }

    private async Task<IReadOnlyList<(long Id, double Score)>> HybridAsync(string query, ReadOnlyMemory<float>? queryVector, StoreInfo info, int top, IReadOnlyDictionary<string, string>? filters, CancellationToken cancellationToken)
    {
        var candidates = Math.Max(HybridCandidates, top * 4);
        var vector = queryVector ?? await EmbedAsync(query, info, cancellationToken).ConfigureAwait(false);
        var byVector = await _store.SearchVectorsAsync(vector, candidates, filters, cancellationToken).ConfigureAwait(false);
        var byKeyword = await _store.SearchKeywordsAsync(query, candidates, filters, HybridMinimumShouldMatch, cancellationToken).ConfigureAwait(false);
        return Fuse(top, [(byVector, 1.0), (byKeyword, HybridKeywordWeight)]);
    }

    /// <summary>Reciprocal rank fusion: each list adds 1 / (k + rank) to an id (rank from 1); best first, ties by id.</summary>
    public static IReadOnlyList<(long Id, double Score)> Fuse(int top, params IReadOnlyList<(long Id, double Score)>[] rankings)
    {
        ArgumentNullException.ThrowIfNull(rankings);
        return Fuse(top, rankings.Select(r => (r, 1.0)).ToList());
    }

    /// <summary>Weighted reciprocal rank fusion: each list adds weight / (k + rank) to an id (rank from 1); best first, ties by id.</summary>
    public static IReadOnlyList<(long Id, double Score)> Fuse(int top, IReadOnlyList<(IReadOnlyList<(long Id, double Score)> Ranking, double Weight)> rankings)
    {
        ArgumentNullException.ThrowIfNull(rankings);
        var fused = new Dictionary<long, double>();
        foreach (var (ranking, weight) in rankings)
        {
            for (var i = 0; i < ranking.Count; i++)
            {
                fused[ranking[i].Id] = fused.GetValueOrDefault(ranking[i].Id) + (weight / (RrfK + i + 1));
            }
        }

        return fused.OrderByDescending(f => f.Value).ThenBy(f => f.Key).Take(top).Select(f => (f.Key, f.Value)).ToList();
    }

    private async Task<ReadOnlyMemory<float>> EmbedAsync(string query, StoreInfo info, CancellationToken cancellationToken)
    {
        if (_embedder is null)
        {
            throw new InvalidOperationException($"Knowledge base '{_name}' has no embedder; only keyword search is available.");
        }

        if (!string.Equals(info.Embedder, _embedderName, StringComparison.Ordinal))
        {
            throw new KnowledgeStoreMismatchException(
                $"Knowledge base '{_name}' was built with embedder '{info.Embedder}' ({info.Dimensions} dimensions) but is searched with '{_embedderName}'. " +
                $"Search with '{info.Embedder}', or run ingest again with '{_embedderName}' to rebuild '{_store.Location}'.");
        }

        var embeddings = await _embedder.GenerateAsync([query], cancellationToken: cancellationToken).ConfigureAwait(false);
        var vector = embeddings[0].Vector;
        if (vector.Length != info.Dimensions)
        {
            throw new KnowledgeStoreMismatchException(
                $"Knowledge base '{_name}' holds {info.Dimensions}-dimensional vectors but embedder '{_embedderName}' now returns {vector.Length}. Run ingest again to rebuild '{_store.Location}'.");
        }

        return vector;
    }
}
