using System;
using System.Linq;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.Extensions.AI;

namespace Atlas.Knowledge.Tests;

/// <summary>Knowledge bases embedded by a provider (OpenAI, Ollama wire formats) served on 127.0.0.1.</summary>
public sealed class ProviderEmbedderTests : IAsyncLifetime
{
    private const string Key = "sk-test-embeddings-0123456789";
    private readonly TempFolder _folder = new();
    private EmbeddingServer _server = null!;

    public async Task InitializeAsync() => _server = await EmbeddingServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private static string? Environment(string name) => name == "EMBED_KEY" ? Key : null;

    /// <summary>The runtime's options a provider embedder is made with: the embedding kinds' clients, keys from <paramref name="environment"/>.</summary>
    private static AtlasRuntimeOptions Clients(Func<string, string?> environment) =>
        new AtlasRuntimeOptions { GetEnvironmentVariable = environment }.UseOpenAI().UseOllama();

    private ProviderDescriptor OpenAI() =>
        new("oa", ProviderKind.OpenAI, "gpt-4o-mini", Endpoint: _server.BaseUrl + "/v1", ApiKeyVariable: "EMBED_KEY", EmbeddingModel: "text-embedding-3-small");

    private ProviderDescriptor Ollama() =>
        new("local", ProviderKind.Ollama, "llama3.2", Endpoint: _server.BaseUrl, EmbeddingModel: "nomic-embed-text");

    private (SqliteKnowledgeBase Kb, IEmbeddingGenerator<string, Embedding<float>> Embedder) Create(ProviderDescriptor provider)
    {
        var embedder = ProviderEmbedders.Create(provider, Clients(Environment));
        var descriptor = new KnowledgeDescriptor("handbook", ["docs/*.md"], ChunkingStrategy.Markdown, 120, 0, provider.Name, StoreKind.Sqlite, "handbook.db");
        return (SqliteKnowledgeBase.Create(descriptor, _folder.Path, embedder), embedder);
    }

    private void WriteHandbook()
    {
        _folder.Write("docs/refunds.md", "# Refunds\n\nCustomers get their money back within 30 days of purchase. Gift cards are never refunded.");
        _folder.Write("docs/shipping.md", "# Shipping\n\nParcels ship from the Rotterdam warehouse and arrive in two to four business days.");
        _folder.Write("docs/security.md", "# Security\n\nPasswords are hashed with Argon2id and never stored in clear text.");
    }

    [Fact]
    public async Task OpenAI_IngestThenSearch_RightPassageFirstDimensionFromTheFirstBatch()
    {
        WriteHandbook();
        var (kb, embedder) = Create(OpenAI());
        using var _ = embedder;

        var report = await kb.IngestAsync(cancellationToken: default);
        var requests = _server.Requests.ToList();
        var passages = await kb.SearchAsync("when do parcels arrive from the warehouse", new SearchOptions(Top: 3, Mode: SearchMode.Vector), default);

        Assert.Equal((3, 0), (report.Added, report.Skipped.Count));
        var ingest = Assert.Single(requests); // one batch, no separate probe for the dimension
        Assert.Equal(("/v1/embeddings", "Bearer " + Key, 3), ingest);
        Assert.Equal("docs/shipping.md", passages[0].Source);
        var info = await ((IKnowledgeStore)kb.Store).ReadInfoAsync(default);
        Assert.Equal(("oa (text-embedding-3-small)", EmbeddingServer.Dimensions, 3), (info!.Embedder, info.Dimensions, info.Documents));
    }

    [Fact]
    public async Task Ollama_IngestThenSearch_RightPassageFirst()
    {
        WriteHandbook();
        var (kb, embedder) = Create(Ollama());
        using var _ = embedder;

        var report = await kb.IngestAsync(cancellationToken: default);
        var passages = await kb.SearchAsync("how are passwords stored", new SearchOptions(Top: 3), default);

        Assert.Equal(3, report.Added);
        Assert.All(_server.Requests, r => Assert.Equal(("/api/embed", null), (r.Path, r.Authorization)));
        Assert.Equal("docs/security.md", passages[0].Source);
        Assert.Equal(("local (nomic-embed-text)", EmbeddingServer.Dimensions), ((await ((IKnowledgeStore)kb.Store).ReadInfoAsync(default))!.Embedder, (await ((IKnowledgeStore)kb.Store).ReadInfoAsync(default))!.Dimensions));
    }

    [Fact]
    public async Task Ingest_ProviderNowEmbedsWithAnotherModelOfTheSameSize_StoreRebuilt()
    {
        WriteHandbook();
        var (first, firstEmbedder) = Create(Ollama());
        using (firstEmbedder)
        {
            Assert.Equal(3, (await first.IngestAsync(cancellationToken: default)).Added);
        }

        // Same provider name, same dimension, another model: its vectors are not comparable with the stored ones.
        var (second, secondEmbedder) = Create(Ollama() with { EmbeddingModel = "mxbai-embed-large" });
        using var _ = secondEmbedder;
        var report = await second.IngestAsync(cancellationToken: default);

        Assert.Equal(3, report.Added);
        var info = await ((IKnowledgeStore)second.Store).ReadInfoAsync(default);
        Assert.Equal(("local (mxbai-embed-large)", EmbeddingServer.Dimensions, 3), (info!.Embedder, info.Dimensions, info.Documents));
    }

    [Fact]
    public async Task Ingest_ProviderFailsOnOneDocument_ReportedTheRestWrittenNextIngestAddsIt()
    {
        WriteHandbook();
        _folder.Write("docs/broken.md", "# Broken\n\nThis page holds the word kaboom, which the server cannot embed.");
        _server.FailWhen = text => text.Contains("kaboom", StringComparison.Ordinal);
        var (kb, embedder) = Create(OpenAI());
        using var _ = embedder;

        var first = await kb.IngestAsync(cancellationToken: default);
        var info = await ((IKnowledgeStore)kb.Store).ReadInfoAsync(default);
        var hashes = await ((IKnowledgeStore)kb.Store).ReadDocumentHashesAsync(default);
        var found = await kb.SearchAsync("Rotterdam warehouse parcels", new SearchOptions(Top: 1), default);
        _server.FailWhen = _ => false;
        var second = await kb.IngestAsync(cancellationToken: default);

        Assert.Equal(3, first.Added);
        var skip = Assert.Single(first.Skipped);
        Assert.Equal("docs/broken.md", skip.Source);
        Assert.StartsWith("embedding failed: ", skip.Reason, StringComparison.Ordinal);
        Assert.Contains("500", skip.Reason, StringComparison.Ordinal);
        Assert.Contains("'oa'", skip.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, skip.Reason, StringComparison.Ordinal);
        Assert.Equal((3, 3), (info!.Documents, info.Chunks));
        Assert.Equal(["docs/refunds.md", "docs/security.md", "docs/shipping.md"], hashes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("docs/shipping.md", Assert.Single(found).Source);
        Assert.Equal((1, 3, 0), (second.Added, second.Unchanged, second.Skipped.Count));
    }

    [Fact]
    public async Task Ingest_ProviderFailsOnAChangedDocument_PreviousVersionKept()
    {
        WriteHandbook();
        var (kb, embedder) = Create(Ollama());
        using var _ = embedder;
        await kb.IngestAsync(cancellationToken: default);
        var before = await ((IKnowledgeStore)kb.Store).ReadDocumentHashesAsync(default);
        _folder.Write("docs/refunds.md", "# Refunds\n\nRefunds now take kaboom days.");
        _server.FailWhen = text => text.Contains("kaboom", StringComparison.Ordinal);

        var report = await kb.IngestAsync(cancellationToken: default);
        var passages = await kb.SearchAsync("gift cards refunded", new SearchOptions(Top: 1, Mode: SearchMode.Keyword), default);

        Assert.Equal("docs/refunds.md", Assert.Single(report.Skipped).Source);
        Assert.Equal((0, 0, 2), (report.Added, report.Updated, report.Unchanged));
        Assert.Equal(before, await ((IKnowledgeStore)kb.Store).ReadDocumentHashesAsync(default));
        Assert.Contains("Gift cards are never refunded", Assert.Single(passages).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_ProviderDownOnAFreshStore_EveryDocumentReportedStoreNotMarkedIngested()
    {
        WriteHandbook();
        _server.FailWhen = _ => true;
        var (kb, embedder) = Create(OpenAI());
        using var _ = embedder;

        var report = await kb.IngestAsync(cancellationToken: default);

        Assert.Equal((0, 3), (report.Added, report.Skipped.Count));
        await Assert.ThrowsAsync<KnowledgeNotIngestedException>(() => kb.SearchAsync("parcels", new SearchOptions(Top: 1), default));
    }

    [Fact]
    public void Create_ApiKeyVariableUnset_SaysWhichVariable()
    {
        var created = ProviderEmbedders.TryCreate(OpenAI(), Clients(_ => null), out var generator, out var reason);

        Assert.False(created);
        Assert.Null(generator);
        Assert.Equal("EMBED_KEY is not set", reason);
        var error = Assert.Throws<InvalidOperationException>(() => ProviderEmbedders.Create(OpenAI(), Clients(_ => "")));
        Assert.Equal("Provider 'oa' cannot embed: EMBED_KEY is not set.", error.Message);
    }

    [Theory]
    [InlineData(ProviderKind.Anthropic, "claude", "a anthropic provider does not embed (use an openai, openai_compatible or ollama provider, or minilm)")]
    [InlineData(ProviderKind.Ollama, null, "no embedding_model is set")]
    public void Create_ProviderThatCannotEmbed_SaysWhy(ProviderKind kind, string? embeddingModel, string expected)
    {
        var provider = new ProviderDescriptor("p", kind, "m", EmbeddingModel: embeddingModel);

        Assert.False(ProviderEmbedders.TryCreate(provider, Clients(Environment), out _, out var reason));
        Assert.Equal(expected, reason);
    }

    [Fact]
    public async Task Factory_AddTo_RegistersTheDeclaredProvidersEmbedder()
    {
        WriteHandbook();
        var options = new AtlasRuntimeOptions { BaseDirectory = _folder.Path, GetEnvironmentVariable = Environment }.UseOpenAI();
        options.Providers.Add(OpenAI());
        options.KnowledgeBases.Add(new KnowledgeDescriptor("handbook", ["docs/*.md"], ChunkingStrategy.Markdown, 120, 0, "oa", StoreKind.Sqlite, "handbook.db"));
        new KnowledgeBaseFactory().AddTo(options);
        await ((SqliteKnowledgeBase)options.Knowledge["handbook"]).IngestAsync();

        var passages = await new AtlasRuntime(options).SearchAsync("handbook", "how are passwords stored", new SearchOptions(Top: 1), null, default);

        Assert.Equal("docs/security.md", Assert.Single(passages).Source);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ingest_SameEmbedderNowReturnsAnotherSize_StoreRebuilt(bool fileChanged)
    {
        WriteHandbook();
        var descriptor = new KnowledgeDescriptor("handbook", ["docs/*.md"], ChunkingStrategy.Markdown, 120, 0, "hash", StoreKind.Sqlite, "handbook.db");
        await SqliteKnowledgeBase.Create(descriptor, _folder.Path, new HashEmbedder(32)).IngestAsync();
        if (fileChanged)
        {
            _folder.Write("docs/shipping.md", "# Shipping\n\nParcels now ship from Antwerp.");
        }

        var kb = SqliteKnowledgeBase.Create(descriptor, _folder.Path, new HashEmbedder(48));
        var report = await kb.IngestAsync();
        var info = await ((IKnowledgeStore)kb.Store).ReadInfoAsync();

        Assert.True(report.Rebuilt);
        Assert.Equal((3, 0), (report.Added, report.Unchanged));
        Assert.Equal((48, 3), (info!.Dimensions, info.Documents));
    }
}
