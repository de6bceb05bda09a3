using System;
using System.Collections.Generic;
using Microsoft.Extensions.VectorData;

namespace Atlas.Knowledge;

/// <summary>
/// A stored chunk as a Microsoft.Extensions.VectorData record, for <see cref="KnowledgeVectorSearch"/>.
/// The vector's declared 384 dimensions are MiniLM's; a store built with another embedder holds its own.
/// </summary>
public sealed class KnowledgeChunkRecord
{
    [VectorStoreKey]
    public long Id { get; init; }

    [VectorStoreData(IsIndexed = true)]
    public string Source { get; init; } = string.Empty;

    [VectorStoreData]
    public int Ordinal { get; init; }

    [VectorStoreData(IsFullTextIndexed = true)]
    public string Text { get; init; } = string.Empty;

    [VectorStoreData(IsIndexed = true)]
    public string? Heading { get; init; }

    [VectorStoreData]
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>The L2-normalized embedding; only filled when the search asked for <c>IncludeVectors</c>.</summary>
    [VectorStoreVector(384, DistanceFunction = DistanceFunction.CosineSimilarity)]
    public ReadOnlyMemory<float>? Vector { get; init; }
}
