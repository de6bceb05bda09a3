using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Atlas.Knowledge.Tests;

[Collection(MiniLmCollection.Name)]
public sealed class IngestTests(MiniLmFixture model) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private SqliteKnowledgeBase Create(IEmbeddingGenerator<string, Embedding<float>>? embedder = null, string embedderName = "minilm", ChunkingStrategy chunking = ChunkingStrategy.Markdown) =>
        SqliteKnowledgeBase.Create(
            new KnowledgeDescriptor("handbook", ["docs/**/*.md", "docs/**/*.txt", "docs/**/*.html", "docs/**/*.bin"], chunking, 120, 0, embedderName, StoreKind.Sqlite, "data/handbook.db"),
            _folder.Path,
            embedder ?? model.Embedder,
            model.Tokenizer);

    private void WriteHandbook()
    {
        _folder.Write("docs/refunds.md", "# Refunds\n\nCustomers can get their money back within 30 days of purchase.\n\n## Exceptions\n\nGift cards are never refunded.");
        _folder.Write("docs/shipping.txt", "Parcels ship from the Rotterdam warehouse and arrive in two to four business days.");
        _folder.Write("docs/security.html", "<html><head><title>Security</title></head><body><p>Passwords are hashed with Argon2id and never stored in clear text.</p></body></html>");
    }

    [Fact]
    public async Task Runtime_KnowledgeOption_SearchesTheSqliteStore()
    {
        WriteHandbook();
        var kb = Create();
        await kb.IngestAsync();
        var options = new AtlasRuntimeOptions { BaseDirectory = _folder.Path };
        options.Knowledge["handbook"] = kb;
        var runtime = new AtlasRuntime(options);

        var passages = await runtime.SearchAsync("handbook", "when will my parcel arrive", new SearchOptions(Top: 1, Mode: SearchMode.Vector), null, CancellationToken.None);

        Assert.Equal("docs/shipping.txt", Assert.Single(passages).Source);
    }

    [Fact]
    public async Task Factory_AddTo_RuntimeSearchesEveryDeclaredStoreByEmbedderName()
    {
        WriteHandbook();
        var options = new AtlasRuntimeOptions { BaseDirectory = _folder.Path };
        options.KnowledgeBases.Add(Create().Descriptor);
        var factory = new KnowledgeBaseFactory().AddEmbedder("minilm", model.Embedder, model.Tokenizer);
        factory.AddTo(options);
        await ((SqliteKnowledgeBase)options.Knowledge["handbook"]).IngestAsync();

        var passages = await new AtlasRuntime(options).SearchAsync("handbook", "is my gift card refundable", new SearchOptions(Top: 1), null, CancellationToken.None);

        Assert.Equal("Refunds > Exceptions", Assert.Single(passages).Heading);
    }

    [Fact]
    public async Task Services_AddAtlasKnowledge_RuntimeSearchesTheRealStoreAndANeverIngestedOneSaysSo()
    {
        WriteHandbook();
        var handbook = Create().Descriptor;
        var empty = handbook with { Name = "empty", StoreTarget = "data/empty.db" };
        await using var services = new ServiceCollection()
            .AddAtlasKnowledge(f => f.AddEmbedder("minilm", model.Embedder, model.Tokenizer))
            .AddAtlasRuntime(options =>
            {
                options.BaseDirectory = _folder.Path;
                options.KnowledgeBases.Add(handbook);
                options.KnowledgeBases.Add(empty);
            })
            .BuildServiceProvider();
        await Create().IngestAsync();
        var runtime = services.GetRequiredService<AtlasRuntime>();

        var passages = await runtime.SearchAsync("handbook", "is my gift card refundable", new SearchOptions(Top: 1), null, CancellationToken.None);
        var error = await Assert.ThrowsAsync<KnowledgeNotIngestedException>(() => runtime.SearchAsync("empty", "refund", new SearchOptions(), null, CancellationToken.None));

        Assert.Equal("Refunds > Exceptions", Assert.Single(passages).Heading); // MiniLM on SQLite: the built-in file search has no heading paths like this
        Assert.StartsWith("Knowledge base 'empty' has not been ingested yet", error.Message, StringComparison.Ordinal);
        Assert.Contains("Run `atlas ingest FILE --knowledge empty`", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Factory_IngestBeforeFirstSearch_BuildsTheStoreOnTheFirstSearchLikeAtlasRun()
    {
        WriteHandbook();
        var options = new AtlasRuntimeOptions { BaseDirectory = _folder.Path };
        options.KnowledgeBases.Add(Create().Descriptor);
        var created = 0;
        options.KnowledgeFactory = new KnowledgeBaseFactory { IngestBeforeFirstSearch = true }
            .AddEmbedder("minilm", () => { created++; return model.Embedder; }, model.Tokenizer);
        var runtime = new AtlasRuntime(options);
        Assert.Equal(0, created); // nothing loaded, nothing written until a search
        Assert.False(File.Exists(Path.Combine(_folder.Path, "data/handbook.db")));

        var passages = await runtime.SearchAsync("handbook", "Argon2id", new SearchOptions(Top: 1, Where: new Dictionary<string, string> { ["format"] = "html" }), null, CancellationToken.None);
        _folder.Write("docs/later.md", "# Later\n\nA file written after the first search.");
        await runtime.SearchAsync("handbook", "later", new SearchOptions(Top: 1), null, CancellationToken.None);

        Assert.Equal("docs/security.html", Assert.Single(passages).Source);
        Assert.Equal(1, created);
        var info = new SqliteKnowledgeStore(Path.Combine(_folder.Path, "data/handbook.db")).ReadInfo();
        Assert.Equal(3, info!.Documents); // ingested once per process, as atlas run ingests once per run
    }

    [Fact]
    public void Factory_UnknownEmbedder_SaysWhatIsRegistered()
    {
        var factory = new KnowledgeBaseFactory().AddEmbedder("minilm", model.Embedder);

        var error = Assert.Throws<InvalidOperationException>(() => factory.Create(Create(embedderName: "openai").Descriptor, _folder.Path));

        Assert.Equal("Knowledge base 'handbook' uses embedder 'openai', but no embedding generator is registered under that name (registered: minilm). Register the provider's IEmbeddingGenerator.", error.Message);
    }

    [Fact]
    public void Fuse_ReciprocalRank_SumsAcrossLists()
    {
        var fused = KnowledgeSearcher.Fuse(3, [(1, 0.9), (2, 0.8)], [(2, 12.0), (3, 7.0)]);

        Assert.Equal([2L, 1L, 3L], fused.Select(f => f.Id));
        Assert.Equal((1.0 / 62) + (1.0 / 61), fused[0].Score, 12);
    }

    [Theory]
    [InlineData("what does E1107 mean", "E1107")]
    [InlineData("ERR_CONN_RESET in the client log", "ERR_CONN_RESET")]
    [InlineData("where is order ORD-58219 and SUP-3404?", "ORD-58219 SUP-3404")]
    [InlineData("who is Ingrid Vasquez", "Ingrid Vasquez")]
    [InlineData("Quillon X4 coverage, SameSite=Lax cookies", "Quillon X4 SameSite")]
    [InlineData("long train journey across Russia to the Pacific coast", "")]
    [InlineData("How do I reset my password? I forgot it", "")]
    public void ExactTerms_CodesIdsAndMultiWordNames_NotOrdinaryOrLoneCapitalisedWords(string query, string expected)
    {
        Assert.Equal(expected, string.Join(" ", KnowledgeSearcher.ExactTerms(query)));
    }
}
