using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using System.Xml.Linq;

namespace Atlas.Cli.Tests;

/// <summary><c>atlas graph</c>, <c>atlas providers</c>, <c>atlas chat</c> and <c>atlas new</c>.</summary>
public sealed class ToolCommandsTests
{
    private const string ChatFlow = """
        provider offline { kind = mock }
        provider backup {
          kind    = mock
          latency = 1ms
        }
        route either {
          strategy = fallback
          use      = [offline, backup]
        }
        agent assistant(question: string) -> string {
          model  = either
          prompt = "Answer briefly: {{question}}"
        }
        """;

    [Fact]
    public void Graph_Mermaid_ShowsSwitchCasesStepKindsAndRoutes()
    {
        var result = Cli.Run("graph", Cli.Example("support-triage/support.atlas"), "--workflow", "support");

        Assert.Equal(0, result.ExitCode);
        var lines = result.StdoutLines;
        Assert.Equal("flowchart TD", lines[0]);
        Assert.Contains("  param_ticket([\"ticket: Ticket\"])", lines);
        Assert.Contains("  step_triage[\"triage<br/>agent classifier on smart\"]", lines);
        Assert.Contains("  step_context[(\"context<br/>search handbook, top 5\")]", lines);
        Assert.Contains("  step_answer{\"answer<br/>switch triage.category\"}", lines);
        Assert.Contains("  step_answer -->|\"billing\"| step_answer_0", lines);
        Assert.Contains("  step_answer -->|\"_\"| step_answer_1", lines);
        Assert.Contains("  step_triage --> step_answer", lines);
        Assert.Contains("  step_context --> step_answer", lines);
        Assert.Contains("  step_answer_1 --> return_value", lines);
        Assert.Contains("  subgraph route [route]", lines);
        Assert.Contains("    route_smart -->|\"4\"| provider_offline", lines);
        Assert.Contains("  step_triage -.-> route_smart", lines);
    }

    [Fact]
    public void Graph_Mermaid_ShowsTheToolsAndDelegatesAnAgentMayCall()
    {
        var result = Cli.Run("graph", Cli.Example("support-triage/support.atlas"), "--workflow", "support");

        Assert.Equal(0, result.ExitCode);
        var lines = result.StdoutLines;
        Assert.Contains("  subgraph calls [\"at the model's choice\"]", lines);
        Assert.Contains("    tool_lookup_order[/\"tool lookup_order\"/]", lines);
        Assert.Contains("    agent_billing_expert[\"agent billing_expert on smart\"]", lines);
        Assert.Contains("  step_answer_1 -.->|\"may call\"| tool_lookup_order", lines);
        Assert.Contains("  step_answer_1 -.->|\"delegates\"| agent_billing_expert", lines);
        Assert.Contains("  agent_billing_expert -.-> route_smart", lines);
    }

    [Fact]
    public void Graph_Plan_PrintsTheLoweredNodesWithTheirFingerprints()
    {
        var result = Cli.Run("graph", Cli.Example("support-triage/support.atlas"), "-w", "triage_all", "--format", "plan");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^workflow triage_all\(tickets: Ticket\[\]\) -> Triage\[\] · fingerprint [0-9a-f]{16}\n", result.Stdout);
        Assert.Contains("    for t in tickets parallel 8 => classifier(t) per item with { retry = 3, timeout = 20s }", result.StdoutLines);
        Assert.Contains("  result results after results", result.StdoutLines);
    }

    [Fact]
    public void Graph_Dot_ShowsForParallelismAndPolicy()
    {
        var result = Cli.Run("graph", Cli.Example("support-triage/support.atlas"), "-w", "triage_all", "--format", "dot");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("digraph \"triage_all\" {\n", result.Stdout);
        Assert.Contains("  step_results [shape=hexagon, label=\"results\\nfor t in tickets, parallel 8\\n→ agent classifier on smart\\nwith retry 3, timeout 20s\"];\n", result.Stdout);
        Assert.Contains("  param_tickets -> step_results;\n", result.Stdout);
        Assert.Contains("  step_results -> return_value;\n", result.Stdout);
        Assert.Contains("  subgraph cluster_route {\n", result.Stdout);
        Assert.EndsWith("}\n", result.Stdout);
    }

    [Fact]
    public void Graph_CalledWorkflow_ShowsTheRoutesOfItsAgents()
    {
        var result = Cli.Run("graph", Cli.Example("research-assistant/research.atlas"), "-w", "research");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("→ workflow answer_question<br/>with timeout 2m", result.Stdout);
        Assert.Contains("  step_findings -.-> route_bulk", result.StdoutLines);
        Assert.Contains("  step_report -->|\"thorough\"| step_report_1", result.StdoutLines);
    }

    [Fact]
    public void Graph_HumanCall_IsANodeOfItsOwnWithItsTimeout()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("review.atlas", """
            provider offline { kind = mock }
            agent writer(to: string) -> string {
              model  = offline
              prompt = "Write to {{to}}"
            }
            human approver(text: string) -> bool {
              prompt  = "Send {{text}}?"
              timeout = 24h
            }
            workflow review(to: string) -> bool {
              draft = writer(to)
              ok    = approver(draft)
              return ok
            }
            """);

        var mermaid = Cli.Run("graph", file, "-w", "review");
        Assert.Equal(0, mermaid.ExitCode);
        Assert.Contains("  step_ok((\"ok<br/>human approver, timeout 24h\"))", mermaid.StdoutLines);
        Assert.Contains("  step_draft --> step_ok", mermaid.StdoutLines);

        var dot = Cli.Run("graph", file, "-w", "review", "--format", "dot");
        Assert.Contains("  step_ok [shape=egg, label=\"ok\\nhuman approver, timeout 24h\"];\n", dot.Stdout);

        var plan = Cli.Run("graph", file, "-w", "review", "--format", "plan");
        Assert.Contains("  uses calls human approver, agent writer", plan.StdoutLines);
        Assert.Contains("    approver(draft)", plan.StdoutLines);
    }

    [Theory]
    [InlineData("--format", "svg")]
    [InlineData("--bogus", "x")]
    public void Graph_BadOption_Exits2WithOneLine(string option, string value)
    {
        var result = Cli.Run("graph", Cli.Example("support-triage/support.atlas"), "-w", "support", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("atlas graph: ", Assert.Single(result.StderrLines));
    }

    [Fact]
    public void Providers_UnsetKey_SaysWhichVariableAndNeverAValue()
    {
        var result = Cli.Offline("providers", Cli.Example("support-triage/support.atlas"));

        Assert.Equal(0, result.ExitCode);
        var lines = result.StdoutLines;
        Assert.StartsWith("provider  kind", lines[0]);
        var openai = lines.Single(l => l.StartsWith("openai ", StringComparison.Ordinal));
        Assert.Contains("gpt-4o-mini", openai);
        Assert.Contains("unavailable: OPENAI_API_KEY is not set", openai);
        Assert.Contains("chat, tools, json", openai);
        Assert.Contains("0.15 / 0.60", openai);
        Assert.Contains("available", lines.Single(l => l.StartsWith("offline ", StringComparison.Ordinal)));
        Assert.Contains("  smart: fallback over openai, claude, local, offline · require json · retry 2 · timeout 30s · usable now: offline", lines);
    }

    [Fact]
    public async System.Threading.Tasks.Task Providers_KeySet_IsAvailableAndTheKeyIsNotPrinted()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        const string secret = "sk-test-0123456789abcdef";
        var exit = await AtlasCli.RunAsync(
            ["providers", Cli.Example("support-triage/support.atlas")],
            new CliEnvironment { Output = stdout, Error = stderr, GetEnvironmentVariable = name => name == "OPENAI_API_KEY" ? secret : null });

        Assert.Equal(0, exit);
        Assert.Contains("available", stdout.ToString().Split('\n').Single(l => l.StartsWith("openai ", StringComparison.Ordinal)));
        Assert.DoesNotContain(secret, stdout + stderr.ToString());
    }

    private const string CredentialsFlow = """
        provider local {
          kind     = openai_compatible
          endpoint = "http://admin:hunter2@127.0.0.1:1/v1"
          model    = "m"
        }
        provider olla {
          kind     = ollama
          endpoint = "http://admin:hunter2@127.0.0.1:1/"
          model    = "m"
        }
        provider offline { kind = mock }
        agent a(x: string) -> string {
          model  = local
          prompt = "hi {{x}}"
        }
        agent b(x: string) -> string {
          model  = olla
          prompt = "hi {{x}}"
        }
        workflow via_local(x: string) -> string {
          r = a(x)
          return r
        }
        workflow via_ollama(x: string) -> string {
          r = b(x)
          return r
        }
        """;

    [Fact]
    public void Providers_EndpointWithCredentials_ThePasswordIsPrintedNowhere()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("cred.atlas", CredentialsFlow);
        var events = Path.Combine(dir.Path, "events.jsonl");

        var list = Cli.Run("providers", file);
        var ping = Cli.Run("providers", file, "--ping");
        var runs = new[] { Cli.Run("run", file, "-w", "via_local", "-i", "\"x\"", "--events", events), Cli.Run("run", file, "-w", "via_ollama", "-i", "\"x\"") };

        Assert.Equal(0, list.ExitCode);
        Assert.Contains("available at http://***@127.0.0.1:1/v1", list.StdoutLines.Single(l => l.StartsWith("local ", StringComparison.Ordinal)));
        Assert.Contains("available at http://***@127.0.0.1:1/", list.StdoutLines.Single(l => l.StartsWith("olla ", StringComparison.Ordinal)));
        Assert.Equal(1, ping.ExitCode);
        Assert.Contains("failed: ", ping.StdoutLines.Single(l => l.StartsWith("local ", StringComparison.Ordinal)));
        Assert.All(runs, run => Assert.Equal(1, run.ExitCode));
        foreach (var text in new[] { list.Stdout, list.Stderr, ping.Stdout, ping.Stderr, File.ReadAllText(events) }.Concat(runs.SelectMany(r => new[] { r.Stdout, r.Stderr })))
        {
            Assert.DoesNotContain("hunter2", text);
            Assert.DoesNotContain("admin:", text);
        }
    }

    [Fact]
    public void Providers_Cost_NoneDeclaredIsSaidSo_TheMockIsFree()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("cost.atlas", CredentialsFlow);

        var result = Cli.Offline("providers", file);

        Assert.Equal(0, result.ExitCode);
        Assert.EndsWith("no cost declared", result.StdoutLines.Single(l => l.StartsWith("local ", StringComparison.Ordinal)));
        Assert.EndsWith("free", result.StdoutLines.Single(l => l.StartsWith("offline ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Providers_Ping_MockAnswersAndUnavailableIsSkipped()
    {
        var result = Cli.Offline("providers", Cli.Example("research-assistant/research.atlas"), "--ping");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^offline .* ok \(\d+ ms\)$", result.StdoutLines.Single(l => l.StartsWith("offline ", StringComparison.Ordinal)));
        Assert.EndsWith("not pinged (unavailable)", result.StdoutLines.Single(l => l.StartsWith("groq ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Chat_PipedLines_StreamRepliesKeepHistoryAndHandleCommands()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("chat.atlas", ChatFlow);

        var result = Cli.OfflineWithInput(
            "Hello there\nWhat did I just say?\n/model nope\n/model backup\n/reset\n\nagain\n/exit\nnever read\n",
            "chat", file, "--agent", "assistant");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var replies = result.StdoutLines;
        Assert.Equal(3, replies.Length);
        Assert.Contains("Answer briefly Hello there", replies[0]);
        Assert.Contains("Conversation so far User Hello there", replies[1]); // the second turn sees the first
        Assert.Contains("Answer briefly again", replies[2]);                 // /reset forgot both
        Assert.Contains("no provider or route 'nope'; choose from backup, offline, either", result.Stderr);
        Assert.Contains("model: backup", result.Stderr);
        Assert.Contains("conversation forgotten", result.Stderr);
        Assert.DoesNotContain("never read", result.Stdout);
    }

    [Fact]
    public void Chat_EndOfInput_ExitsCleanly()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("chat.atlas", ChatFlow);

        var result = Cli.OfflineWithInput("one question", "chat", file, "--agent", "assistant");

        Assert.Equal(0, result.ExitCode);
        Assert.Single(result.StdoutLines);
    }

    [Fact]
    public void Chat_AgentWithoutOneStringParameter_Exits2()
    {
        var result = Cli.OfflineWithInput("", "chat", Cli.Example("support-triage/support.atlas"), "--agent", "classifier");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("atlas chat: agent 'classifier' takes (ticket: Ticket); atlas chat needs an agent with one string parameter for your lines", Assert.Single(result.StderrLines));
    }

    [Fact]
    public void Chat_UnknownAgentOrMissingOption_Exits2()
    {
        var unknown = Cli.OfflineWithInput("", "chat", Cli.Example("support-triage/support.atlas"), "--agent", "nobody");
        var missing = Cli.OfflineWithInput("", "chat", Cli.Example("support-triage/support.atlas"));

        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith("atlas chat: no agent 'nobody' in ", Assert.Single(unknown.StderrLines));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--agent", Assert.Single(missing.StderrLines));
    }

    [Fact]
    public void New_Scaffold_ChecksCleanAndRunsAtOnce()
    {
        using var dir = new TempDirectory();
        var target = Path.Combine(dir.Path, "hello-atlas");

        var created = Cli.Run("new", target);

        Assert.Equal(0, created.ExitCode);
        Assert.Equal(
            [".gitignore", "Program.cs", "README.md", "hello-atlas.csproj", "hello_atlas.atlas", "input.json"],
            Directory.GetFiles(target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var project = File.ReadAllText(Path.Combine(target, "hello-atlas.csproj"));
        Assert.Contains("<PackageReference Include=\"Atlas.Generators\"", project);
        Assert.Contains("<PackageReference Include=\"Atlas.Runtime\"", project);
        Assert.Contains("<RootNamespace>HelloAtlas</RootNamespace>", project);
        Assert.Contains("namespace HelloAtlas;", File.ReadAllText(Path.Combine(target, "Program.cs")));

        var atlas = Path.Combine(target, "hello_atlas.atlas");
        var check = Cli.Run("check", atlas);
        Assert.Equal("checked 1 file: no errors\n", check.Stdout);

        var run = Cli.Offline("run", atlas, "--input", "@" + Path.Combine(target, "input.json"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        var answer = JsonNode.Parse(run.Stdout)!;
        Assert.Contains((string?)answer["analysis"]!["sentiment"], new[] { "positive", "mixed", "negative" });
        Assert.False(string.IsNullOrEmpty((string?)answer["reply"]));
    }

    [Fact]
    public async Task New_ToolCarriesThePackages_NuGetConfigNamesItsFeedAndTheProjectItsVersion()
    {
        using var dir = new TempDirectory();
        var feed = dir.CreateDirectory("tool/feed");
        dir.Write("tool/feed/Atlas.Generators.2.3.4-preview.1.nupkg");
        dir.Write("tool/feed/Atlas.Runtime.2.3.4-preview.1.nupkg");
        var target = Path.Combine(dir.Path, "demo");
        var stdout = new StringWriter { NewLine = "\n" };
        var environment = new CliEnvironment { Output = stdout, Error = new StringWriter(), PackageFeed = feed };

        var exitCode = await AtlasCli.RunAsync(["new", target], environment);

        Assert.Equal(0, exitCode);
        var config = XDocument.Load(Path.Combine(target, "nuget.config"));
        var source = Assert.Single(config.Descendants("packageSources").Elements());
        Assert.Equal(("add", "atlas", feed), (source.Name.LocalName, (string?)source.Attribute("key"), (string?)source.Attribute("value")));
        Assert.Empty(config.Descendants("clear")); // the user's own sources stay, for every other package
        var project = File.ReadAllText(Path.Combine(target, "demo.csproj"));
        Assert.Contains("<PackageReference Include=\"Atlas.Generators\" Version=\"2.3.4-preview.1\" PrivateAssets=\"all\" />", project);
        Assert.Contains("<PackageReference Include=\"Atlas.Runtime\" Version=\"2.3.4-preview.1\" />", project);
        Assert.Contains("nuget.config", stdout.ToString());
    }

    [Fact]
    public async Task New_NoPackagesCarried_NoNuGetConfig()
    {
        using var dir = new TempDirectory();
        dir.Write("tool/feed/Atlas.Runtime.2.3.4.nupkg"); // the generator is missing: not a usable feed
        var target = Path.Combine(dir.Path, "demo");
        var environment = new CliEnvironment { Output = new StringWriter(), Error = new StringWriter(), PackageFeed = Path.Combine(dir.Path, "tool/feed") };

        var exitCode = await AtlasCli.RunAsync(["new", target], environment);

        Assert.Equal(0, exitCode);
        Assert.False(File.Exists(Path.Combine(target, "nuget.config")));
        Assert.DoesNotContain("2.3.4", File.ReadAllText(Path.Combine(target, "demo.csproj")));
    }

    [Theory]
    [InlineData("1abc", "is not a usable project name")]
    [InlineData("a b", "is not a usable project name")]
    public void New_BadName_Exits2(string name, string expected)
    {
        var result = Cli.Run("new", name);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, Assert.Single(result.StderrLines));
    }

    [Fact]
    public void New_ExistingFolder_Exits2AndTouchesNothing()
    {
        using var dir = new TempDirectory();
        dir.Write("taken/keep.txt", "mine");

        var result = Cli.Run("new", Path.Combine(dir.Path, "taken"));

        Assert.Equal(2, result.ExitCode);
        Assert.EndsWith("already exists", Assert.Single(result.StderrLines));
        Assert.Equal(["keep.txt"], Directory.GetFiles(Path.Combine(dir.Path, "taken")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("run")]
    [InlineData("chat")]
    [InlineData("graph")]
    [InlineData("providers")]
    [InlineData("new")]
    public void Help_EveryCommand_HasAnExample(string command)
    {
        var result = Cli.Run(command, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Examples:\n  atlas " + command + " ", result.Stdout);
        Assert.Contains("Exit codes:", result.Stdout);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("chat")]
    [InlineData("graph")]
    [InlineData("providers")]
    public void MissingFile_EveryCommand_Exits2WithOneLine(string command)
    {
        var result = command == "chat"
            ? Cli.Offline(command, "/no/such/file.atlas", "--agent", "x")
            : Cli.Offline(command, "/no/such/file.atlas");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"atlas {command}: '/no/such/file.atlas' does not exist", Assert.Single(result.StderrLines));
    }
}
