using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Atlas.Knowledge;

/// <summary>
/// A declared <c>knowledge</c> block over a real store: ingest its sources and search them. Plugs into
/// the runtime as an <see cref="IKnowledgeBase"/> (<c>AtlasRuntimeOptions.Knowledge[name] = kb</c>).
/// <see cref="Create"/> picks <see cref="SqliteKnowledgeBase"/> for <c>sqlite("file.db")</c> and
/// <see cref="ChromaKnowledgeBase"/> for <c>chroma("http://...")</c>.
/// </summary>
/// <remarks>Thread-safe for searches; run one ingest at a time. Does not own the embedder.</remarks>
public abstract class KnowledgeBase : IKnowledgeBase
{
    private readonly KnowledgeSearcher _searcher;

    private protected KnowledgeBase(KnowledgeDescriptor descriptor, string baseDirectory, IKnowledgeStore store, IEmbeddingGenerator<string, Embedding<float>> embedder, TextChunker chunker)
    {
        Descriptor = descriptor;
        BaseDirectory = baseDirectory;
        var recorded = RecordedEmbedder(descriptor.Embedder, embedder);
        Ingestor = new KnowledgeIngestor(baseDirectory, descriptor.Sources, chunker, store, recorded, embedder);
        _searcher = new KnowledgeSearcher(descriptor.Name, store, recorded, embedder);
    }

    /// <summary>
    /// What the store records as its embedder: the provider's name with the model it embeds with, e.g.
    /// <c>local (nomic-embed-text)</c>, so that changing a provider's <c>embedding_model</c> rebuilds the store
    /// even when the new model's vectors have the same size. The built-in <c>minilm</c> is one model.
    /// </summary>
    private static string RecordedEmbedder(string name, IEmbeddingGenerator<string, Embedding<float>> embedder) =>
        name != "minilm" && embedder.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId is { Length: > 0 } model
            ? $"{name} ({model})"
            : name;

    /// <summary>The declaration this knowledge base was created from.</summary>
    public KnowledgeDescriptor Descriptor { get; }

    /// <summary>The folder the sources (and a SQLite file) are relative to.</summary>
    public string BaseDirectory { get; }

    /// <summary>Where its chunks and vectors are kept; owned by this knowledge base.</summary>
    public abstract IKnowledgeStore Store { get; }

    /// <summary>What brings <see cref="Store"/> up to date with the sources: <see cref="IngestAsync"/> and <see cref="RefreshAsync"/> run it.</summary>
    public KnowledgeIngestor Ingestor { get; }

    /// <summary>
    /// The knowledge base a descriptor declares. Paths (sources, a SQLite file) are relative to
    /// <paramref name="baseDirectory"/>, the folder of the <c>.atlas</c> file.
    /// </summary>
    /// <param name="descriptor">Its store is <c>sqlite</c> or <c>chroma</c>.</param>
    /// <param name="baseDirectory">The folder of the declaring <c>.atlas</c> file.</param>
    /// <param name="embedder">The generator for <see cref="KnowledgeDescriptor.Embedder"/>: a <c>MiniLmEmbeddingGenerator</c> for <c>minilm</c>, or the provider's.</param>
    /// <param name="tokenizer">Counts chunk sizes; <see cref="TextChunker.DefaultTokenizer"/> (cl100k_base) if <see langword="null"/>.</param>
    /// <param name="http">For a Chroma store: the client to reach the server with (not owned).</param>
    /// <returns>A <see cref="SqliteKnowledgeBase"/> or a <see cref="ChromaKnowledgeBase"/>; nothing is read or written yet.</returns>
    /// <exception cref="NotSupportedException">The descriptor's store is neither <c>sqlite</c> nor <c>chroma</c>.</exception>
    /// <exception cref="ArgumentException">A Chroma store's target is not an http(s) URL, or <paramref name="baseDirectory"/> is empty.</exception>
    public static KnowledgeBase Create(KnowledgeDescriptor descriptor, string baseDirectory, IEmbeddingGenerator<string, Embedding<float>> embedder, Tokenizer? tokenizer = null, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return descriptor.Store switch
        {
            StoreKind.Sqlite => SqliteKnowledgeBase.Create(descriptor, baseDirectory, embedder, tokenizer),
            StoreKind.Chroma => ChromaKnowledgeBase.Create(descriptor, baseDirectory, embedder, tokenizer, http),
            _ => throw new NotSupportedException($"Knowledge base '{descriptor.Name}': store {descriptor.Store} is not one Atlas knows; use sqlite(\"file.db\") or chroma(\"http://host:port\")."),
        };
    }

    /// <inheritdoc cref="KnowledgeIngestor.IngestAsync"/>
    public Task<IngestReport> IngestAsync(IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Ingestor.IngestAsync(progress, cancellationToken);

    /// <summary>
    /// The ingest that runs without being asked (<c>atlas run</c> before it runs, generated code before the first search):
    /// <see cref="IngestAsync"/>, except that when not one source file matches and the store already holds documents the
    /// store is kept as it is and reported unchanged. That is a store deployed without its sources, or a base directory
    /// pointing elsewhere, far more often than every document deleted on purpose, and an implicit ingest would empty it;
    /// <c>atlas ingest</c> (<see cref="IngestAsync"/>) still removes them. <see cref="IngestReport.UnmatchedSources"/> says why.
    /// </summary>
    /// <param name="cancellationToken">Cancels the ingest; the documents already replaced stay replaced.</param>
    /// <returns>What the ingest did, or the unchanged store's document count.</returns>
    public async Task<IngestReport> RefreshAsync(CancellationToken cancellationToken = default)
    {
        if (Ingestor.MatchFiles().Count == 0 && await Store.ReadInfoAsync(cancellationToken).ConfigureAwait(false) is { Documents: > 0 } info)
        {
            return new IngestReport(0, 0, info.Documents, 0, 0, [], false, TimeSpan.Zero) { UnmatchedSources = Descriptor.Sources };
        }

        return await IngestAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Searches with every option, metadata filters included.</summary>
    /// <param name="query">The text to search for.</param>
    /// <param name="options">How many hits, which ranking, the lowest score kept and the metadata filters.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The hits, best first, with their stored chunks.</returns>
    /// <exception cref="KnowledgeNotIngestedException">The store has never been ingested.</exception>
    /// <exception cref="KnowledgeStoreMismatchException">Vector or hybrid search with an embedder the store was not built with.</exception>
    public Task<IReadOnlyList<KnowledgeHit>> SearchAsync(string query, KnowledgeSearchOptions options, CancellationToken cancellationToken = default) =>
        _searcher.SearchAsync(query, options, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Passage>> SearchAsync(string query, SearchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var hits = await _searcher.SearchAsync(query, new KnowledgeSearchOptions(options.Top, options.Mode, options.MinScore, options.Where), cancellationToken).ConfigureAwait(false);
        return hits.Select(ToPassage).ToList();
    }

    /// <summary>The language's <c>Passage</c> for a hit (score rounded to 6 places).</summary>
    /// <param name="hit">A search hit.</param>
    /// <returns>The passage, its <see cref="Passage.Title"/> from the chunk's <c>title</c> metadata.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hit"/> is <see langword="null"/>.</exception>
    public static Passage ToPassage(KnowledgeHit hit)
    {
        ArgumentNullException.ThrowIfNull(hit);
        return new Passage(hit.Chunk.Text, hit.Chunk.Source, Math.Round(hit.Score, 6), hit.Chunk.Heading, hit.Chunk.Metadata.GetValueOrDefault("title"), hit.Chunk.Metadata);
    }

    private protected static TextChunker CreateChunker(KnowledgeDescriptor descriptor, Tokenizer? tokenizer)
    {
        var size = descriptor.ChunkSize > 0 ? descriptor.ChunkSize : 800;
        var overlap = descriptor.Chunking == ChunkingStrategy.Markdown ? 0 : Math.Clamp(descriptor.ChunkOverlap, 0, size - 1);
        return new TextChunker(new ChunkingOptions(descriptor.Chunking, size, overlap), tokenizer ?? TextChunker.DefaultTokenizer);
    }
}

/// <summary>A knowledge base in one SQLite file (<c>store = sqlite("path.db")</c>, the default).</summary>
public sealed class SqliteKnowledgeBase : KnowledgeBase
{
    private SqliteKnowledgeBase(KnowledgeDescriptor descriptor, string baseDirectory, SqliteKnowledgeStore store, IEmbeddingGenerator<string, Embedding<float>> embedder, TextChunker chunker)
        : base(descriptor, baseDirectory, store, embedder, chunker) => Store = store;

    /// <summary>The SQLite store, at <see cref="StorePath"/>.</summary>
    public override SqliteKnowledgeStore Store { get; }

    /// <summary>The SQLite file a descriptor's store names (<c>&lt;name&gt;.db</c> by default), relative to <paramref name="baseDirectory"/>.</summary>
    /// <param name="descriptor">The declared knowledge base.</param>
    /// <param name="baseDirectory">The folder of the declaring <c>.atlas</c> file.</param>
    /// <returns>The file's full path.</returns>
    public static string StorePath(KnowledgeDescriptor descriptor, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return Path.GetFullPath(Path.Combine(Path.GetFullPath(baseDirectory), string.IsNullOrWhiteSpace(descriptor.StoreTarget) ? descriptor.Name + ".db" : descriptor.StoreTarget));
    }

    /// <inheritdoc cref="KnowledgeBase.Create"/>
    public static SqliteKnowledgeBase Create(KnowledgeDescriptor descriptor, string baseDirectory, IEmbeddingGenerator<string, Embedding<float>> embedder, Tokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentException.ThrowIfNullOrWhiteSpace(baseDirectory);
        ArgumentNullException.ThrowIfNull(embedder);
        if (descriptor.Store != StoreKind.Sqlite)
        {
            throw new NotSupportedException($"Knowledge base '{descriptor.Name}': its store is {descriptor.Store}, not SQLite.");
        }

        var fullBase = Path.GetFullPath(baseDirectory);
        return new SqliteKnowledgeBase(descriptor, fullBase, new SqliteKnowledgeStore(StorePath(descriptor, fullBase)), embedder, CreateChunker(descriptor, tokenizer));
    }
}

/// <summary>A knowledge base in a ChromaDB collection (<c>store = chroma("http://host:port")</c>, collection <c>atlas_&lt;name&gt;</c>).</summary>
public sealed class ChromaKnowledgeBase : KnowledgeBase
{
    private ChromaKnowledgeBase(KnowledgeDescriptor descriptor, string baseDirectory, ChromaKnowledgeStore store, IEmbeddingGenerator<string, Embedding<float>> embedder, TextChunker chunker)
        : base(descriptor, baseDirectory, store, embedder, chunker) => Store = store;

    /// <summary>The collection on the ChromaDB server.</summary>
    public override ChromaKnowledgeStore Store { get; }

    /// <summary>The Chroma knowledge base a descriptor declares (<c>store = chroma("url")</c>); sources relative to <paramref name="baseDirectory"/>.</summary>
    /// <param name="descriptor">Its store target is the server's URL.</param>
    /// <param name="baseDirectory">The folder of the declaring <c>.atlas</c> file.</param>
    /// <param name="embedder">Computes the vectors Chroma stores.</param>
    /// <param name="tokenizer">Counts chunk sizes; cl100k_base if <see langword="null"/>.</param>
    /// <param name="http">The client to reach the server with (not owned); a shared one if <see langword="null"/>.</param>
    /// <param name="collection">The collection; <c>atlas_&lt;name&gt;</c> if <see langword="null"/>.</param>
    /// <returns>The knowledge base; the server is not contacted yet.</returns>
    /// <exception cref="ArgumentException">The store target is not an http(s) URL, or the collection name is not one Chroma accepts.</exception>
    public static ChromaKnowledgeBase Create(KnowledgeDescriptor descriptor, string baseDirectory, IEmbeddingGenerator<string, Embedding<float>> embedder, Tokenizer? tokenizer = null, HttpClient? http = null, string? collection = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentException.ThrowIfNullOrWhiteSpace(baseDirectory);
        ArgumentNullException.ThrowIfNull(embedder);
        if (!Uri.TryCreate(descriptor.StoreTarget, UriKind.Absolute, out var server) || (server.Scheme != Uri.UriSchemeHttp && server.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"Knowledge base '{descriptor.Name}': chroma(\"{descriptor.StoreTarget}\") needs an http:// or https:// URL.", nameof(descriptor));
        }

        var store = new ChromaKnowledgeStore(server, collection ?? ChromaKnowledgeStore.DefaultCollectionName(descriptor.Name), http);
        return new ChromaKnowledgeBase(descriptor, Path.GetFullPath(baseDirectory), store, embedder, CreateChunker(descriptor, tokenizer));
    }
}
