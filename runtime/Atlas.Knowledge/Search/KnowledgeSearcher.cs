using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.Extensions.AI;

namespace Atlas.Knowledge;

/// <summary>
/// Vector (cosine), keyword (FTS5 BM25) and hybrid search over an <see cref="IKnowledgeStore"/>. Hybrid is reciprocal
/// rank fusion (k = 60) of the vector ranking, the gated keyword ranking and the ranking of chunks holding a rare
/// exact term of the query (a code, an id, a name).
/// </summary>
/// <remarks>Thread-safe. The embedder is not owned.</remarks>
public sealed partial class KnowledgeSearcher
{
    /// <summary>The k of reciprocal rank fusion: score = Σ 1 / (k + rank).</summary>
    public const int RrfK = 60;

    private readonly string _name;
    private readonly IKnowledgeStore _store;
    private readonly string _embedderName;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;

    /// <summary>A searcher over <paramref name="store"/>, which must have been built with the embedder <paramref name="embedderName"/> names.</summary>
    /// <param name="name">The knowledge base's name, for messages.</param>
    /// <param name="store">The store searched (not owned).</param>
    /// <param name="embedderName">The embedder's name as the store records it (<c>minilm</c>, or a provider's name).</param>
    /// <param name="embedder">May be <see langword="null"/> for keyword-only use.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/>, <paramref name="store"/> or <paramref name="embedderName"/> is <see langword="null"/>.</exception>
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

    /// <summary>
    /// In hybrid, a word of an exact term of the query (typed like a code, an id or a name) that at most this many
    /// chunks hold is rare, and the chunks holding it form the exact-term ranking; 0 turns that ranking off.
    /// </summary>
    public int HybridRareTermMaxChunks { get; init; } = 3;

    /// <summary>The weight of the exact-term ranking in hybrid fusion (the vector ranking weighs 1).</summary>
    public double HybridRareTermWeight { get; init; } = 1.0;

    /// <summary>The exact-term ranking looks up at most this many distinct words of a query's exact terms (one keyword search each).</summary>
    public int HybridRareTermMaxWords { get; init; } = 32;

    /// <summary>Searches the store for <paramref name="query"/>, embedding it for vector and hybrid modes.</summary>
    /// <param name="query">The text to search for.</param>
    /// <param name="options">How many hits, which ranking, the lowest score kept and the metadata filters.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The hits, best first.</returns>
    /// <exception cref="KnowledgeNotIngestedException">The store has never been ingested.</exception>
    /// <exception cref="KnowledgeStoreMismatchException">Vector or hybrid search with an embedder the store was not built with.</exception>
    public Task<IReadOnlyList<KnowledgeHit>> SearchAsync(string query, KnowledgeSearchOptions options, CancellationToken cancellationToken = default) =>
        SearchAsync(query, null, options, cancellationToken);

    /// <summary>As <see cref="SearchAsync(string, KnowledgeSearchOptions, CancellationToken)"/>, with the query vector given (not embedded from <paramref name="query"/>) when not <see langword="null"/>.</summary>
    /// <param name="query">The text for the keyword and exact-term rankings (and to embed when <paramref name="queryVector"/> is <see langword="null"/>).</param>
    /// <param name="queryVector">The query's vector, of the store's dimension; <see langword="null"/> to embed <paramref name="query"/>.</param>
    /// <param name="options">How many hits, which ranking, the lowest score kept and the metadata filters.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The hits, best first.</returns>
    /// <exception cref="KnowledgeNotIngestedException">The store has never been ingested.</exception>
    /// <exception cref="KnowledgeStoreMismatchException">Vector or hybrid search with an embedder the store was not built with.</exception>
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
        IReadOnlyList<(long Id, double Score)> ranked = options.Mode switch
        {
            SearchMode.Keyword => await _store.SearchKeywordsAsync(query, top, options.Filters, 0, cancellationToken).ConfigureAwait(false),
            SearchMode.Vector => await _store.SearchVectorsAsync(queryVector ?? await EmbedAsync(query, info, cancellationToken).ConfigureAwait(false), top, options.Filters, cancellationToken).ConfigureAwait(false),
            SearchMode.Hybrid => await HybridAsync(query, queryVector, info, top, options.Filters, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentException($"Unknown search mode {options.Mode}; expected Hybrid, Vector or Keyword.", nameof(options)),
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
        var byRareTerm = await RareTermRankingAsync(query, byVector, filters, cancellationToken).ConfigureAwait(false);
        return Fuse(top, [(byVector, 1.0), (byKeyword, HybridKeywordWeight), (byRareTerm, HybridRareTermWeight)]);
    }

    /// <summary>
    /// The chunks holding a rare exact term of the query, best first (ties in vector order). An exact term is typed
    /// like a code, an id or a name (<see cref="ExactTerms"/>). Each of its words is looked up on its own; one that at
    /// most <see cref="HybridRareTermMaxChunks"/> chunks hold adds 1 / (chunks holding it) to each of them, like an IDF. Embeddings blur such terms (E1107 sits next to E1104) and
    /// the keyword ranking's gate lets in every look-alike sharing the query's common words; ordinary words are left
    /// out because in a small store nearly every word is rare, and a paraphrase's incidental words pointed at the
    /// wrong passage (on the first labelled set, any rare word cost MRR 0.06 to 0.24).
    /// </summary>
    private async Task<IReadOnlyList<(long Id, double Score)>> RareTermRankingAsync(string query, IReadOnlyList<(long Id, double Score)> byVector, IReadOnlyDictionary<string, string>? filters, CancellationToken cancellationToken)
    {
        if (HybridRareTermMaxChunks <= 0 || HybridRareTermWeight <= 0)
        {
            return [];
        }

        var words = ExactTerms(query)
            .SelectMany(t => SqliteKnowledgeStore.WordRegex().Matches(t).Select(m => m.Value.ToLowerInvariant()))
            .Where(w => !SqliteKnowledgeStore.StopWords.Contains(w))
            .Distinct(StringComparer.Ordinal)
            .Take(HybridRareTermMaxWords)
            .ToList();
        var evidence = new Dictionary<long, double>();
        foreach (var word in words)
        {
            var holders = await _store.SearchKeywordsAsync(word, HybridRareTermMaxChunks + 1, filters, 0, cancellationToken).ConfigureAwait(false);
            if (holders.Count is > 0 && holders.Count <= HybridRareTermMaxChunks)
            {
                foreach (var (id, _) in holders)
                {
                    evidence[id] = evidence.GetValueOrDefault(id) + (1.0 / holders.Count);
                }
            }
        }

        if (evidence.Count == 0)
        {
            return [];
        }

        var vectorRank = new Dictionary<long, int>(byVector.Count);
        for (var i = 0; i < byVector.Count; i++)
        {
            vectorRank.TryAdd(byVector[i].Id, i);
        }

        return evidence
            .OrderByDescending(e => e.Value)
            .ThenBy(e => vectorRank.GetValueOrDefault(e.Key, int.MaxValue))
            .ThenBy(e => e.Key)
            .Select(e => (e.Key, e.Value))
            .ToList();
    }

    /// <summary>
    /// The query's tokens as typed (letters and digits joined by <c>_ - .</c>) that look like a code or a name: a code
    /// has a digit, an underscore or a capital after its first letter (E1107, ORD-58219, ERR_CONN_RESET, SUP, SameSite);
    /// a name is a run of two or more capitalised tokens or codes (Ingrid Vasquez, Quillon X4). A lone capitalised word
    /// is not one: in a sentence it is as often a place or a language (on the first labelled set, "Pacific" pointed at
    /// the wrong passage).
    /// </summary>
    internal static IEnumerable<string> ExactTerms(string query)
    {
        var tokens = TypedTokenRegex().Matches(query);
        bool IsCode(string t) => t.Length >= 2 && (t.Any(char.IsDigit) || t.Contains('_', StringComparison.Ordinal) || t.Skip(1).Any(char.IsUpper));
        bool IsNamePart(int i) => IsCode(tokens[i].Value) || char.IsUpper(tokens[i].Value[0]);
        bool Adjacent(int i, int j) => query.AsSpan(tokens[i].Index + tokens[i].Length, tokens[j].Index - tokens[i].Index - tokens[i].Length).IsWhiteSpace();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i].Value;
            if (IsCode(token)
                || (char.IsUpper(token[0])
                    && ((i > 0 && Adjacent(i - 1, i) && IsNamePart(i - 1)) || (i + 1 < tokens.Count && Adjacent(i, i + 1) && IsNamePart(i + 1)))))
            {
                yield return token;
            }
        }
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:[_\-.][\p{L}\p{N}]+)*", RegexOptions.CultureInvariant)]
    private static partial Regex TypedTokenRegex();

    /// <summary>Reciprocal rank fusion: each list adds 1 / (k + rank) to an id (rank from 1); best first, ties by id.</summary>
    /// <param name="top">The most ids to return.</param>
    /// <param name="rankings">The rankings, each best first; their scores are not used, only the order.</param>
    /// <returns>The fused ranking with the fused scores.</returns>
    public static IReadOnlyList<(long Id, double Score)> Fuse(int top, params IReadOnlyList<(long Id, double Score)>[] rankings)
    {
        ArgumentNullException.ThrowIfNull(rankings);
        return Fuse(top, rankings.Select(r => (r, 1.0)).ToList());
    }

    /// <summary>Weighted reciprocal rank fusion: each list adds weight / (k + rank) to an id (rank from 1); best first, ties by id.</summary>
    /// <param name="top">The most ids to return.</param>
    /// <param name="rankings">The rankings, each best first, with their weights.</param>
    /// <returns>The fused ranking with the fused scores.</returns>
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
