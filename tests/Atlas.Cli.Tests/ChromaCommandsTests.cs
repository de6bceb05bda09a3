using System;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Atlas.Knowledge;
using Atlas.Knowledge.Tests;

namespace Atlas.Cli.Tests;

/// <summary>
/// <c>atlas ingest</c>, <c>atlas search</c> and <c>atlas run</c> on a <c>chroma("...")</c> store: a real ChromaDB server
/// (<see cref="ChromaServer"/>), one uniquely named knowledge base (so collection) per test, deleted afterwards.
/// </summary>
public sealed class ChromaCommandsTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly string _name = "kb_" + Guid.NewGuid().ToString("N")[..10];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await new ChromaKnowledgeStore(ChromaServer.Shared.Url, ChromaKnowledgeStore.DefaultCollectionName(_name), ChromaServer.Shared.Http).DeleteCollectionAsync();
        _dir.Dispose();
    }

    private string Project()
    {
        _dir.Write("kb/docs/refunds.md", "# Refunds\n\nMoney back within 30 days of purchase.\n\n## Gift cards\n\nGift cards are never refunded.");
        _dir.Write("kb/docs/shipping.txt", "Parcels ship from the Rotterdam warehouse in two to four business days.");
        return _dir.Write("kb/kb.atlas", $$"""
            knowledge {{_name}} {
              sources  = ["docs/*"]
              chunking = markdown { size = 200 }
              store    = chroma("{{ChromaServer.Shared.Url.AbsoluteUri}}")
            }

            workflow ask(question: string) -> Passage[] {
              found = {{_name}}.search(question, top = 1)
              return found
            }
            """);
    }

    [Fact]
    public void Chroma_RunBeforeIngest_StepFailsNamingTheIngestCommand_ThenIngestSearchAndRunWork()
    {
        var file = Project();

        var early = Cli.Offline("run", file, "--input", "\"gift cards\"");
        var ingest = Cli.Offline("ingest", file);
        var search = Cli.Offline("search", file, "gift cards refundable", "--top", "1", "--json");
        var keyword = Cli.Offline("search", file, "warehouse", "--mode", "keyword", "--json");
        var run = Cli.Offline("run", file, "--input", "\"gift cards\"");

        Assert.Equal(1, early.ExitCode);
        Assert.Contains($"Knowledge base '{_name}' has not been ingested yet", early.Stderr);
        Assert.Contains($"Run `atlas ingest FILE --knowledge {_name}`", early.Stderr);
        Assert.DoesNotContain("ingested into", early.Stderr); // atlas run ingests SQLite stores only

        Assert.Equal(0, ingest.ExitCode);
        Assert.Contains($"into {ChromaServer.Shared.Url.AbsoluteUri.TrimEnd('/')} (collection 'atlas_{_name}')", ingest.Stderr);
        Assert.Contains($"{_name}: 2 added, 0 updated, 0 unchanged, 0 removed, 0 failed; 3 chunks in ", ingest.Stderr);

        var best = JsonNode.Parse(search.Stdout)!.AsArray().Single()!;
        Assert.Equal("docs/refunds.md", best["source"]!.GetValue<string>());
        Assert.Equal("Refunds > Gift cards", best["heading"]!.GetValue<string>());
        Assert.Equal(["docs/shipping.txt"], JsonNode.Parse(keyword.Stdout)!.AsArray().Select(p => p!["source"]!.GetValue<string>()));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Refunds > Gift cards", JsonNode.Parse(run.Stdout)![0]!["heading"]!.GetValue<string>());
    }

    [Fact]
    public void Chroma_ServerDown_IngestSaysWhereAndHow()
    {
        _dir.Write("kb/docs/a.md", "# A\n\ntext");
        var file = _dir.Write("kb/kb.atlas", $$"""
            knowledge {{_name}} {
              sources = ["docs/*"]
              store   = chroma("http://127.0.0.1:1")
            }
            """);

        var ingest = Cli.Offline("ingest", file);

        Assert.Equal(1, ingest.ExitCode);
        Assert.Contains("atlas ingest: error: ChromaDB at http://127.0.0.1:1 did not answer", ingest.Stderr);
        Assert.Contains("npx chroma run", ingest.Stderr);
    }
}
