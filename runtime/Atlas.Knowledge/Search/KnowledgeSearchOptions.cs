using System.Collections.Generic;
using Atlas.Runtime;

namespace Atlas.Knowledge;

/// <summary>
/// One search: <see cref="Mode"/> ranks by vector, keyword or both (hybrid); <see cref="MinScore"/> applies to the
/// mode's own score (cosine similarity, FTS5 BM25 (positive), or reciprocal-rank-fusion sum);
/// <see cref="Filters"/> keep chunks whose metadata has each key equal to its value
/// (<c>source</c>, <c>format</c>, <c>extension</c>, <c>heading</c>, <c>title</c>).
/// </summary>
/// <param name="Top">The most hits to return.</param>
/// <param name="Mode"><c>hybrid</c>, <c>vector</c> or <c>keyword</c>.</param>
/// <param name="MinScore">Hits scoring below it are dropped; <see langword="null"/> keeps all.</param>
/// <param name="Filters">Metadata key → value, or a glob when it holds <c>*</c> or <c>?</c>; all must match. <see langword="null"/> for none.</param>
public sealed record KnowledgeSearchOptions(
    int Top = 5,
    SearchMode Mode = SearchMode.Hybrid,
    double? MinScore = null,
    IReadOnlyDictionary<string, string>? Filters = null);

/// <summary>A ranked chunk with everything stored about it.</summary>
/// <param name="Chunk">The chunk as stored.</param>
/// <param name="Score">Its score in the search's mode; higher is better.</param>
public sealed record KnowledgeHit(StoredChunk Chunk, double Score);
