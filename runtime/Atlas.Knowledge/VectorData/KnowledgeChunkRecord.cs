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
    /// <summary>The chunk's id in the store.</summary>
    [VectorStoreKey]
    public long Id { get; init; }

    /// <summary>The file the chunk came from, relative to the .atlas file's folder, <c>/</c>-separated.</summary>
    [VectorStoreData(IsIndexed = true)]
    public string Source { get; init; } = string.Empty;

    /// <summary>The chunk's position in its document, from 0.</summary>
    [VectorStoreData]
    public int Ordinal { get; init; }

    /// <summary>The chunk's text.</summary>
    [VectorStoreData(IsFullTextIndexed = true)]
    public string Text { get; init; } = string.Empty;

    /// <summary>The Markdown heading path above the chunk (<c>A &gt; B</c>); <see langword="null"/> if none.</summary>
    [VectorStoreData(IsIndexed = true)]
    public string? Heading { get; init; }

    /// <summary>The document's metadata and the chunk's (<c>source</c>, <c>format</c>, <c>extension</c>, <c>heading</c>, <c>title</c>...).</summary>
    [VectorStoreData]
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>The L2-normalized embedding; only filled when the search asked for <c>IncludeVectors</c>.</summary>
    [VectorStoreVector(384, DistanceFunction = DistanceFunction.CosineSimilarity)]
    public ReadOnlyMemory<float>? Vector { get; init; }
}
