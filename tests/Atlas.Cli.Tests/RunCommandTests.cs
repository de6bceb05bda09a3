using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Atlas.Runtime;

namespace Atlas.Cli.Tests;

/// <summary><c>atlas run</c> on every example, offline on mock: results, events, exit codes.</summary>
public sealed class RunCommandTests
{
    private static readonly string[] Categories = ["billing", "bug", "account", "other"];

    [Fact]
    public void Run_SupportTriage_PrintsTypedReplyAndEveryEvent()
    {
        using var dir = new TempDirectory();
        var events = Path.Combine(dir.Path, "events.jsonl");

        var result = Cli.Offline(
            "run", Cli.Example("support-triage/support.atlas"), "--workflow", "support",
            "--input", "@" + Cli.Example("support-triage/ticket.json"), "--events", events);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var reply = Assert.IsType<JsonObject>(JsonNode.Parse(result.Stdout));
        Assert.Equal(["ticket", "category", "answer"], reply.Select(p => p.Key));
        Assert.Equal("T-1042", (string?)reply["ticket"]);
        Assert.Contains((string?)reply["category"], Categories);
        Assert.False(string.IsNullOrWhiteSpace((string?)reply["answer"]));
        Assert.Contains("\n  \"ticket\": \"T-1042\",\n", result.Stdout); // indented

        var log = File.ReadAllLines(events).Select(l => AtlasEventJson.DeserializeEvent(l)!).ToList();
        Assert.IsType<RunStarted>(log[0]);
        var completed = Assert.IsType<RunCompleted>(log[^1]);
        Assert.True(completed.Succeeded);
        Assert.True(completed.Usage.TotalTokens > 0);
        Assert.All(log, e => Assert.Equal(log[0].RunId, e.RunId));
        foreach (var step in new[] { "triage", "context", "answer" })
        {
            var started = log.FindIndex(e => e is StepStarted && e.Step == step);
            var done = log.FindIndex(e => e is StepCompleted && e.Step == step);
            Assert.True(started > 0 && done > started, $"step {step}: started at {started}, completed at {done}");
        }

        // answer reads triage and context: it starts only after both are done.
        var answerStarted = log.FindIndex(e => e is StepStarted && e.Step == "answer");
        Assert.True(log.FindIndex(e => e is StepCompleted && e.Step == "triage") < answerStarted);
        Assert.True(log.FindIndex(e => e is StepCompleted && e.Step == "context") < answerStarted);
        Assert.Contains(log, e => e is TokenEmitted && e.Step == "triage");
        Assert.Contains(log, e => e is ProviderSelected { Provider: "offline" });

        Assert.Contains("run support (", result.Stderr);
        Assert.Contains("  triage", result.Stderr);
        Assert.Contains("done in", result.Stderr);
    }

    public static TheoryData<string, string, string, string> Workflows => new()
    {
        { "support-triage/support.atlas", "support", "@support-triage/ticket.json", "Reply" },
        { "support-triage/support.atlas", "triage_all", "@support-triage/tickets.json", "Triage[]" },
        { "document-digest/digest.atlas", "review", """{"id": "D-1", "title": "Lease", "body": "The lease ends in May."}""", "Summary" },
        { "document-digest/digest.atlas", "digest", "@document-digest/docs.json", "Digest" },
        { "document-digest-yaml/digest.atlas.yaml", "digest", "@document-digest-yaml/docs.json", "Digest" },
        { "research-assistant/research.atlas", "answer_question", "@research-assistant/question.json", "Finding" },
        { "research-assistant/research.atlas", "research", "@research-assistant/request.json", "Report" },
        { "dispatch/dispatch.atlas", "dispatch", "@dispatch/request.json", "Resolution" },
    };

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Run_EveryExampleWorkflow_ReturnsAValueOfItsDeclaredType(string file, string workflow, string input, string returns)
    {
        var result = Cli.Offline("run", Cli.Example(file), "--workflow", workflow, "--input", input.StartsWith('@') ? "@" + Cli.Example(input[1..]) : input);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var value = JsonNode.Parse(result.Stdout);
        var model = Atlas.Compiler.AtlasCompiler.Compile(Cli.ExampleFiles(Path.GetDirectoryName(file)!).Select(f => new Atlas.Compiler.Text.SourceFile(f, File.ReadAllText(f)))).Model;
        var declared = model.Workflows.Single(w => w.Name == workflow).Returns;
        Assert.Equal(returns, declared.ToString());

        // Canonical: conforming the printed result to its type changes nothing.
        var shapes = new Atlas.Interpreter.TypeShapes(model);
        Assert.Equal(value!.ToJsonString(), shapes.Conform(value, declared)!.ToJsonString());
        Assert.EndsWith("\n", result.Stdout);
    }

    [Fact]
    public void Run_TriageAll_ReturnsOneTriagePerTicketInOrder()
    {
        var result = Cli.Offline("run", Cli.Example("support-triage/support.atlas"), "-w", "triage_all", "-i", "@" + Cli.Example("support-triage/tickets.json"));

        Assert.True(result.ExitCode == 0, result.Stderr);
        var triages = Assert.IsType<JsonArray>(JsonNode.Parse(result.Stdout));
        Assert.Equal(3, triages.Count);
        Assert.All(triages, t =>
        {
            Assert.Contains((string?)t!["category"], Categories);
            Assert.InRange((int)t["urgency"]!, int.MinValue, int.MaxValue);
            Assert.IsType<JsonArray>(t["tags"]);
            Assert.True(((JsonObject)t).ContainsKey("owner"));
        });
    }

    [Fact]
    public void Run_AtlasAndYamlForms_GiveTheSameResult()
    {
        var atlas = Cli.Offline("run", Cli.Example("document-digest/digest.atlas"), "-w", "digest", "-i", "@" + Cli.Example("document-digest/docs.json"));
        var yaml = Cli.Offline("run", Cli.Example("document-digest-yaml/digest.atlas.yaml"), "-w", "digest", "-i", "@" + Cli.Example("document-digest/docs.json"));

        Assert.Equal(0, atlas.ExitCode);
        Assert.Equal(atlas.Stdout, yaml.Stdout);
    }

    [Fact]
    public void Run_SameInputTwice_IsDeterministic()
    {
        string[] args = ["run", Cli.Example("research-assistant/research.atlas"), "-w", "research", "-i", "@" + Cli.Example("research-assistant/request.json")];

        Assert.Equal(Cli.Offline(args).Stdout, Cli.Offline(args).Stdout);
    }

    [Fact]
    public void Run_SingleWorkflow_NeedsNoWorkflowOption()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("echo.atlas", """
            provider offline { kind = mock }
            agent shout(text: string) -> string {
              model  = offline
              prompt = "Shout {{text}}"
            }
            workflow echo(text: string, times: int) -> string {
              loud = shout(text)
              return loud
            }
            """);

        var result = Cli.Offline("run", file, "--input", """{"text": "hello", "times": 2}""");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.StartsWith("\"", result.Stdout);
    }

    [Fact]
    public void Run_EventsToStdout_AreJsonLinesThenTheResultOnOneLine()
    {
        var result = Cli.Offline("run", Cli.Example("support-triage/support.atlas"), "-w", "support", "-i", "@" + Cli.Example("support-triage/ticket.json"), "--events", "-");

        Assert.Equal(0, result.ExitCode);
        var lines = result.StdoutLines;
        Assert.All(lines[..^1], l => Assert.NotNull(AtlasEventJson.DeserializeEvent(l)));
        Assert.IsType<RunCompleted>(AtlasEventJson.DeserializeEvent(lines[^2]));
        Assert.Equal("T-1042", (string?)JsonNode.Parse(lines[^1])!["ticket"]);
    }

    [Theory]
    [InlineData("""{"id": "1", "body": "b"}""", "atlas run: --input: field \"subject\" is missing")]
    [InlineData("""{"id": "1", "subject": "s", "body": "b", "subjct": "x"}""", "atlas run: --input: unknown field \"subjct\" (Ticket has id, subject, body)")]
    [InlineData("""{"id": 1, "subject": "s", "body": "b"}""", "atlas run: --input: \"id\" must be a string, not a number (1)")]
    [InlineData("""[1, 2]""", "atlas run: --input: the value must be a Ticket (an object), not a list")]
    [InlineData("""{"id": "1",""", "atlas run: --input is not valid JSON: ")]
    public void Run_BadInput_Exits2WithOneClearLine(string input, string expected)
    {
        var result = Cli.Offline("run", Cli.Example("support-triage/support.atlas"), "-w", "support", "-i", input);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(expected, Assert.Single(result.StderrLines));
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void Run_NestedInput_NamesThePathOfTheBadField()
    {
        var result = Cli.Offline("run", Cli.Example("support-triage/support.atlas"), "-w", "triage_all", "-i", """[{"id": "1", "subject": "s", "body": "b"}, {"id": "2", "subject": "s"}]""");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("atlas run: --input: field \"[1].body\" is missing", Assert.Single(result.StderrLines));
    }

    [Fact]
    public void Run_EnumInput_MustBeADeclaredMember()
    {
        var result = Cli.Offline("run", Cli.Example("research-assistant/research.atlas"), "-w", "research", "-i", """{"topic": "t", "depth": "deep"}""");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("atlas run: --input: \"depth\" must be one of quick, thorough, not \"deep\"", Assert.Single(result.StderrLines));
    }

    [Fact]
    public void Run_UsageErrors_Exit2WithOneLine()
    {
        var file = Cli.Example("support-triage/support.atlas");
        var cases = new (string[] Args, string Expected)[]
        {
            (["run", "/no/such/flow.atlas"], "atlas run: '/no/such/flow.atlas' does not exist"),
            (["run", file], "atlas run: " + file + " has 2 workflows (support, triage_all); choose one with --workflow NAME"),
            (["run", file, "-w", "nope"], "atlas run: no workflow 'nope' in " + file + "; it has support, triage_all"),
            (["run", file, "-w", "support"], "atlas run: workflow 'support' needs --input (ticket: Ticket), as JSON or @file.json"),
            (["run", file, "-w", "support", "-i", "@/no/such.json"], "atlas run: --input file '/no/such.json' does not exist"),
            (["run", file, "--frobnicate"], "atlas run: Unrecognized command or argument '--frobnicate'."),
            (["run"], "atlas run: Required argument missing for command: 'run'."),
            (["run", file, "-w", "support", "--output", "x.jsonl"], "atlas run: --output and --parallel go with --batch"),
            (["run", file, "-w", "support", "--batch", "/no/such.jsonl", "--output", "x.jsonl"], "atlas run: --batch file '/no/such.jsonl' does not exist"),
        };

        foreach (var (args, expected) in cases)
        {
            var result = Cli.Offline(args);
            Assert.True(result.ExitCode == 2, string.Join(" ", args) + " → " + result.ExitCode + ": " + result.Stderr);
            Assert.StartsWith(expected, Assert.Single(result.StderrLines));
            Assert.DoesNotContain("   at ", result.Stderr);
        }
    }

    [Fact]
    public void Run_FileWithErrors_PrintsDiagnosticsAndExits1()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("bad.atlas", "workflow w(x: string) -> string {\n  return y\n}\n");

        var result = Cli.Offline("run", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error ATL", result.Stderr);
        Assert.EndsWith("nothing was run", result.StderrLines[^1]);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void Run_StepFails_Exits1WithOneErrorLineNamingTheStep()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("flow.atlas", """
            provider openai {
              kind    = openai
              model   = "gpt-4o-mini"
              api_key = env("OPENAI_API_KEY")
            }
            agent shout(text: string) -> string {
              model  = openai
              prompt = "Shout {{text}}"
            }
            workflow echo(text: string) -> string {
              loud = shout(text)
              return loud
            }
            """);

        var result = Cli.Offline("run", file, "--input", "\"hi\"");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: step 'loud' failed: No provider of provider 'openai' could answer: openai: OPENAI_API_KEY is not set.", result.StderrLines[^1]);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void Run_ProviderTimeout_EndsARequestToAServerThatNeverAnswers_WithOneLineNamingIt()
    {
        // A server that takes the connection and never says a word.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var held = new System.Collections.Concurrent.ConcurrentBag<System.Net.Sockets.Socket>();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Add(await listener.AcceptSocketAsync());
                }
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // The listener stopped.
            }
        });
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var dir = new TempDirectory();
        var file = dir.Write("flow.atlas", $$$"""
            provider slow {
              kind     = openai_compatible
              model    = "m"
              endpoint = "http://127.0.0.1:{{{port}}}/v1"
              timeout  = 1s
            }
            agent shout(text: string) -> string {
              model  = slow
              prompt = "Shout {{text}}"
            }
            workflow echo(text: string) -> string {
              loud = shout(text)
              return loud
            }
            """);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = Cli.Run("run", file, "--input", "\"hi\"");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: step 'loud' failed: No provider of provider 'slow' could answer: slow: openai_compatible provider 'slow' did not finish its reply within its timeout of 1s.", result.StderrLines[^1]);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20));
        listener.Stop();
        foreach (var socket in held)
        {
            socket.Dispose();
        }
    }

    [Fact]
    public void Run_WorkflowCallingAToolWithoutTools_Exits2NamingItAndHowToSupplyIt()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("flow.atlas", """
            tool lookup(id: string) -> string
            workflow find(id: string) -> string {
              found = lookup(id)
              return found
            }
            """);

        var result = Cli.Offline("run", file, "--input", "\"A-1\"");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("atlas run: tool 'lookup' (called by find.found) has no implementation; supply it with --tools PATH.dll", result.StderrLines[^1]);
    }

    [Fact]
    public void Run_SwitchForAndObjects_EvaluateLikeGeneratedCode()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("flow.atlas", """
            enum Level { low, high }
            type Item {
              name:  string
              score: float
              level: Level
              note:  string?
            }
            workflow shape(names: string[], n: int, loud: bool) -> Item[] {
              level = switch n {
                0 => Level.low
                _ => Level.high
              }
              tone = switch loud {
                true  => "LOUD"
                false => "quiet"
              }
              items = for x in names parallel 2 => Item { name = x, score = 1, level = level }
              extra = [Item { name = tone, score = 2.5, level = Level.low, note = "n" }]
              return extra
            }
            """);

        var result = Cli.Offline("run", file, "--input", """{"names": ["a", "b"], "n": 3, "loud": true}""");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("""[{"name":"LOUD","score":2.5,"level":"low","note":"n"}]""", JsonNode.Parse(result.Stdout)!.ToJsonString());
    }

    [Fact]
    public void Run_ReturnThatCallsAnAgent_RunsAsAStepNamedReturn()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("flow.atlas", """
            provider offline { kind = mock }
            agent shout(text: string) -> string {
              model  = offline
              prompt = "Shout {{text}}"
            }
            workflow echo(text: string) -> string {
              return shout(text)
            }
            """);
        var events = Path.Combine(dir.Path, "events.jsonl");

        var result = Cli.Offline("run", file, "--input", "\"hi\"", "--events", events);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains(File.ReadAllLines(events), l => l.Contains("\"step_completed\"") && l.Contains("\"step\":\"return\""));
    }

    [Fact]
    public void Help_Run_HasExamplesAndExitCodes()
    {
        var result = Cli.Run("run", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("atlas run <FILE> [options]", result.Stdout);
        Assert.Contains("--batch", result.Stdout);
        Assert.Contains("Examples:\n  atlas run examples/support-triage/support.atlas --workflow support --input @examples/support-triage/ticket.json", result.Stdout);
        Assert.Contains("Exit codes:", result.Stdout);
    }
}
