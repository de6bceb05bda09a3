using System.Collections.Generic;
using Atlas.Runtime;

namespace Atlas.Knowledge;

/// <summary>
/// One search: <see cref="Mode"/> ranks by vector, keyword or both (hybrid); <see cref="MinScore"/> applies to the
/// mode's own score (cosine similarity, FTS5 BM25 (positive), or reciprocal-rank-fusion sum);
/// <see cref="Filters"/> keep chunks whose metadata has each key equal to its value
/// (<c>source</c>, <c>format</c>, <c>extension</c>, <c>heading</c>, <c>title</c>).
/// </summary>
public sealed record KnowledgeSearchOptions(
    int Top = 5,
    SearchMode Mode = SearchMode.Hybrid,
    double? MinScore = null,
    IReadOnlyDictionary<string, string>? Filters = null);

/// <summary>A ranked chunk with everything stored about it.</summary>
public sealed record KnowledgeHit(StoredChunk Chunk, double Score);
