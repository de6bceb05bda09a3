using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Atlas.Knowledge;

/// <summary>
/// A declared <c>knowledge</c> block with a <c>sqlite("path.db")</c> store: ingest its sources and
/// search them. Plugs into the runtime as an <see cref="IKnowledgeBase"/>
/// (<c>AtlasRuntimeOptions.Knowledge[name] = kb</c>).
/// </summary>
/// <remarks>Thread-safe for searches; run one ingest at a time. Does not own the embedder.</remarks>
public sealed class SqliteKnowledgeBase : IKnowledgeBase
{
    private readonly KnowledgeSearcher _searcher;

    private SqliteKnowledgeBase(KnowledgeDescriptor descriptor, string baseDirectory, SqliteKnowledgeStore store, IEmbeddingGenerator<string, Embedding<float>> embedder, TextChunker chunker)
    {
        Descriptor = descriptor;
        Store = store;
        Ingestor = new KnowledgeIngestor(baseDirectory, descriptor.Sources, chunker, store, descriptor.Embedder, embedder);
        _searcher = new KnowledgeSearcher(descriptor.Name, store, descriptor.Embedder, embedder);
    }

    public KnowledgeDescriptor Descriptor { get; }

    public SqliteKnowledgeStore Store { get; }

    public KnowledgeIngestor Ingestor { get; }

    /// <summary>
    /// The knowledge base a descriptor declares. Paths (sources, the store file) are relative to
    /// <paramref name="baseDirectory"/>, the folder of the <c>.atlas</c> file.
    /// </summary>
    /// <param name="descriptor">Its store must be <c>sqlite</c>.</param>
    /// <param name="baseDirectory">The folder of the declaring <c>.atlas</c> file.</param>
    /// <param name="embedder">The generator for <see cref="KnowledgeDescriptor.Embedder"/>: a <c>MiniLmEmbeddingGenerator</c> for <c>minilm</c>, or the provider's.</param>
    /// <param name="tokenizer">Counts chunk sizes; <see cref="TextChunker.DefaultTokenizer"/> (cl100k_base) if <see langword="null"/>.</param>
    public static SqliteKnowledgeBase Create(KnowledgeDescriptor descriptor, string baseDirectory, IEmbeddingGenerator<string, Embedding<float>> embedder, Tokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentException.ThrowIfNullOrWhiteSpace(baseDirectory);
        ArgumentNullException.ThrowIfNull(embedder);
        if (!string.Equals(descriptor.Store, "sqlite", StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException($"Knowledge base '{descriptor.Name}': store '{descriptor.Store}' is not supported by Atlas.Knowledge; use sqlite(\"file.db\").");
        }

        var fullBase = Path.GetFullPath(baseDirectory);
        var storePath = Path.GetFullPath(Path.Combine(fullBase, string.IsNullOrWhiteSpace(descriptor.StoreTarget) ? descriptor.Name + ".db" : descriptor.StoreTarget));
        var size = descriptor.ChunkSize > 0 ? descriptor.ChunkSize : 800;
        var overlap = descriptor.Chunking == "markdown" ? 0 : Math.Clamp(descriptor.ChunkOverlap, 0, size - 1);
        var chunker = new TextChunker(new ChunkingOptions(string.IsNullOrEmpty(descriptor.Chunking) ? "recursive" : descriptor.Chunking, size, overlap), tokenizer ?? TextChunker.DefaultTokenizer);
        return new SqliteKnowledgeBase(descriptor, fullBase, new SqliteKnowledgeStore(storePath), embedder, chunker);
    }

    /// <inheritdoc cref="KnowledgeIngestor.IngestAsync"/>
    public Task<IngestReport> IngestAsync(IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Ingestor.IngestAsync(progress, cancellationToken);

    /// <summary>Searches with every option, metadata filters included.</summary>
    public Task<IReadOnlyList<KnowledgeHit>> SearchAsync(string query, KnowledgeSearchOptions options, CancellationToken cancellationToken = default) =>
        _searcher.SearchAsync(query, options, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Passage>> SearchAsync(string query, SearchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var hits = await _searcher.SearchAsync(query, new KnowledgeSearchOptions(options.Top, options.Mode, options.MinScore), cancellationToken).ConfigureAwait(false);
        return hits.Select(h => new Passage(h.Chunk.Text, h.Chunk.Source, Math.Round(h.Score, 6), h.Chunk.Heading)).ToList();
    }
}
