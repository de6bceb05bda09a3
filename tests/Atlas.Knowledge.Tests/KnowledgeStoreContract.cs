using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace Atlas.Knowledge.Tests;

/// <summary>
/// What every knowledge store must do, run on each (<see cref="SqliteStoreTests"/>, <see cref="ChromaStoreTests"/>):
/// ingest and search in every mode, incremental re-ingest, bad files, an embedder switch, filters,
/// an interrupted ingest, and retrieval quality (recall@5 and MRR@10 per mode, as the README's table says) on the
/// labelled set in Retrieval/ (210 one-topic passages, 50 queries phrased unlike their passage) and on the held-out
/// set in Retrieval/HeldOut/ (160 passages in look-alike families, 36 exact-term and 32 paraphrase queries).
/// </summary>
public abstract class KnowledgeStoreContract(MiniLmFixture model, ITestOutputHelper output) : IAsyncLifetime
{
    protected TempFolder Folder { get; } = new();

    protected MiniLmFixture Model { get; } = model;

    /// <summary>The store's name in test output.</summary>
    protected abstract string StoreName { get; }

    /// <summary>A knowledge base on this kind of store for <paramref name="descriptor"/> (whose store kind and target are ignored).</summary>
    protected abstract KnowledgeBase Create(KnowledgeDescriptor descriptor, IEmbeddingGenerator<string, Embedding<float>> embedder);

    /// <summary>Whether anything exists in the store (a file, a collection) for <paramref name="kb"/>.</summary>
    protected abstract Task<bool> StoreExistsAsync(KnowledgeBase kb);

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync()
    {
        Folder.Dispose();
        return Task.CompletedTask;
    }

    private KnowledgeBase Handbook(IEmbeddingGenerator<string, Embedding<float>>? embedder = null, string embedderName = "minilm") =>
        Create(new KnowledgeDescriptor("handbook", ["docs/**/*.md", "docs/**/*.txt", "docs/**/*.html", "docs/**/*.bin"], ChunkingStrategy.Markdown, 120, 0, embedderName, StoreKind.Sqlite, "data/handbook.db"), embedder ?? Model.Embedder);

    private void WriteHandbook()
    {
        Folder.Write("docs/refunds.md", "# Refunds\n\nCustomers can get their money back within 30 days of purchase.\n\n## Exceptions\n\nGift cards are never refunded.");
        Folder.Write("docs/shipping.txt", "Parcels ship from the Rotterdam warehouse and arrive in two to four business days.");
        Folder.Write("docs/security.html", "<html><head><title>Security</title></head><body><p>Passwords are hashed with Argon2id and never stored in clear text.</p></body></html>");
    }

    [Fact]
    public async Task Ingest_ThenSearch_EveryModeFindsTheRightDocument()
    {
        WriteHandbook();
        var kb = Handbook();

        var report = await kb.IngestAsync();

        Assert.Equal(3, report.Added);
        foreach (var mode in new[] { SearchMode.Vector, SearchMode.Keyword, SearchMode.Hybrid })
        {
            var passages = await kb.SearchAsync("how are passwords hashed", new SearchOptions(Top: 2, Mode: mode), CancellationToken.None);
            Assert.Equal("docs/security.html", passages[0].Source);
        }

        var refund = await kb.SearchAsync("gift cards money back", new SearchOptions(Top: 1), CancellationToken.None);
        Assert.Equal("Refunds > Exceptions", refund[0].Heading);
        Assert.Equal("Refunds > Exceptions", refund[0].Metadata!["heading"]);
        Assert.Equal("markdown", refund[0].Metadata!["format"]);
    }

    [Fact]
    public async Task Ingest_Again_UnchangedSkippedChangedReplacedDeletedRemoved()
    {
        WriteHandbook();
        var kb = Handbook();
        await kb.IngestAsync();

        Folder.Write("docs/shipping.txt", "Parcels now ship from the Lisbon warehouse by sea freight.");
        File.Delete(Path.Combine(Folder.Path, "docs/security.html"));
        Folder.Write("docs/new/faq.md", "# FAQ\n\nThe office cat is called Miso.");
        var progress = new List<IngestProgress>();
        var report = await kb.IngestAsync(new SynchronousProgress<IngestProgress>(progress.Add));

        Assert.Equal((1, 1, 1, 1), (report.Added, report.Updated, report.Unchanged, report.Removed));
        Assert.Equal(["docs/new/faq.md:added", "docs/refunds.md:unchanged", "docs/shipping.txt:updated", "docs/security.html:removed"], progress.Select(p => p.Source + ":" + p.Outcome).Order(StringComparer.Ordinal).OrderBy(s => s.EndsWith(":removed", StringComparison.Ordinal)).ToArray());
        Assert.Equal(["docs/new/faq.md", "docs/refunds.md", "docs/shipping.txt"], (await kb.Store.ReadDocumentHashesAsync()).Keys.Order(StringComparer.Ordinal));
        var shipping = await kb.SearchAsync("warehouse", new KnowledgeSearchOptions(Top: 5, Mode: SearchMode.Keyword));
        Assert.Single(shipping);
        Assert.Contains("Lisbon", shipping[0].Chunk.Text, StringComparison.Ordinal);
        Assert.Empty(await kb.SearchAsync("Argon2id", new KnowledgeSearchOptions(Mode: SearchMode.Keyword)));

        var third = await kb.IngestAsync();
        Assert.Equal((0, 0, 3, 0, 0), (third.Added, third.Updated, third.Unchanged, third.Removed, third.ChunksWritten));
    }

    [Fact]
    public async Task Ingest_DocumentShrinks_OldChunksGone()
    {
        Folder.Write("docs/long.md", "# One\n\nAlpha section text.\n\n# Two\n\nBravo section text.\n\n# Three\n\nCharlie section text.");
        var kb = Handbook();
        await kb.IngestAsync();
        Folder.Write("docs/long.md", "# One\n\nAlpha section text, revised.");

        await kb.IngestAsync();

        var info = (await kb.Store.ReadInfoAsync())!;
        Assert.Equal((1, 1), (info.Documents, info.Chunks));
        Assert.Empty(await kb.SearchAsync("Charlie", new KnowledgeSearchOptions(Mode: SearchMode.Keyword)));
    }

    [Fact]
    public async Task Ingest_BadFiles_ReportedAndSkippedTheRestIngested()
    {
        WriteHandbook();
        File.WriteAllBytes(Path.Combine(Folder.Path, "docs/image.bin"), [0x89, 0x50, 0x4E, 0x47, 0x00, 0x00, 0x01]);
        Folder.Write("docs/empty.md", "  \n\n ");
        Folder.Write("docs/huge.txt", new string('x', 5000));
        // A dangling link is unreadable even for root (chmod 000 is not).
        File.CreateSymbolicLink(Path.Combine(Folder.Path, "docs/broken.md"), Path.Combine(Folder.Path, "missing.md"));
        var kb = Handbook();
        var ingestor = new KnowledgeIngestor(Folder.Path, kb.Descriptor.Sources, new TextChunker(new ChunkingOptions(ChunkingStrategy.Markdown, 120, 0), Model.Tokenizer), kb.Store, "minilm", Model.Embedder) { MaxFileBytes = 4096 };

        var report = await ingestor.IngestAsync();

        var reasons = report.Skipped.ToDictionary(s => s.Source, s => s.Reason);
        Assert.Equal("binary content (not text)", reasons["docs/image.bin"]);
        Assert.Equal("empty", reasons["docs/empty.md"]);
        Assert.StartsWith("too large", reasons["docs/huge.txt"], StringComparison.Ordinal);
        Assert.StartsWith("unreadable", reasons["docs/broken.md"], StringComparison.Ordinal);
        Assert.Equal(4, reasons.Count);
        Assert.Equal(3, report.Added);
        Assert.Equal(3, (await kb.Store.ReadInfoAsync())!.Documents);
    }

    [Fact]
    public async Task Ingest_InterruptedHalfWay_StoreConsistentAndNextIngestCompletes()
    {
        for (var i = 0; i < 6; i++)
        {
            Folder.Write($"docs/topic{i}.md", $"# Topic {i}\n\nThis document number {i} describes subject {i} in detail.");
        }

        using var cts = new CancellationTokenSource();
        var failing = new CancellingEmbedder(Model.Embedder, cts, failOnCall: 3);
        var kb = Handbook(failing);
        var ingestor = new KnowledgeIngestor(Folder.Path, kb.Descriptor.Sources, new TextChunker(new ChunkingOptions(ChunkingStrategy.Markdown, 120, 0), Model.Tokenizer), kb.Store, "minilm", failing) { EmbeddingBatchSize = 1 };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ingestor.IngestAsync(cancellationToken: cts.Token));

        var info = (await kb.Store.ReadInfoAsync())!;
        Assert.InRange(info.Documents, 1, 5);
        Assert.Equal(info.Documents, info.Chunks); // one chunk per document: no document is half-written
        Assert.False(info.IngestCompleted);

        var report = await Handbook().IngestAsync();
        Assert.Equal(6 - info.Documents, report.Added);
        Assert.Equal(info.Documents, report.Unchanged);
        Assert.Equal(6, (await kb.Store.ReadInfoAsync())!.Chunks);
    }

    [Fact]
    public async Task Search_NeverIngested_SaysToRunIngest()
    {
        WriteHandbook();
        var kb = Handbook();

        var error = await Assert.ThrowsAsync<KnowledgeNotIngestedException>(() => kb.SearchAsync("refund", new SearchOptions(), CancellationToken.None));

        Assert.Contains("Knowledge base 'handbook' has not been ingested", error.Message, StringComparison.Ordinal);
        Assert.Contains("atlas ingest FILE --knowledge handbook", error.Message, StringComparison.Ordinal);
        Assert.False(await StoreExistsAsync(kb));
    }

    [Fact]
    public async Task Search_WithAnotherEmbedder_ClearErrorAndReingestRebuilds()
    {
        WriteHandbook();
        await Handbook().IngestAsync();
        using var other = new HashEmbedder(16);
        var otherKb = Handbook(other, "hashing");

        var error = await Assert.ThrowsAsync<KnowledgeStoreMismatchException>(() => otherKb.SearchAsync("refund", new SearchOptions(Mode: SearchMode.Hybrid), CancellationToken.None));
        Assert.Contains("built with embedder 'minilm' (384 dimensions) but is searched with 'hashing'", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(await otherKb.SearchAsync("refund", new SearchOptions(Mode: SearchMode.Keyword), CancellationToken.None));

        var report = await otherKb.IngestAsync();

        Assert.True(report.Rebuilt);
        Assert.Equal(3, report.Added);
        Assert.Equal(new StoreInfo("hashing", 16, 3, report.ChunksWritten, true), await otherKb.Store.ReadInfoAsync());
        await Assert.ThrowsAsync<KnowledgeStoreMismatchException>(() => Handbook().SearchAsync("refund", new SearchOptions(Mode: SearchMode.Vector), CancellationToken.None));
    }

    [Fact]
    public async Task Search_MetadataFiltersGlobsAndMinScore_Applied()
    {
        WriteHandbook();
        Folder.Write("docs/billing/invoices.md", "# Invoices\n\nInvoices are emailed as PDF on the first day of the month.");
        var kb = Handbook();
        await kb.IngestAsync();

        var onlyText = await kb.SearchAsync("warehouse passwords refunds", new KnowledgeSearchOptions(Top: 10, Mode: SearchMode.Vector, Filters: new Dictionary<string, string> { ["format"] = "text" }));
        var onlyHtml = await kb.SearchAsync("warehouse passwords refunds", new KnowledgeSearchOptions(Top: 10, Mode: SearchMode.Keyword, Filters: new Dictionary<string, string> { ["source"] = "docs/security.html" }));
        var billing = await kb.SearchAsync("month invoices refunds", new KnowledgeSearchOptions(Top: 10, Mode: SearchMode.Hybrid, Filters: new Dictionary<string, string> { ["source"] = "docs/billing/*" }));
        var headed = await kb.SearchAsync("gift cards", new SearchOptions(Top: 10, Mode: SearchMode.Vector, Where: new Dictionary<string, string> { ["heading"] = "Refunds > *" }), CancellationToken.None);
        var strict = await kb.SearchAsync("parcel delivery time", new KnowledgeSearchOptions(Top: 10, Mode: SearchMode.Vector, MinScore: 0.3));

        Assert.Equal(["docs/shipping.txt"], onlyText.Select(h => h.Chunk.Source));
        Assert.Equal(["docs/security.html"], onlyHtml.Select(h => h.Chunk.Source));
        Assert.Equal("Security", onlyHtml[0].Chunk.Metadata["title"]);
        Assert.Equal(["docs/billing/invoices.md"], billing.Select(h => h.Chunk.Source));
        Assert.Equal(["Refunds > Exceptions"], headed.Select(p => p.Heading));
        var loose = await kb.SearchAsync("parcel delivery time", new KnowledgeSearchOptions(Top: 10, Mode: SearchMode.Vector));
        Assert.Equal("docs/shipping.txt", strict[0].Chunk.Source);
        Assert.All(strict, h => Assert.True(h.Score >= 0.3));
        Assert.InRange(strict.Count, 1, loose.Count - 1);
    }

    [Fact]
    public async Task Search_Hybrid_ExactRareTermsStillWin()
    {
        WriteHandbook();
        Folder.Write("docs/errors.md", "# Errors\n\nError QX-4417 means the licence server rejected the seat because the grace period ended.");
        Folder.Write("docs/licences.md", "# Licences\n\nA licence seat is assigned when a user signs in and freed after thirty days of inactivity.");
        var kb = Handbook();
        await kb.IngestAsync();

        var hybrid = await kb.SearchAsync("QX-4417 seat", new KnowledgeSearchOptions(Top: 3, Mode: SearchMode.Hybrid));

        Assert.Equal("docs/errors.md", hybrid[0].Chunk.Source);
    }

    [Fact]
    public async Task LabelledSet_EveryMode_FiguresAsTheReadmeSaysAndHybridNoWorseThanVector()
    {
        var scores = await MeasureAsync("Retrieval", "first");

        Assert.Equal(50, scores[("all", "vector")].Queries);
        Assert.True(scores[("all", "hybrid")].Recall5 >= scores[("all", "vector")].Recall5, "hybrid recall@5 below vector");
        Assert.True(scores[("all", "hybrid")].Mrr >= scores[("all", "vector")].Mrr, "hybrid MRR below vector");
        AssertAsTheReadmeSays("first", scores);
    }

    /// <summary>The held-out set (Retrieval/HeldOut, never tuned on): exact codes, ids and names next to paraphrases.</summary>
    [Fact]
    public async Task HeldOutSet_EveryMode_FiguresAsTheReadmeSaysAndHybridBeatsVectorOnKeywordQueries()
    {
        var scores = await MeasureAsync(Path.Combine("Retrieval", "HeldOut"), "held-out");

        Assert.Equal((68, 36, 32), (scores[("all", "vector")].Queries, scores[("keyword", "vector")].Queries, scores[("paraphrase", "vector")].Queries));
        Assert.True(scores[("keyword", "hybrid")].Mrr > scores[("keyword", "vector")].Mrr, "hybrid MRR on keyword queries not above vector");
        Assert.True(scores[("keyword", "hybrid")].Recall5 >= scores[("keyword", "vector")].Recall5, "hybrid recall@5 on keyword queries below vector");
        Assert.True(scores[("keyword", "hybrid")].Mrr > scores[("keyword", NoExactTerms)].Mrr, "the exact-term ranking does not help keyword queries");
        Assert.True(scores[("paraphrase", "hybrid")].Recall5 >= scores[("paraphrase", "vector")].Recall5, "hybrid recall@5 on paraphrases below vector");
        AssertAsTheReadmeSays("held-out", scores);
    }

    /// <summary>
    /// Ingests a labelled set (one chunk per passage) and measures recall@5 and MRR@10 per mode, over all queries and
    /// per query kind: the three modes through the knowledge base, and two variants of hybrid for comparison.
    /// </summary>
    private async Task<Dictionary<(string Kind, string Mode), Score>> MeasureAsync(string folder, string set)
    {
        var passages = ReadLines<LabelledPassage>(folder, "passages.jsonl");
        var queries = ReadLines<LabelledQuery>(folder, "queries.jsonl");
        Assert.Equal(passages.Count, passages.Select(p => p.Id).Distinct().Count());
        Assert.All(queries, q => Assert.Contains(passages, p => p.Id == q.Relevant));
        foreach (var passage in passages)
        {
            Folder.Write($"corpus/{passage.Id}.txt", passage.Text);
        }

        var kb = Create(new KnowledgeDescriptor("labelled", ["corpus/*.txt"], ChunkingStrategy.Recursive, 256, 0, "minilm", StoreKind.Sqlite, "labelled.db"), Model.Embedder);
        var report = await kb.IngestAsync();
        Assert.Equal(passages.Count, report.ChunksWritten);
        Report(FormattableString.Invariant($"{StoreName,-7} {set} set: ingested {passages.Count} passages in {report.Elapsed.TotalSeconds:0.0} s"));

        var variants = new Dictionary<string, KnowledgeSearcher>
        {
            [NoExactTerms] = new("labelled", kb.Store, "minilm", Model.Embedder) { HybridRareTermMaxChunks = 0 },
            [Ungated] = new("labelled", kb.Store, "minilm", Model.Embedder) { HybridRareTermMaxChunks = 0, HybridMinimumShouldMatch = 0 },
        };
        var scores = new Dictionary<(string, string), Score>();
        foreach (var mode in Modes)
        {
            var ranks = new List<(string? Kind, int Rank)>();
            var clock = Stopwatch.StartNew();
            foreach (var query in queries)
            {
                // The row labels are the README's; the two variants are hybrid searches.
                var options = new KnowledgeSearchOptions(Top: 10, Mode: mode.StartsWith("hybrid", StringComparison.Ordinal) ? SearchMode.Hybrid : Enum.Parse<SearchMode>(mode, ignoreCase: true));
                var hits = variants.TryGetValue(mode, out var variant) ? await variant.SearchAsync(query.Query, options) : await kb.SearchAsync(query.Query, options);
                ranks.Add((query.Kind, hits.Select(h => Path.GetFileNameWithoutExtension(h.Chunk.Source)).ToList().IndexOf(query.Relevant) + 1));
            }

            var perQuery = clock.Elapsed.TotalMilliseconds / queries.Count;
            foreach (var kind in new string?[] { null }.Concat(queries.Select(q => q.Kind).Where(k => k is not null).Distinct()))
            {
                var of = ranks.Where(r => kind is null || r.Kind == kind).Select(r => r.Rank).ToList();
                var score = new Score(of.Count, of.Count(r => r is > 0 and <= 5) / (double)of.Count, of.Sum(r => r > 0 ? 1.0 / r : 0) / of.Count);
                scores[(kind ?? "all", mode)] = score;
                Report(FormattableString.Invariant($"{StoreName,-7} {set,-8} {kind ?? "all",-10} {mode,-32} recall@5 = {score.Recall5:0.000}  MRR@10 = {score.Mrr:0.000}  ({score.Queries} queries{(kind is null ? $", mean {perQuery:0.0} ms/query incl. embedding" : "")})"));
            }
        }

        return scores;
    }

    private const string NoExactTerms = "hybrid, no exact-term ranking";
    private const string Ungated = "hybrid, ungated, no exact terms";
    private static readonly string[] Modes = ["vector", "keyword", "hybrid", NoExactTerms, Ungated];

    /// <summary>
    /// Each figure of this store's columns in the retrieval table of runtime/Atlas.Knowledge/README.md (rows
    /// <c>| set | queries | mode | SQLite recall@5 | SQLite MRR@10 | Chroma recall@5 | Chroma MRR@10 |</c>) is what was
    /// measured, within 0.02 (MiniLM's float sums differ a little between machines).
    /// </summary>
    private void AssertAsTheReadmeSays(string set, Dictionary<(string Kind, string Mode), Score> scores)
    {
        var readme = File.ReadAllLines(Path.Combine(RepositoryRoot(), "runtime", "Atlas.Knowledge", "README.md"));
        var header = readme.Single(l => l.StartsWith("| set | queries | mode |", StringComparison.Ordinal)).Split('|').Select(c => c.Trim()).ToList();
        var recallColumn = header.IndexOf((StoreName == "sqlite" ? "SQLite" : "Chroma") + " recall@5");
        var rows = readme.Select(l => l.Split('|').Select(c => c.Trim()).ToList()).Where(c => c.Count == header.Count && c[1] == set).ToList();
        Assert.Equal(scores.Count, rows.Count);
        foreach (var row in rows)
        {
            var key = (row[2].Split(' ')[0], row[3]);
            Assert.True(scores.TryGetValue(key, out var measured), $"README row {key} is not measured");
            var (recall, mrr) = (double.Parse(row[recallColumn], CultureInfo.InvariantCulture), double.Parse(row[recallColumn + 1], CultureInfo.InvariantCulture));
            Assert.True(Math.Abs(measured.Recall5 - recall) <= 0.02, FormattableString.Invariant($"{set} {key}: recall@5 measured {measured.Recall5:0.000}, README says {recall:0.000}"));
            Assert.True(Math.Abs(measured.Mrr - mrr) <= 0.02, FormattableString.Invariant($"{set} {key}: MRR@10 measured {measured.Mrr:0.000}, README says {mrr:0.000}"));
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Atlas.Dsl.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Atlas.Dsl.sln not found above " + AppContext.BaseDirectory);
    }

    private void Report(string line)
    {
        output.WriteLine(line);
        Console.WriteLine(line);
    }

    private static List<T> ReadLines<T>(string folder, string file) =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, folder, file))
            .Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<T>(l, new JsonSerializerOptions(JsonSerializerDefaults.Web))!)
            .ToList();

    private sealed record LabelledPassage(string Id, string Text);

    /// <summary><see cref="Kind"/> is <c>keyword</c> or <c>paraphrase</c> in the held-out set, absent in the first.</summary>
    private sealed record LabelledQuery(string Query, string Relevant, string? Kind);

    private sealed record Score(int Queries, double Recall5, double Mrr);
}

/// <summary>The store contract on SQLite (one file under the test's folder).</summary>
[Collection(MiniLmCollection.Name)]
public sealed class SqliteStoreTests(MiniLmFixture model, ITestOutputHelper output) : KnowledgeStoreContract(model, output)
{
    protected override string StoreName => "sqlite";

    protected override KnowledgeBase Create(KnowledgeDescriptor descriptor, IEmbeddingGenerator<string, Embedding<float>> embedder) =>
        SqliteKnowledgeBase.Create(descriptor with { Store = StoreKind.Sqlite }, Folder.Path, embedder, Model.Tokenizer);

    protected override Task<bool> StoreExistsAsync(KnowledgeBase kb) => Task.FromResult(File.Exists(((SqliteKnowledgeBase)kb).Store.Path));
}

/// <summary>The store contract on a real ChromaDB server (<see cref="ChromaServer"/>), one fresh collection per test.</summary>
[Collection(MiniLmCollection.Name)]
public sealed class ChromaStoreTests(MiniLmFixture model, ITestOutputHelper output) : KnowledgeStoreContract(model, output)
{
    private readonly string _prefix = "atlas_test_" + Guid.NewGuid().ToString("N")[..12] + "_";
    private readonly List<ChromaKnowledgeStore> _stores = [];

    protected override string StoreName => "chroma";

    protected override KnowledgeBase Create(KnowledgeDescriptor descriptor, IEmbeddingGenerator<string, Embedding<float>> embedder)
    {
        var server = ChromaServer.Shared;
        var kb = ChromaKnowledgeBase.Create(descriptor with { Store = StoreKind.Chroma, StoreTarget = server.Url.AbsoluteUri }, Folder.Path, embedder, Model.Tokenizer, server.Http, _prefix + descriptor.Name);
        _stores.Add(kb.Store);
        return kb;
    }

    protected override async Task<bool> StoreExistsAsync(KnowledgeBase kb) => await kb.Store.ReadInfoAsync() is not null;

    public override async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DeleteCollectionAsync();
        }

        await base.DisposeAsync();
    }
}
