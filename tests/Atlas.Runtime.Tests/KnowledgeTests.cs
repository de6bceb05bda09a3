using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime.Tests;

public sealed class KnowledgeTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "atlas-kb-" + Guid.NewGuid().ToString("N"));

    public KnowledgeTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "docs", "billing"));
        File.WriteAllText(Path.Combine(_root, "docs", "billing", "refunds.md"), """
            # Billing

            ## Refunds

            Refunds are issued within 5 business days to the original payment method.

            A duplicate charge is refunded automatically once confirmed.

            ## Invoices

            Invoices are emailed on the first of the month.
            """);
        File.WriteAllText(Path.Combine(_root, "docs", "login.md"), """
            # Login problems

            Reset your password from the sign-in page. Two-factor codes expire after 30 seconds.
            """);
        File.WriteAllText(Path.Combine(_root, "notes.txt"), "refunds refunds refunds (not a source)");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private AtlasRuntime Runtime() => TestSupport.Runtime(o =>
    {
        o.BaseDirectory = _root;
        o.KnowledgeBases.Add(new KnowledgeDescriptor("handbook", ["docs/**/*.md"], "recursive", 800, 100, "minilm", "sqlite", "handbook.db"));
    });

    [Fact]
    public async Task Search_RanksByKeywords_WithSourceAndHeading()
    {
        var passages = await Runtime().SearchAsync("handbook", "how long do refunds take for a duplicate charge", new SearchOptions(Top: 2), null, CancellationToken.None);

        var best = passages[0];
        Assert.Equal("docs/billing/refunds.md", best.Source);
        Assert.Equal("Refunds", best.Heading);
        Assert.Contains("5 business days", best.Text);
        Assert.True(best.Score > 0);
        Assert.DoesNotContain(passages, p => p.Source == "notes.txt");
    }

    [Fact]
    public async Task Search_TopAndMinScore_Limit()
    {
        var runtime = Runtime();
        var one = await runtime.SearchAsync("handbook", "password reset", new SearchOptions(Top: 1), null, CancellationToken.None);
        Assert.Equal("docs/login.md", Assert.Single(one).Source);
        Assert.Empty(await runtime.SearchAsync("handbook", "password reset", new SearchOptions(MinScore: 1000), null, CancellationToken.None));
        Assert.Empty(await runtime.SearchAsync("handbook", "zebra", new SearchOptions(), null, CancellationToken.None));
    }

    [Fact]
    public async Task Search_HostKnowledgeBase_IsUsed_UnknownName_Throws()
    {
        var runtime = TestSupport.Runtime(o => o.Knowledge["faq"] = new FixedKnowledge());
        Assert.Equal("fixed", (await runtime.SearchAsync("faq", "q", new SearchOptions(), null, CancellationToken.None)).Single().Text);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => runtime.SearchAsync("nope", "q", new SearchOptions(), null, CancellationToken.None));
        Assert.Contains("Unknown knowledge base 'nope'", error.Message);
    }

    [Fact]
    public void Split_LongParagraph_CutAtWords_HeadingsStartChunks()
    {
        var text = "# A\n\n" + string.Join(' ', Enumerable.Repeat("word", 200)) + "\n\n# B\n\nshort";
        var chunks = FileKeywordKnowledgeBase.Split(text, 200).ToList();
        Assert.All(chunks, c => Assert.True(c.Text.Length <= 200));
        Assert.Equal("B", chunks[^1].Heading);
        Assert.Contains("short", chunks[^1].Text);
    }

    private sealed class FixedKnowledge : IKnowledgeBase
    {
        public Task<System.Collections.Generic.IReadOnlyList<Passage>> SearchAsync(string query, SearchOptions options, CancellationToken cancellationToken) =>
            Task.FromResult<System.Collections.Generic.IReadOnlyList<Passage>>([new Passage("fixed", "x", 1)]);
    }
}
