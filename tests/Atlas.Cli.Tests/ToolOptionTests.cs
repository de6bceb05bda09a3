using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Atlas.Cli.Tests;

/// <summary><c>atlas run --tools</c> and <c>mcp</c> blocks: tools from an assembly or a real MCP server, and every way of failing.</summary>
public sealed class ToolOptionTests : IDisposable
{
    private const string Flow = """
        provider model {
          kind     = mock
          supports = [chat, tools, json]
        }

        tool lookup_order(order_id: string) -> string

        agent support(question: string) -> string {
          model  = model
          tools  = [lookup_order]
          prompt = "{{question}}"
        }

        workflow status(order_id: string) -> string {
          status = lookup_order(order_id)
          return status
        }

        workflow ask(question: string) -> string {
          answer = support(question)
          return answer
        }
        """;

    // The tool calls into a second assembly next to it: loading it proves dependencies resolve from the tools' folder.
    private const string HelperSource = """
        namespace Helpers;
        public static class Format
        {
            public static string Status(string id) => $"order {id}: shipped";
        }
        """;

    private const string ToolsSource = """
        using Atlas.Runtime;
        namespace Shop;
        public static class OrderTools
        {
            [AtlasTool("lookup_order")]
            public static string Find(string orderId) => Helpers.Format.Status(orderId);
        }
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Run_StepCallsAToolFromTheAssembly_PrintsItsResult()
    {
        var flow = _dir.Write("flow.atlas", Flow);
        var tools = BuildShopTools();

        var result = Run(null, "run", flow, "-w", "status", "-i", "\"A-7\"", "--tools", tools);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("order A-7: shipped", (string?)JsonNode.Parse(result.Stdout));
    }

    [Fact]
    public void Run_InstanceMethodNamedLikeTheTool_IsUsedWithoutTheAttribute()
    {
        var flow = _dir.Write("flow.atlas", Flow);
        var tools = ToolAssemblies.Build(_dir.Path, "Orders", """
            using System.Threading;
            using System.Threading.Tasks;
            namespace Shop;
            public sealed class Orders
            {
                private int _calls;
                public Task<string> LookupOrderAsync(string orderId, CancellationToken cancellationToken) => Task.FromResult($"{orderId} via instance, call {++_calls}");
            }
            """);

        var result = Run(null, "run", flow, "-w", "status", "-i", "\"B-2\"", "--tools", tools);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("B-2 via instance, call 1", (string?)JsonNode.Parse(result.Stdout));
    }

    [Fact]
    public void Run_TwoToolsOnOneClass_ShareOneInstance()
    {
        var flow = _dir.Write("flow.atlas", """
            tool remember(text: string) -> int
            tool recall(after: int) -> string

            workflow notes(text: string) -> string {
              count  = remember(text)
              recall = recall(count)
              return recall
            }
            """);
        var tools = ToolAssemblies.Build(_dir.Path, "Notebook", """
            using System.Collections.Generic;
            namespace Shop;
            public sealed class Notebook
            {
                private readonly List<string> _notes = new();
                public int Remember(string text) { _notes.Add(text); return _notes.Count; }
                public string Recall(int after) => $"{after}: {string.Join(", ", _notes)}";
            }
            """);

        var result = Run(null, "run", flow, "-i", "\"milk\"", "--tools", tools);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("1: milk", (string?)JsonNode.Parse(result.Stdout));
    }

    [Fact]
    public void Run_AgentCallsTheAssemblyTool_TheModelGetsItsResult()
    {
        var flow = _dir.Write("flow.atlas", Flow);
        var tools = BuildShopTools();
        var model = new OneToolCallClient("lookup_order", new Dictionary<string, object?> { ["order_id"] = "C-3" });

        var result = Run(model, "run", flow, "-w", "ask", "-i", "\"where is C-3?\"", "--tools", tools);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("tool said: order C-3: shipped", (string?)JsonNode.Parse(result.Stdout));
    }

    [Fact]
    public void Run_ModelSendsAnArgumentOfTheWrongType_GetsAnErrorNamingIt()
    {
        var flow = _dir.Write("flow.atlas", Flow);
        var tools = BuildShopTools();
        var model = new OneToolCallClient("lookup_order", new Dictionary<string, object?> { ["order_id"] = 7 });

        var result = Run(model, "run", flow, "-w", "ask", "-i", "\"where is 7?\"", "--tools", tools);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(
            "tool said: Error: invalid arguments for tool 'lookup_order': argument 'order_id': Value is \"integer\" but should be \"string\"",
            (string?)JsonNode.Parse(result.Stdout));
    }

    [Fact]
    public void Run_StepCallsAToolWithNoImplementation_ExitsWithUsageBeforeRunning()
    {
        var flow = _dir.Write("flow.atlas", Flow);

        var result = Run(null, "run", flow, "-w", "status", "-i", "\"A-7\"");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(
            "atlas run: tool 'lookup_order' (called by status.status) has no implementation; supply it with --tools PATH.dll, public methods marked [AtlasTool(\"lookup_order\")] (see 'atlas run --help')",
            Assert.Single(result.StderrLines, l => !l.Contains("warning", StringComparison.Ordinal)));
        Assert.DoesNotContain("run status", result.Stderr);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public void Run_AgentOfferedAToolWithNoImplementation_WarnsAndRunsWithoutIt()
    {
        var flow = _dir.Write("flow.atlas", Flow);

        var result = Run(null, "run", flow, "-w", "ask", "-i", "\"hello\"");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains(
            "atlas run: warning: tool 'lookup_order' (offered to agent 'support') has no implementation; the model is not offered it (supply it with --tools PATH.dll)",
            result.StderrLines);
    }

    [Fact]
    public void Run_ToolsPathDoesNotExist_ExitsWithUsage()
    {
        var flow = _dir.Write("flow.atlas", Flow);

        var result = Run(null, "run", flow, "-w", "status", "-i", "\"A-7\"", "--tools", Path.Combine(_dir.Path, "Missing.dll"));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal($"atlas run: --tools '{Path.Combine(_dir.Path, "Missing.dll")}' does not exist", Assert.Single(result.StderrLines));
    }

    [Fact]
    public void Run_ToolsFileIsNotAnAssembly_ExitsWithUsage()
    {
        var flow = _dir.Write("flow.atlas", Flow);
        var notes = _dir.Write("Notes.dll", "not an assembly");

        var result = Run(null, "run", flow, "-w", "status", "-i", "\"A-7\"", "--tools", notes);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith($"atlas run: --tools '{notes}' is not a .NET assembly that can be loaded: ", Assert.Single(result.StderrLines));
    }

    [Fact]
    public void Run_ImplementationDoesNotFitTheDeclaration_ExitsWithUsageNamingIt()
    {
        var flow = _dir.Write("flow.atlas", Flow);
        var tools = ToolAssemblies.Build(_dir.Path, "BadTools", """
            using Atlas.Runtime;
            namespace Shop;
            public static class BadTools
            {
                [AtlasTool("lookup_order")]
                public static string Find(int orderId, string region) => "";
            }
            """);

        var result = Run(null, "run", flow, "-w", "status", "-i", "\"A-7\"", "--tools", tools);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(
            "atlas run: --tools: tool 'lookup_order': Shop.BadTools.Find parameter 'orderId' is Int32, but the declaration says string; " +
            "parameter 'region' is not declared (declare it, give it a default, or remove it)",
            Assert.Single(result.StderrLines, l => !l.Contains("warning", StringComparison.Ordinal)));
    }

    private const string SideEffectFlow = """
        provider offline { kind = mock }

        tool lookup_order(order_id: string) -> string { read_only = true }
        tool refund(order_id: string) -> string

        agent support(question: string) -> string {
          model  = offline
          tools  = [lookup_order, refund]
          prompt = "{{question}}"
        }

        workflow ask(question: string) -> string {
          answer = support(question)
          return answer
        }
        """;

    [Fact]
    public void Run_OfflineMock_CallsTheReadOnlyToolOnly_AndRecordsTheOtherAsWouldCall()
    {
        var flow = _dir.Write("flow.atlas", SideEffectFlow);
        var marker = Path.Combine(_dir.Path, "refunded.txt");
        var tools = ToolAssemblies.Build(_dir.Path, "SideEffects", $$""""
            using Atlas.Runtime;
            namespace Shop;
            public static class Desk
            {
                [AtlasTool("lookup_order", ReadOnly = true)]
                public static string Find(string orderId) => "order " + orderId + ": shipped";

                [AtlasTool("refund")]
                public static string Refund(string orderId)
                {
                    System.IO.File.WriteAllText(@"{{marker}}", orderId);
                    return "refunded";
                }
            }
            """");
        var events = Path.Combine(_dir.Path, "events.jsonl");

        var result = Run(null, "run", flow, "-w", "ask", "-i", "\"refund C-3?\"", "--tools", tools, "--events", events);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.False(File.Exists(marker), "the mock called a tool that is not read-only");
        Assert.EndsWith("(consulted lookup_order; would call refund (not read-only: not called offline))", (string?)JsonNode.Parse(result.Stdout));
        var calls = File.ReadAllLines(events).Select(l => JsonNode.Parse(l)!).Where(e => (string?)e["type"] == "tool_called").ToList();
        Assert.Equal(2, calls.Count);
        var refund = Assert.Single(calls, e => (string?)e["tool"] == "refund");
        Assert.Equal((false, false), ((bool)refund["called"]!, (bool)refund["succeeded"]!));
        Assert.Equal("not called: tool 'refund' is not read-only, and the offline mock calls only read-only tools (mark it `read_only = true` if it only reads)", (string?)refund["error"]);
        Assert.StartsWith("{\"order_id\":", (string?)refund["arguments"]);
        var lookup = Assert.Single(calls, e => (string?)e["tool"] == "lookup_order");
        Assert.Equal((true, true), ((bool)lookup["called"]!, (bool)lookup["succeeded"]!));
        Assert.Contains("support ⚙ would call refund {\"order_id\":", result.Stderr);
    }

    [Theory]
    [InlineData("tool refund(order_id: string) -> string", "ReadOnly = true",
        "atlas run: --tools: tool 'refund': Shop.Desk.Refund is marked [AtlasTool(ReadOnly = true)], but the declaration is not read-only; add `{ read_only = true }` to the declaration if the tool only reads, or remove ReadOnly")]
    [InlineData("tool refund(order_id: string) -> string { read_only = true }", "ReadOnly = false",
        "atlas run: --tools: tool 'refund': Shop.Desk.Refund is marked [AtlasTool(ReadOnly = false)], but the declaration says `read_only = true`; a tool with side effects must not be declared read-only")]
    public void Run_AttributeReadOnlyDisagreesWithTheDeclaration_ExitsWithUsage(string declaration, string attribute, string expected)
    {
        var flow = _dir.Write("flow.atlas", SideEffectFlow.Replace("tool refund(order_id: string) -> string", declaration, StringComparison.Ordinal));
        var tools = ToolAssemblies.Build(_dir.Path, "Disagree", $$""""
            using Atlas.Runtime;
            namespace Shop;
            public static class Desk
            {
                [AtlasTool("lookup_order", ReadOnly = true)]
                public static string Find(string orderId) => "order " + orderId;

                [AtlasTool("refund", {{attribute}})]
                public static string Refund(string orderId) => "refunded";
            }
            """");

        var result = Run(null, "run", flow, "-w", "ask", "-i", "\"x\"", "--tools", tools);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(expected, Assert.Single(result.StderrLines));
    }

    [Fact]
    public void Chat_Tools_TheAgentCallsTheAssemblyTool()
    {
        var flow = _dir.Write("flow.atlas", Flow);
        var tools = BuildShopTools();
        var model = new OneToolCallClient("lookup_order", new Dictionary<string, object?> { ["order_id"] = "D-4" });

        var result = RunWithInput(model, "where is D-4?\n", "chat", flow, "--agent", "support", "--tools", tools);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(["tool said: order D-4: shipped"], result.StdoutLines);
    }

    [Fact]
    public void Help_Run_DescribesTools()
    {
        var result = Cli.Run("run", "--help");

        Assert.Contains("--tools <PATH.dll>", result.Stdout);
        Assert.Contains("[AtlasTool(\"name\")]", result.Stdout);
    }

    [McpServerFact]
    public void Run_McpBlock_AgentToolCallReadsAFileThroughTheRealServer()
    {
        Assert.True(McpTestServer.Installed, $"The MCP server is missing ({McpTestServer.Script}): .ci/run installs it with .ci/mcp-servers.sh.");
        var notes = _dir.Write("docs/notes.txt", "Refunds take 5 business days.");
        // "./docs": relative to the .atlas file's folder, the server's working directory.
        var flow = _dir.Write("flow.atlas", $$$"""
            provider model {
              kind     = mock
              supports = [chat, tools]
            }

            mcp files {
              command = "node"
              args    = ["{{{McpTestServer.Script}}}", "./docs"]
            }

            agent reader(question: string) -> string {
              model  = model
              tools  = [files]
              prompt = "{{question}}"
            }

            workflow read(question: string) -> string {
              answer = reader(question)
              return answer
            }
            """);
        var model = new OneToolCallClient("read_text_file", new Dictionary<string, object?> { ["path"] = notes });

        var result = Run(model, "run", flow, "-i", "\"How long do refunds take?\"");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("Refunds take 5 business days.", (string?)JsonNode.Parse(result.Stdout));
    }

    [Fact]
    public void Run_McpServerDoesNotStart_ExitsWithOneLineNamingTheBlockAndCommand()
    {
        var flow = _dir.Write("flow.atlas", """
            provider model {
              kind     = mock
              supports = [chat, tools]
            }

            mcp files {
              command = "atlas-no-such-mcp-server"
              args    = ["--root", "./docs"]
            }

            agent reader(question: string) -> string {
              model  = model
              tools  = [files]
              prompt = "{{question}}"
            }

            workflow read(question: string) -> string {
              answer = reader(question)
              return answer
            }
            """);

        // A model of the host's: the built-in mock alone would not start the server.
        var result = Run(new OneToolCallClient("read_text_file", new Dictionary<string, object?>()), "run", flow, "-i", "\"hello\"");

        Assert.Equal(ExitCodes.Errors, result.ExitCode);
        var error = Assert.Single(result.StderrLines, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains("mcp 'files': could not start `atlas-no-such-mcp-server --root ./docs` in " + _dir.Path, error);
    }

    private string BuildShopTools()
    {
        var helpers = ToolAssemblies.Build(_dir.Path, "ShopHelpers", HelperSource);
        return ToolAssemblies.Build(_dir.Path, "ShopTools", ToolsSource, helpers);
    }

    /// <summary>Runs <c>atlas</c> in process with no API keys; <paramref name="model"/> answers for the provider named <c>model</c>.</summary>
    private static CliResult Run(IChatClient? model, params string[] args) => RunWithInput(model, null, args);

    private static CliResult RunWithInput(IChatClient? model, string? stdin, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var environment = new CliEnvironment
        {
            Input = new StringReader(stdin ?? ""),
            Output = stdout,
            Error = stderr,
            GetEnvironmentVariable = _ => null,
            ConfigureRuntime = options =>
            {
                if (model is not null) options.ChatClients["model"] = model;
            },
        };
        var exitCode = AtlasCli.RunAsync(args, environment).GetAwaiter().GetResult();
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }
}
