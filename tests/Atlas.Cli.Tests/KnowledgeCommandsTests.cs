using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;

namespace Atlas.Cli.Tests;

/// <summary>
/// <c>atlas ingest</c>, <c>atlas search</c>, and <c>atlas run</c> on the real SQLite store with the real MiniLM model:
/// in process for the commands' output, as a process for a fresh copy of the README's example and for
/// an ingest killed half-way.
/// </summary>
public sealed class KnowledgeCommandsTests
{
    private const string Handbook = """
        knowledge handbook {
          sources  = ["docs/**/*.md", "docs/**/*.txt", "docs/**/*.html"]
          chunking = markdown { size = 200 }
          store    = sqlite("data/handbook.db")
        }

        knowledge other {
          sources = ["other/*.md"]
        }

        workflow ask(question: string) -> Passage[] {
          found = handbook.search(question, top = 2)
          more  = other.search(question, top = 1)
          return found
        }

        workflow billing(question: string) -> Passage[] {
          found = handbook.search(question, top = 5, source = "docs/billing/*")
          return found
        }

        workflow pages(question: string) -> Passage[] {
          found = handbook.search(question, top = 5, format = "html", title = "Sec*")
          return found
        }
        """;

    private static TempDirectory HandbookProject()
    {
        var dir = new TempDirectory();
        dir.Write("kb/handbook.atlas", Handbook);
        dir.Write("kb/docs/refunds.md", "# Refunds\n\nMoney back within 30 days of purchase.\n\n## Gift cards\n\nGift cards are never refunded.");
        dir.Write("kb/docs/shipping.txt", "Parcels ship from the Rotterdam warehouse in two to four business days.");
        dir.Write("kb/docs/billing/invoices.md", "# Invoices\n\nInvoices are emailed as PDF on the first day of the month.");
        dir.Write("kb/docs/security.html", "<html><head><title>Security</title></head><body><p>Passwords are hashed with Argon2id.</p></body></html>");
        return dir;
    }

    [Fact]
    public void Ingest_ThenSearchJson_PassagesBestFirstWithMetadataAndPathsRelativeToTheFile()
    {
        using var dir = HandbookProject();
        var file = Path.Combine(dir.Path, "kb/handbook.atlas");

        var ingest = Cli.Offline("ingest", file, "--knowledge", "handbook");
        var again = Cli.Offline("ingest", file, "-k", "handbook");
        var search = Cli.Offline("search", file, "--knowledge", "handbook", "are gift cards refundable", "--top", "2", "--json");

        Assert.Equal(0, ingest.ExitCode);
        Assert.Contains("handbook: 4 added, 0 updated, 0 unchanged, 0 removed, 0 failed; 5 chunks in", ingest.Stderr);
        Assert.Contains("[4/4] added docs/shipping.txt", ingest.Stderr); // redirected: plain lines, no bar
        Assert.True(File.Exists(Path.Combine(dir.Path, "kb/data/handbook.db")), "the store file is relative to the .atlas file's folder");
        Assert.Contains("0 added, 0 updated, 4 unchanged, 0 removed, 0 failed; 0 chunks", again.Stderr);

        Assert.Equal(0, search.ExitCode);
        var passages = JsonNode.Parse(search.Stdout)!.AsArray();
        Assert.Equal(2, passages.Count);
        var best = passages[0]!.AsObject();
        Assert.Equal("docs/refunds.md", best["source"]!.GetValue<string>());
        Assert.Equal("Refunds > Gift cards", best["heading"]!.GetValue<string>());
        Assert.Equal("Refunds > Gift cards", best["metadata"]!["heading"]!.GetValue<string>());
        Assert.Equal("markdown", best["metadata"]!["format"]!.GetValue<string>());
        Assert.Contains("never refunded", best["text"]!.GetValue<string>());
        Assert.True(best["score"]!.GetValue<double>() >= passages[1]!["score"]!.GetValue<double>());
    }

    [Fact]
    public async System.Threading.Tasks.Task Ingest_OnATerminal_DrawsTheProgressBarThenTheSummary()
    {
        using var dir = HandbookProject();
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var environment = new CliEnvironment { Output = stdout, Error = stderr, ErrorIsTerminal = true, GetEnvironmentVariable = _ => null };

        var exit = await AtlasCli.RunAsync(["ingest", Path.Combine(dir.Path, "kb/handbook.atlas"), "-k", "handbook"], environment);

        Assert.Equal(0, exit);
        Assert.Equal("", stdout.ToString());
        Assert.Contains("100%", stderr.ToString());
        Assert.DoesNotContain("[4/4] added", stderr.ToString()); // the bar, not the plain lines
        Assert.Contains("handbook: 4 added, 0 updated, 0 unchanged, 0 removed, 0 failed; 5 chunks in ", stderr.ToString());
    }

    [Fact]
    public void Search_ModesFiltersAndText_Printed()
    {
        using var dir = HandbookProject();
        var file = Path.Combine(dir.Path, "kb/handbook.atlas");
        Assert.Equal(0, Cli.Offline("ingest", file, "-k", "handbook").ExitCode);

        var keyword = Cli.Offline("search", file, "-k", "handbook", "warehouse", "--mode", "keyword", "--json");
        var filtered = Cli.Offline("search", file, "-k", "handbook", "money and payments", "--where", "source=docs/billing/*", "--json");
        var text = Cli.Offline("search", file, "-k", "handbook", "parcel delivery", "--top", "1");
        var none = Cli.Offline("search", file, "-k", "handbook", "warehouse", "--mode", "keyword", "--where", "format=html");

        Assert.Equal(["docs/shipping.txt"], JsonNode.Parse(keyword.Stdout)!.AsArray().Select(p => p!["source"]!.GetValue<string>()));
        Assert.Equal(["docs/billing/invoices.md"], JsonNode.Parse(filtered.Stdout)!.AsArray().Select(p => p!["source"]!.GetValue<string>()));
        Assert.Equal(0, text.ExitCode);
        Assert.Matches(@"^1\. docs/shipping\.txt  \(score 0\.\d{4}\)\n   Parcels ship from the Rotterdam warehouse", text.Stdout);
        Assert.Equal(0, none.ExitCode);
        Assert.Equal("", none.Stdout);
        Assert.Equal("atlas search: no passages in 'handbook' match\n", none.Stderr);
    }

    [Fact]
    public void Search_NeverIngested_SaysWhichKnowledgeBaseAndHowToIngest()
    {
        using var dir = HandbookProject();
        var file = Path.Combine(dir.Path, "kb/handbook.atlas");

        var search = Cli.Offline("search", file, "-k", "handbook", "refund");

        Assert.Equal(1, search.ExitCode);
        Assert.StartsWith("atlas search: error: Knowledge base 'handbook' has not been ingested yet", search.Stderr);
        Assert.Contains("Run `atlas ingest FILE --knowledge handbook`", search.Stderr);
        Assert.False(File.Exists(Path.Combine(dir.Path, "kb/data/handbook.db")));
    }

    [Theory]
    [InlineData("atlas search: no knowledge base 'nope' in {file}; it has handbook, other", "search", "{file}", "-k", "nope", "refund")]
    [InlineData("atlas search: {file} has 2 knowledge bases (handbook, other); choose one with --knowledge NAME", "search", "{file}", "refund")]
    [InlineData("atlas search: --top must be from 1 to 1000, not 0 (see 'atlas search --help')", "search", "{file}", "-k", "handbook", "refund", "--top", "0")]
    [InlineData("atlas search: --where 'heading' is not KEY=VALUE", "search", "{file}", "-k", "handbook", "refund", "--where", "heading")]
    [InlineData("atlas search: --where 'sorce=docs/*': 'sorce' is not a metadata key; use one of source, heading, title, format, extension, pages; did you mean 'source'?", "search", "{file}", "-k", "handbook", "refund", "--where", "sorce=docs/*")]
    [InlineData("atlas search: the query is empty", "search", "{file}", "-k", "handbook", " ")]
    [InlineData("atlas ingest: no knowledge base 'nope' in {file}; it has handbook, other", "ingest", "{file}", "-k", "nope")]
    [InlineData("atlas ingest: 'missing.atlas' does not exist", "ingest", "missing.atlas")]
    public void BadArguments_OneLineExit2(string expected, params string[] args)
    {
        using var dir = HandbookProject();
        var file = Path.Combine(dir.Path, "kb/handbook.atlas");

        var result = Cli.Offline(args.Select(a => a.Replace("{file}", file, StringComparison.Ordinal)).ToArray());

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(expected.Replace("{file}", file, StringComparison.Ordinal) + "\n", result.Stderr);
    }

    [Fact]
    public void Search_UnknownMode_OneLineExit2()
    {
        using var dir = HandbookProject();

        var result = Cli.Offline("search", Path.Combine(dir.Path, "kb/handbook.atlas"), "-k", "handbook", "refund", "--mode", "fuzzy");

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.StderrLines);
        Assert.StartsWith("atlas search: ", result.Stderr);
    }

    [Fact]
    public void Run_Workflow_IngestsTheSqliteStoreFirstThenSearchesIt()
    {
        using var dir = HandbookProject();
        var file = Path.Combine(dir.Path, "kb/handbook.atlas");

        var first = Cli.Offline("run", file, "-w", "ask", "--input", "\"can I return a gift card\"");
        var second = Cli.Offline("run", file, "-w", "ask", "--input", "\"can I return a gift card\"");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("atlas run: knowledge 'handbook' ingested into ", first.Stderr);
        Assert.Contains(": 4 added, 0 updated, 0 unchanged, 0 removed, 0 failed; 5 chunks in ", first.Stderr);
        Assert.Contains("atlas run: knowledge 'handbook' is up to date (4 documents in ", second.Stderr);
        var passages = JsonNode.Parse(first.Stdout)!.AsArray();
        Assert.Equal("Refunds > Gift cards", passages[0]!["heading"]!.GetValue<string>());
        Assert.Equal(first.Stdout, second.Stdout);
    }

    [Fact]
    public void Run_SearchWithMetadataFilters_OnlyMatchingPassagesWithTheirTitle()
    {
        using var dir = HandbookProject();
        var file = Path.Combine(dir.Path, "kb/handbook.atlas");

        var billing = Cli.Offline("run", file, "-w", "billing", "--input", "\"refund my money\"");
        var pages = Cli.Offline("run", file, "-w", "pages", "--input", "\"refund my money\"");

        Assert.Equal(0, billing.ExitCode);
        Assert.Equal(["docs/billing/invoices.md"], JsonNode.Parse(billing.Stdout)!.AsArray().Select(p => p!["source"]!.GetValue<string>()));
        var page = Assert.Single(JsonNode.Parse(pages.Stdout)!.AsArray())!;
        Assert.Equal("docs/security.html", page["source"]!.GetValue<string>());
        Assert.Equal("Security", page["title"]!.GetValue<string>());
    }

    [Fact]
    public void Process_ReadmeCommandOnAFreshCopy_IngestsOnceThenRunsOffline()
    {
        using var dir = new TempDirectory();
        CopyDirectory(Cli.Example("support-triage"), Path.Combine(dir.Path, "examples/support-triage"), skip: f => f.EndsWith(".db", StringComparison.Ordinal) || f.Contains(".db-", StringComparison.Ordinal));

        var args = new[] { "run", "examples/support-triage/support.atlas", "--workflow", "support", "--input", "@examples/support-triage/ticket.json" };
        var first = AtlasProcess.Run(dir.Path, args);
        var second = AtlasProcess.Run(dir.Path, args);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Equal("atlas run: knowledge 'handbook' ingested into examples/support-triage/handbook.db: 5 added, 0 updated, 0 unchanged, 0 removed, 0 failed; 5 chunks in", string.Join(" ", first.StderrLines[0].Split(' ').SkipLast(2)));
        Assert.Equal("T-1042", JsonNode.Parse(first.Stdout)!["ticket"]!.GetValue<string>());
        Assert.Equal(0, second.ExitCode);
        Assert.Equal("atlas run: knowledge 'handbook' is up to date (5 documents in examples/support-triage/handbook.db)", second.StderrLines[0]);
    }

    [Fact]
    public void SourcesMatchingNothing_CheckWarnsAtTheValue_IngestAndRunSaySo()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("kb/kb.atlas", """
            knowledge handbook {
              sources = ["dosc/*.md", "docs/*.md"]
            }

            workflow ask(question: string) -> Passage[] {
              found = handbook.search(question)
              return found
            }
            """);
        dir.Write("kb/docs/refunds.md", "# Refunds\n\nMoney back within 30 days of purchase.");

        var check = Cli.Offline("check", file);
        var ingest = Cli.Offline("ingest", file);
        var run = Cli.Offline("run", file, "--input", "\"refund\"");

        Assert.Equal(0, check.ExitCode);
        Assert.Contains($"{file}(2,13): warning ATL2025: No file matches `dosc/*.md`, a source of knowledge base `handbook` (relative to this file's folder): it would ingest nothing and every search would return no passages", check.Stdout + check.Stderr);
        Assert.DoesNotContain("docs/*.md`", check.Stdout + check.Stderr);
        Assert.Equal(0, ingest.ExitCode);
        Assert.Contains("atlas ingest: sources of 'handbook' matched no files: dosc/*.md\n", ingest.Stderr);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("atlas run: sources of 'handbook' matched no files: dosc/*.md\n", run.Stderr);
        Assert.Equal("docs/refunds.md", JsonNode.Parse(run.Stdout)![0]!["source"]!.GetValue<string>());
    }

    [Fact]
    public void Run_EverySourceGoneButTheStoreHoldsThem_KeepsTheStoreAndSaysSo_IngestRemovesThem()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("kb/kb.atlas", """
            knowledge handbook {
              sources = ["docs/*.md"]
            }

            workflow ask(question: string) -> Passage[] {
              found = handbook.search(question)
              return found
            }
            """);
        dir.Write("kb/docs/refunds.md", "# Refunds\n\nMoney back within 30 days of purchase.");
        Assert.Equal(0, Cli.Offline("ingest", file).ExitCode);
        Directory.Delete(Path.Combine(dir.Path, "kb/docs"), recursive: true); // a store deployed without its sources

        var run = Cli.Offline("run", file, "--input", "\"refund\"");
        var ingest = Cli.Offline("ingest", file);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("atlas run: knowledge 'handbook' is up to date (1 documents in ", run.Stderr);
        Assert.Contains("atlas run: sources of 'handbook' matched no files: docs/*.md\n", run.Stderr);
        Assert.Equal("docs/refunds.md", JsonNode.Parse(run.Stdout)![0]!["source"]!.GetValue<string>());
        Assert.Contains("0 added, 0 updated, 0 unchanged, 1 removed", ingest.Stderr); // asked for, an ingest does empty it
    }

    [Fact]
    public async Task Process_EightRunsAtOnceOnAFreshCopy_IngestOnceAndAllAnswerTheSame()
    {
        using var dir = new TempDirectory();
        CopyDirectory(Cli.Example("support-triage"), Path.Combine(dir.Path, "examples/support-triage"), skip: f => f.EndsWith(".db", StringComparison.Ordinal) || f.Contains(".db-", StringComparison.Ordinal));
        var args = new[] { "run", "examples/support-triage/support.atlas", "--workflow", "support", "--input", "@examples/support-triage/ticket.json" };

        var runs = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => AtlasProcess.Run(dir.Path, args))));

        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.Stderr));
        Assert.Single(runs.Select(r => r.Stdout).Distinct());
        var ingestLines = runs.Select(r => r.StderrLines[0]).ToList();
        Assert.Single(ingestLines, l => l.StartsWith("atlas run: knowledge 'handbook' ingested into examples/support-triage/handbook.db: 5 added,", StringComparison.Ordinal));
        Assert.Equal(7, ingestLines.Count(l => l == "atlas run: knowledge 'handbook' is up to date (5 documents in examples/support-triage/handbook.db)"));
    }

    [Fact]
    public void Process_IngestKilledHalfWay_StoreConsistentAndNextIngestCompletesIt()
    {
        const int documents = 120;
        using var dir = new TempDirectory();
        dir.Write("kb/kb.atlas", """
            knowledge notes {
              sources  = ["notes/*.md"]
              chunking = markdown { size = 120 }
            }
            """);
        for (var i = 0; i < documents; i++)
        {
            dir.Write($"kb/notes/note{i:000}.md", $"# Note {i}\n\nThis is note number {i}. It records observation {i * 7 % 13} about subject {i % 17}, seen on day {i % 29}.\n\n## Details\n\nFollow-up {i} is due in {i % 11} days.");
        }

        // Kill it once some documents are written (progress lines come after each one) and well before the end.
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "atlas.exe" : "atlas"))
        {
            ArgumentList = { "ingest", "kb/kb.atlas" },
            WorkingDirectory = dir.Path,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var written = 0;
        using var enough = new ManualResetEventSlim();
        using (var process = Process.Start(start)!)
        {
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line && Regex.Match(line, @"^\[(\d+)/\d+\] added ") is { Success: true } m)
                {
                    written = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                    enough.Set();
                }
            };
            process.OutputDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            Assert.True(enough.Wait(TimeSpan.FromMinutes(2)), "atlas ingest wrote no document within 2 minutes");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.NotEqual(0, process.ExitCode);
        }

        var db = Path.Combine(dir.Path, "kb/notes.db");
        int stored;
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString()))
        {
            connection.Open();
            long Scalar(string sql)
            {
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                var value = command.ExecuteScalar();
                return value is string s ? (s == "ok" ? 1 : -1) : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            }

            Assert.Equal(1, Scalar("PRAGMA integrity_check"));
            Assert.Equal(0, Scalar("SELECT count(*) FROM chunks c WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = c.document_id)"));
            Assert.Equal(0, Scalar("SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id)"));
            Assert.Equal(Scalar("SELECT count(*) FROM chunks"), Scalar("SELECT count(*) FROM chunks_fts"));
            Assert.Equal(Scalar("SELECT count(*) FROM chunks"), Scalar("SELECT count(*) FROM vectors"));
            Assert.Equal(0, Scalar("SELECT count(*) FROM chunks c WHERE NOT EXISTS (SELECT 1 FROM vectors v WHERE v.chunk_id = c.id)"));
            Assert.Equal(0, Scalar("SELECT count(*) FROM meta WHERE key = 'ingest_completed_at'"));
            stored = (int)Scalar("SELECT count(*) FROM documents");
            Assert.Equal(2 * stored, Scalar("SELECT count(*) FROM chunks")); // every stored note whole: its two sections
        }

        Assert.InRange(stored, written, documents - 1);

        var resumed = AtlasProcess.Run(dir.Path, "ingest", "kb/kb.atlas");

        Assert.Equal(0, resumed.ExitCode);
        Assert.Contains($"notes: {documents - stored} added, 0 updated, {stored} unchanged, 0 removed, 0 failed; {2 * (documents - stored)} chunks in ", resumed.Stderr);
        var search = AtlasProcess.Run(dir.Path, "search", "kb/kb.atlas", "follow-up 119 due", "--mode", "keyword", "--top", "1", "--json");
        Assert.Equal("notes/note119.md", JsonNode.Parse(search.Stdout)![0]!["source"]!.GetValue<string>());
    }

    internal static void CopyDirectory(string from, string to, Func<string, bool> skip)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (skip(relative) || relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal)) continue;
            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
