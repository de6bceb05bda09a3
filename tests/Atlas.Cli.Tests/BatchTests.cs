using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Atlas.Cli.Tests;

/// <summary><c>atlas run --batch</c>: one output line per input line, in input order, errors as records, flat memory.</summary>
public sealed class BatchTests
{
    /// <summary>A workflow whose result carries its input's id, on a mock with no latency.</summary>
    internal const string EchoFlow = """
        provider offline {
          kind    = mock
          latency = 0ms
        }
        enum Mood { happy, sad }
        type Note {
          id:   string
          text: string
        }
        type Verdict {
          id:      string
          mood:    Mood
          summary: string
        }
        type Judgement {
          mood:    Mood
          summary: string
        }
        agent judge(note: Note) -> Judgement {
          model  = offline
          prompt = "Judge {{note.id}}: {{note.text}}"
        }
        workflow judge_one(note: Note) -> Verdict {
          judged = judge(note)
          return Verdict { id = note.id, mood = judged.mood, summary = judged.summary }
        }
        """;

    [Fact]
    public void Batch_BadLines_BecomeErrorRecordsAndTheRestGoOn()
    {
        using var dir = new TempDirectory();
        var flow = dir.Write("flow.atlas", EchoFlow);
        var input = dir.Write("in.jsonl", string.Join("\n",
            """{"id": "a", "text": "first"}""",
            """{not json""",
            """{"id": "c"}""",
            "",
            """{"id": "e", "text": "fifth"}""",
            """["wrong"]""") + "\n");
        var output = Path.Combine(dir.Path, "out.jsonl");

        var result = Cli.Offline("run", flow, "--batch", input, "--output", output, "--parallel", "3");

        Assert.Equal(1, result.ExitCode); // some lines failed
        var lines = File.ReadAllLines(output);
        Assert.Equal(5, lines.Length); // the blank line is skipped
        Assert.Equal("a", (string?)JsonNode.Parse(lines[0])!["id"]);
        Assert.StartsWith("""{"line":2,"error":"not valid JSON: """, lines[1]);
        Assert.Equal("""{"line":3,"error":"input: field \"text\" is missing"}""", lines[2]);
        Assert.Equal("e", (string?)JsonNode.Parse(lines[3])!["id"]);
        Assert.Equal("""{"line":6,"error":"input: the value must be a Note (an object), not a list"}""", lines[4]);
        Assert.Contains("batch done: 5 lines · 2 ok · 3 failed", result.Stderr);
    }

    [Fact]
    public void Batch_FailedRun_IsAnErrorRecordWithItsLine()
    {
        using var dir = new TempDirectory();
        var flow = dir.Write("flow.atlas", """
            provider offline { kind = mock }
            tool lookup(id: string) -> string
            agent shout(text: string) -> string {
              model  = offline
              prompt = "Shout {{text}}"
            }
            workflow pick(id: string) -> string {
              found = switch id {
                "tool" => lookup(id)
                _      => shout(id)
              }
              return found
            }
            """);
        var input = dir.Write("in.jsonl", "\"x\"\n\"tool\"\n\"y\"\n");
        var output = Path.Combine(dir.Path, "out.jsonl");
        var tools = ToolAssemblies.Build(dir.Path, "FailingTools", """
            public static class Lookup
            {
                public static string lookup(string id) => throw new System.InvalidOperationException("no record " + id);
            }
            """);

        var result = Cli.Offline("run", flow, "--batch", input, "--output", output, "--tools", tools);

        Assert.Equal(1, result.ExitCode);
        var lines = File.ReadAllLines(output);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("\"", lines[0]);
        Assert.StartsWith("""{"line":2,"error":"step 'found' failed: no record tool""", lines[1]);
        Assert.StartsWith("\"", lines[2]);
    }

    [Fact]
    public void Batch_ManyLines_ComeOutInInputOrder()
    {
        using var dir = new TempDirectory();
        var flow = dir.Write("flow.atlas", EchoFlow);
        var input = dir.Write("in.jsonl", Lines(2000));
        var output = Path.Combine(dir.Path, "out.jsonl");
        var events = Path.Combine(dir.Path, "events.jsonl");

        var result = Cli.Offline("run", flow, "--batch", input, "--output", output, "--parallel", "16", "--events", events);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var ids = File.ReadLines(output).Select(l => (string?)JsonNode.Parse(l)!["id"]).ToList();
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => i.ToString(CultureInfo.InvariantCulture)), ids);
        Assert.Equal(2000, File.ReadLines(events).Count(l => l.StartsWith("""{"type":"run_completed""", StringComparison.Ordinal)));
        Assert.Matches(@"batch done: 2,000 lines · 2,000 ok · 0 failed · [\d,]+ tokens · \$0\.000000 · ", result.Stderr);
    }

    /// <summary>
    /// A batch continued after its workflow was edited: the lines its output holds stay, the others are results of the
    /// workflow as it is now, not runs of the earlier version that the store recorded.
    /// </summary>
    [Fact]
    public void Batch_ResumeAfterTheWorkflowChanged_RunsTheLinesNotWrittenWithTheNewWorkflow()
    {
        using var dir = new TempDirectory();
        var flow = dir.Write("flow.atlas", EchoFlow);
        var input = dir.Write("in.jsonl", Lines(3));
        var output = Path.Combine(dir.Path, "out.jsonl");
        var store = Path.Combine(dir.Path, "runs.db");
        var first = Cli.Offline("run", flow, "--batch", input, "--output", output, "--store", store);
        var before = File.ReadAllLines(output);
        // As a kill before its last two lines were written would leave it; then the prompt changes.
        File.WriteAllText(output, before[0] + "\n");
        dir.Write("flow.atlas", EchoFlow.Replace("Judge {{note.id}}", "Judge carefully {{note.id}}", StringComparison.Ordinal));
        var fresh = Path.Combine(dir.Path, "fresh.jsonl");
        Assert.Equal(0, Cli.Offline("run", flow, "--batch", input, "--output", fresh, "--no-record").ExitCode);

        var resumed = Cli.Offline("run", flow, "--batch", input, "--output", output, "--store", store, "--resume");

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        var after = File.ReadAllLines(fresh);
        Assert.NotEqual(before[1..], after[1..]); // the edit changes the results
        Assert.Equal([before[0], .. after[1..]], File.ReadAllLines(output));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Batch_100kLines_RunWithFlatMemory()
    {
        using var dir = new TempDirectory();
        var flow = dir.Write("flow.atlas", EchoFlow);
        var small = dir.Write("10k.jsonl", Lines(10_000));
        var large = dir.Write("100k.jsonl", Lines(100_000));

        // Memory, not the run store, is what this measures (recording costs time: see the benchmarks README).
        var smallRun = AtlasProcess.Run(dir.Path, "run", flow, "--batch", small, "--output", Path.Combine(dir.Path, "10k.out"), "--parallel", "8", "--no-record");
        var largeRun = AtlasProcess.Run(dir.Path, "run", flow, "--batch", large, "--output", Path.Combine(dir.Path, "100k.out"), "--parallel", "8", "--no-record");

        Assert.True(smallRun.ExitCode == 0, smallRun.Stderr);
        Assert.True(largeRun.ExitCode == 0, largeRun.Stderr);
        Assert.Equal(100_000, File.ReadLines(Path.Combine(dir.Path, "100k.out")).Count());
        double smallPeak = PeakMegabytes(smallRun.Stderr), largePeak = PeakMegabytes(largeRun.Stderr);

        // Ten times the lines, (nearly) the same memory: nothing grows with the input.
        Assert.True(largePeak < smallPeak * 1.35 + 10, $"peak memory: {smallPeak} MB for 10k lines, {largePeak} MB for 100k");
    }

    internal static string Lines(int count)
    {
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
            text.Append(CultureInfo.InvariantCulture, $$"""{"id": "{{i}}", "text": "note {{i}} is about the weather"}""").Append('\n');
        return text.ToString();
    }

    private static double PeakMegabytes(string stderr) =>
        double.Parse(Regex.Match(stderr, @"peak memory ([\d,]+) MB").Groups[1].Value.Replace(",", ""), CultureInfo.InvariantCulture);
}
