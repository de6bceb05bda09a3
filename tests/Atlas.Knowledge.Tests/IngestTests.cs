using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.Extensions.AI;

namespace Atlas.Knowledge.Tests;

[Collection(MiniLmCollection.Name)]
public sealed class IngestTests(MiniLmFixture model) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private SqliteKnowledgeBase Create(IEmbeddingGenerator<string, Embedding<float>>? embedder = null, string embedderName = "minilm", string chunking = "markdown") =>
        SqliteKnowledgeBase.Create(
            new KnowledgeDescriptor("handbook", ["docs/**/*.md", "docs/**/*.txt", "docs/**/*.html", "docs/**/*.bin"], chunking, 120, 0, embedderName, "sqlite", "data/handbook.db"),
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
    public async Task Ingest_ThenSearch_EveryModeFindsTheRightDocument()
    {
        WriteHandbook();
        var kb = Create();

        var report = await kb.IngestAsync();

        Assert.Equal(3, report.Added);
        Assert.True(File.Exists(Path.Combine(_folder.Path, "data/handbook.db")));
        foreach (var mode in new[] { "vector", "keyword", "hybrid" })
        {
            var passages = await kb.SearchAsync("how are passwords hashed", new SearchOptions(Top: 2, Mode: mode), CancellationToken.None);
            Assert.Equal("docs/security.html", passages[0].Source);
        }

        var refund = await kb.SearchAsync("gift cards money back", new SearchOptions(Top: 1), CancellationToken.None);
        Assert.Equal("Refunds > Exceptions", refund[0].Heading);
    }

    [Fact]
    public async Task Ingest_Again_UnchangedSkippedChangedReplacedDeletedRemoved()
    {
        WriteHandbook();
        var kb = Create();
        await kb.IngestAsync();

        _folder.Write("docs/shipping.txt", "Parcels now ship from the Lisbon warehouse by sea freight.");
        File.Delete(Path.Combine(_folder.Path, "docs/security.html"));
        _folder.Write("docs/new/faq.md", "# FAQ\n\nThe office cat is called Miso.");
        var progress = new List<IngestProgress>();
        var report = await kb.IngestAsync(new SynchronousProgress<IngestProgress>(progress.Add));

        Assert.Equal((1, 1, 1, 1), (report.Added, report.Updated, report.Unchanged, report.Removed));
        Assert.Equal(["docs/new/faq.md:added", "docs/refunds.md:unchanged", "docs/shipping.txt:updated", "docs/security.html:removed"], progress.Select(p => p.Source + ":" + p.Outcome).Order(StringComparer.Ordinal).ToArray().OrderBy(s => s.EndsWith(":removed", StringComparison.Ordinal)).ToArray());
        Assert.Equal(["docs/new/faq.md", "docs/refunds.md", "docs/shipping.txt"], kb.Store.ReadDocumentHashes().Keys.Order(StringComparer.Ordinal));
        var shipping = await kb.SearchAsync("warehouse", new KnowledgeSearchOptions(Top: 5, Mode: "keyword"));
        Assert.Single(shipping);
        Assert.Contains("Lisbon", shipping[0].Chunk.Text, StringComparison.Ordinal);
        var gone = await kb.SearchAsync("Argon2id", new KnowledgeSearchOptions(Mode: "keyword"));
        Assert.Empty(gone);
    }

    [Fact]
    public async Task Ingest_BadFiles_ReportedAndSkippedTheRestIngested()
    {
        WriteHandbook();
        File.WriteAllBytes(Path.Combine(_folder.Path, "docs/image.bin"), [0x89, 0x50, 0x4E, 0x47, 0x00, 0x00, 0x01]);
        _folder.Write("docs/empty.md", "  \n\n ");
        _folder.Write("docs/huge.txt", new string('x', 5000));
        // A dangling link is unreadable even for root (chmod 000 is not).
        File.CreateSymbolicLink(Path.Combine(_folder.Path, "docs/broken.md"), Path.Combine(_folder.Path, "missing.md"));
        var kb = SqliteKnowledgeBase.Create(Create().Descriptor, _folder.Path, model.Embedder, model.Tokenizer);
        var ingestor = new KnowledgeIngestor(_folder.Path, kb.Descriptor.Sources, new TextChunker(new ChunkingOptions("markdown", 120, 0), model.Tokenizer), kb.Store, "minilm", model.Embedder) { MaxFileBytes = 4096 };

        var report = await ingestor.IngestAsync();

        var reasons = report.Skipped.ToDictionary(s => s.Source, s => s.Reason);
        Assert.Equal("binary content (not text)", reasons["docs/image.bin"]);
        Assert.Equal("empty", reasons["docs/empty.md"]);
        Assert.StartsWith("too large", reasons["docs/huge.txt"], StringComparison.Ordinal);
        Assert.StartsWith("unreadable", reasons["docs/broken.md"], StringComparison.Ordinal);
        Assert.Equal(4, reasons.Count);
        Assert.Equal(3, report.Added);
    }

    [Fact]
    public async Task Ingest_KilledHalfWay_StoreConsistentAndNextIngestCompletes()
    {
        for (var i = 0; i < 6; i++)
        {
            _folder.Write($"docs/topic{i}.md", $"# Topic {i}\n\nThis document number {i} describes subject {i} in detail.");
        }

        using var cts = new CancellationTokenSource();
        var failing = new CancellingEmbedder(model.Embedder, cts, failOnCall: 3);
        var kb = Create(failing);
        var ingestor = new KnowledgeIngestor(_folder.Path, kb.Descriptor.Sources, new TextChunker(new ChunkingOptions("markdown", 120, 0), model.Tokenizer), kb.Store, "minilm", failing) { EmbeddingBatchSize = 1 };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ingestor.IngestAsync(cancellationToken: cts.Token));

        var info = kb.Store.ReadInfo()!;
        Assert.InRange(info.Documents, 1, 5);
        Assert.Equal(info.Documents, info.Chunks); // one chunk per document: no document is half-written
        Assert.False(info.IngestCompleted);

        var report = await Create().IngestAsync();
        Assert.Equal(6 - info.Documents, report.Added);
        Assert.Equal(info.Documents, report.Unchanged);
        Assert.Equal(6, kb.Store.ReadInfo()!.Chunks);
    }

    [Fact]
    public async Task Search_NeverIngested_SaysToRunIngest()
    {
        WriteHandbook();
        var kb = Create();

        var error = await Assert.ThrowsAsync<KnowledgeNotIngestedException>(() => kb.SearchAsync("refund", new SearchOptions(), CancellationToken.None));

        Assert.Contains("has not been ingested", error.Message, StringComparison.Ordinal);
        Assert.Contains("atlas ingest", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder.Path, "data/handbook.db")));
    }

    [Fact]
    public async Task Search_WithAnotherEmbedder_ClearErrorAndReingestRebuilds()
    {
        WriteHandbook();
        await Create().IngestAsync();
        using var other = new HashEmbedder(16);
        var otherKb = Create(other, "hashing");

        var error = await Assert.ThrowsAsync<KnowledgeStoreMismatchException>(() => otherKb.SearchAsync("refund", new SearchOptions(Mode: "hybrid"), CancellationToken.None));
        Assert.Contains("built with embedder 'minilm' (384 dimensions) but is searched with 'hashing'", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(await otherKb.SearchAsync("refund", new SearchOptions(Mode: "keyword"), CancellationToken.None));

        var report = await otherKb.IngestAsync();

        Assert.True(report.Rebuilt);
        Assert.Equal(3, report.Added);
        Assert.Equal(new StoreInfo("hashing", 16, 3, report.ChunksWritten, true), otherKb.Store.ReadInfo());
        await Assert.ThrowsAsync<KnowledgeStoreMismatchException>(() => Create().SearchAsync("refund", new SearchOptions(Mode: "vector"), CancellationToken.None));
    }

    [Fact]
    public async Task Search_MetadataFilterAndMinScore_Applied()
    {
        WriteHandbook();
        var kb = Create();
        await kb.IngestAsync();

        var onlyText = await kb.SearchAsync("warehouse passwords refunds", new KnowledgeSearchOptions(Top: 10, Mode: "vector", Filters: new Dictionary<string, string> { ["format"] = "text" }));
        var onlyHtml = await kb.SearchAsync("warehouse passwords refunds", new KnowledgeSearchOptions(Top: 10, Mode: "keyword", Filters: new Dictionary<string, string> { ["source"] = "docs/security.html" }));
        var strict = await kb.SearchAsync("parcel delivery time", new KnowledgeSearchOptions(Top: 10, Mode: "vector", MinScore: 0.3));

        Assert.Equal(["docs/shipping.txt"], onlyText.Select(h => h.Chunk.Source));
        Assert.Equal(["docs/security.html"], onlyHtml.Select(h => h.Chunk.Source));
        Assert.Equal("Security", onlyHtml[0].Chunk.Metadata["title"]);
        Assert.Equal("docs/shipping.txt", Assert.Single(strict).Chunk.Source);
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

        var passages = await runtime.SearchAsync("handbook", "when will my parcel arrive", new SearchOptions(Top: 1, Mode: "vector"), null, CancellationToken.None);

        Assert.Equal("docs/shipping.txt", Assert.Single(passages).Source);
    }

    [Fact]
    public async Task Search_Hybrid_ExactRareTermsStillWin()
    {
        WriteHandbook();
        _folder.Write("docs/errors.md", "# Errors\n\nError QX-4417 means the licence server rejected the seat because the grace period ended.");
        _folder.Write("docs/licences.md", "# Licences\n\nA licence seat is assigned when a user signs in and freed after thirty days of inactivity.");
        var kb = Create();
        await kb.IngestAsync();

        var hybrid = await kb.SearchAsync("QX-4417 seat", new KnowledgeSearchOptions(Top: 3, Mode: "hybrid"));

        Assert.Equal("docs/errors.md", hybrid[0].Chunk.Source);
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

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>Stands for a process killed mid-ingest: cancels the ingest on its nth call.</summary>
    private sealed class CancellingEmbedder(IEmbeddingGenerator<string, Embedding<float>> inner, CancellationTokenSource cts, int failOnCall) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        private int _calls;

        public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _calls) == failOnCall)
            {
                cts.Cancel();
                cancellationToken.ThrowIfCancellationRequested();
            }

            return base.GenerateAsync(values, options, cancellationToken);
        }
    }

    /// <summary>A second, different embedder (feature hashing of words), to switch a store to.</summary>
    private sealed class HashEmbedder(int dimensions) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var result = new GeneratedEmbeddings<Embedding<float>>();
            foreach (var value in values)
            {
                var vector = new float[dimensions];
                foreach (var word in value.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    vector[(int)((uint)StringComparer.Ordinal.GetHashCode(word) % (uint)dimensions)] += 1;
                }

                vector[0] += 0.01f;
                result.Add(new Embedding<float>(vector));
            }

            return Task.FromResult(result);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
