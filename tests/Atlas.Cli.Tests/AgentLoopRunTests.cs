using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Atlas.Runtime;

namespace Atlas.Cli.Tests;

/// <summary>
/// <c>atlas run</c> against an OpenAI-compatible server on 127.0.0.1 that misbehaves the way a model can:
/// it never stops asking for tools, calls tools that do not exist, sends arguments that are not JSON, echoes the API key.
/// </summary>
public sealed class AgentLoopRunTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Key = "sk-cli-chat-0123456789abcdef";

    private static string Provider(string endpoint) => $$"""
        provider remote {
          kind     = openai_compatible
          model    = "chat-model"
          endpoint = "{{endpoint}}"
          api_key  = env("CHAT_KEY")
          supports = [chat, tools, json, streaming]
        }

        """;

    internal static CliResult Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var environment = new CliEnvironment
        {
            Output = stdout,
            Error = stderr,
            GetEnvironmentVariable = name => name == "CHAT_KEY" ? Key : null,
        };
        var exitCode = AtlasCli.RunAsync(args, environment).GetAwaiter().GetResult();
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Run_ModelKeepsDelegating_FailsAfterMaxToolCalls_OneLineNamingTheLimit()
    {
        // The dispatcher's model asks for its delegate on every request, even the last, which offers no tools.
        await using var server = ChatServer.Start(r => r.Body.Contains("dispatcher works on", StringComparison.Ordinal)
            ? ChatReply.ToolCall($"call_{r.Index}", "billing", "{\"task\":\"refund A-17\"}")
            : ChatReply.Text("refund sent"));
        var dir = _dir;
        dir.Write("loop.atlas", Provider(server.Endpoint) + """
            agent billing(task: string) -> string {
              model  = remote
              prompt = "billing works on: {{task}}"
            }

            agent dispatcher(task: string) -> string {
              model          = remote
              delegates      = [billing]
              max_tool_calls = 2
              prompt         = "dispatcher works on: {{task}}"
            }

            workflow ask(task: string) -> string {
              answer = dispatcher(task)
              return answer
            }
            """);
        var events = Path.Combine(dir.Path, "events.jsonl");

        var result = Run("run", Path.Combine(dir.Path, "loop.atlas"), "--input", "\"refund A-17\"", "--events", events);

        Assert.Equal(ExitCodes.Errors, result.ExitCode);
        Assert.Empty(result.Stdout);
        const string Limit = "agent 'dispatcher' made 2 tool-call rounds, its max_tool_calls, and its model still asked for more (billing) instead of answering; raise max_tool_calls, or check what the tools return";
        Assert.True(result.Stderr.EndsWith("\nerror: step 'answer' failed: " + Limit + "\n", StringComparison.Ordinal), result.Stderr);
        var failed = File.ReadAllLines(events).Select(l => AtlasEventJson.DeserializeEvent(l)!).OfType<StepFailed>().Single();
        Assert.Equal(("answer", Limit), (failed.Step, failed.Error));
        Assert.Equal(3 + 2, server.Requests.Count);
    }

    [Fact]
    public async Task Run_ToolCallsTheRuntimeRefuses_AreFailedToolCalledEventsWithTheReason_InTheEventsFile()
    {
        // Four rounds: a tool the agent lacks, arguments that are not JSON, arguments that do not fit, then a good call.
        string[] calls = ["launch_rockets|{\"count\":3}", "lookup_order|order A-17, please", "lookup_order|{\"order\":\"A-17\"}", "lookup_order|{\"order_id\":\"A-17\"}"];
        await using var server = ChatServer.Start(r => r.Index < calls.Length
            ? ChatReply.ToolCall($"call_{r.Index}", calls[r.Index].Split('|')[0], calls[r.Index].Split('|')[1])
            : ChatReply.Text("A-17 has shipped"));
        var tools = ToolAssemblies.Build(_dir.Path, "Shop", """
            using Atlas.Runtime;
            namespace Shop;
            public static class OrderTools
            {
                [AtlasTool("lookup_order")]
                public static string Find(string orderId) => $"order {orderId}: shipped";
            }
            """);
        var flow = _dir.Write("shop.atlas", Provider(server.Endpoint) + """
            tool lookup_order(order_id: string) -> string

            agent support(question: string) -> string {
              model  = remote
              tools  = [lookup_order]
              prompt = "{{question}}"
            }

            workflow ask(question: string) -> string {
              answer = support(question)
              return answer
            }
            """);
        var events = Path.Combine(_dir.Path, "events.jsonl");

        var result = Run("run", flow, "--input", "\"where is A-17?\"", "--tools", tools, "--events", events);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("\"A-17 has shipped\"", result.Stdout.Trim());
        var lines = File.ReadAllLines(events).Where(l => l.Contains("\"type\":\"tool_called\"", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(4, lines.Count);
        Assert.Equal(
            [
                ("launch_rockets", "{\"count\":3}", false, "agent 'support' has no tool named 'launch_rockets'; it may call 'lookup_order'"),
                ("lookup_order", "order A-17, please", false, "the arguments for tool 'lookup_order' are not valid JSON"),
                ("lookup_order", "{\"order\":\"A-17\"}", false, "invalid arguments for tool 'lookup_order': missing required argument 'order_id'"),
                ("lookup_order", "{\"order_id\":\"A-17\"}", true, null),
            ],
            lines.Select(l => ((string)l["tool"]!, (string)l["arguments"]!, (bool)l["succeeded"]!, Prefix((string?)l["error"]))));

        // The model heard each refusal as its tool result.
        var results = server.Requests.Where(r => r.Index > 0).OrderBy(r => r.Index).Select(r => LastToolResult(r.Body)).ToList();
        Assert.StartsWith("Error: agent 'support' has no tool named 'launch_rockets'", results[0], StringComparison.Ordinal);
        Assert.StartsWith("Error: the arguments for tool 'lookup_order' are not valid JSON", results[1], StringComparison.Ordinal);
        Assert.StartsWith("Error: invalid arguments for tool 'lookup_order'", results[2], StringComparison.Ordinal);
        Assert.Equal("order A-17: shipped", results[3]);
    }

    [Theory]
    [InlineData("one piece", new[] { "Your key is ", Key, ", keep it safe." })]
    [InlineData("split in two", new[] { "Your key is sk-cli-chat-01", "23456789abcdef, keep it safe." })]
    [InlineData("split at the end", new[] { "Your key is sk-cli", "-chat-0123456789abcdef" })]
    public async Task Run_ProviderEchoesTheKey_ItIsOnNeitherStdoutNorStderrNorInTheEvents(string how, string[] pieces)
    {
        _ = how;
        await using var server = ChatServer.Start(_ => ChatReply.Text(pieces));
        var flow = _dir.Write("echo.atlas", Provider(server.Endpoint) + """
            agent echo(text: string) -> string {
              model  = remote
              prompt = "{{text}}"
            }

            workflow say(text: string) -> string {
              answer = echo(text)
              return answer
            }
            """);
        var events = Path.Combine(_dir.Path, "events.jsonl");
        var batch = _dir.Write("in.jsonl", "\"a\"\n\"b\"\n");
        var output = Path.Combine(_dir.Path, "out.jsonl");

        var run = Run("run", flow, "--input", "\"hello\"", "--events", events);
        var batchRun = Run("run", flow, "--batch", batch, "--output", output);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.True(batchRun.ExitCode == 0, batchRun.Stderr);
        var expected = string.Concat(pieces).Replace(Key, "[redacted]", StringComparison.Ordinal);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(expected), run.Stdout.Trim());
        Assert.All(server.Requests, r => Assert.Equal("Bearer " + Key, r.Authorization));
        var everything = run.Stdout + run.Stderr + File.ReadAllText(events) + batchRun.Stdout + batchRun.Stderr + File.ReadAllText(output);
        Assert.DoesNotContain(Key, everything, StringComparison.Ordinal);

        // Nor a piece of it: each token event alone shows none of it.
        Assert.DoesNotContain("sk-cli-chat-01", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("23456789abcdef", everything, StringComparison.Ordinal);
        Assert.Contains("[redacted]", File.ReadAllText(output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FirstProviderOfTheRouteNeverGivesValidJson_TheRouteFallsBack_AndTheEventsSayWhy()
    {
        await using var bad = ChatServer.Start(_ => ChatReply.Text("Sure! It is a billing question."));
        await using var good = ChatServer.Start(_ => ChatReply.Text("{\"category\":\"billing\",", "\"urgency\":2}"));
        var flow = _dir.Write("triage.atlas", $$$"""
            provider bad {
              kind     = openai_compatible
              model    = "chat-model"
              endpoint = "{{{bad.Endpoint}}}"
              supports = [chat, json, streaming]
            }

            provider good {
              kind     = openai_compatible
              model    = "chat-model"
              endpoint = "{{{good.Endpoint}}}"
              supports = [chat, json, streaming]
            }

            route smart {
              strategy = fallback
              use      = [bad, good]
              retry    = 2
            }

            enum Category { billing, bug }

            type Triage {
              category: Category
              urgency:  int
            }

            agent triage(subject: string) -> Triage {
              model  = smart
              prompt = "Triage: {{subject}}"
            }

            workflow classify(subject: string) -> Triage {
              result = triage(subject)
              return result
            }
            """);
        var events = Path.Combine(_dir.Path, "events.jsonl");

        var result = Run("run", flow, "--input", "\"refund please\"", "--events", events);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("{\"category\":\"billing\",\"urgency\":2}"), JsonNode.Parse(result.Stdout)), result.Stdout);
        var log = File.ReadAllLines(events).Select(l => AtlasEventJson.DeserializeEvent(l)!).ToList();
        var selected = log.OfType<ProviderSelected>().ToList();
        Assert.Equal(["bad", "good"], selected.Select(s => s.Provider));
        Assert.StartsWith("fallback after bad failed: Agent 'triage' did not return a valid Triage after one repair attempt: the reply is not valid JSON", selected[1].Reason, StringComparison.Ordinal);
        Assert.Empty(log.OfType<RetryScheduled>());
        Assert.Equal((2, 1), (bad.Requests.Count, good.Requests.Count));
        Assert.Contains("→ good (fallback after bad failed: Agent 'triage' did not return a valid Triage", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>An error cut to the part the test pins (the library's JSON message and the schema's wording may vary after it).</summary>
    private static string? Prefix(string? error) => error switch
    {
        null => null,
        _ when error.StartsWith("the arguments for tool 'lookup_order' are not valid JSON (", StringComparison.Ordinal) => "the arguments for tool 'lookup_order' are not valid JSON",
        _ when error.StartsWith("invalid arguments for tool 'lookup_order': missing required argument 'order_id'", StringComparison.Ordinal) => "invalid arguments for tool 'lookup_order': missing required argument 'order_id'",
        _ => error,
    };

    private static string LastToolResult(string body)
    {
        var content = JsonNode.Parse(body)!["messages"]!.AsArray().Last(m => (string?)m!["role"] == "tool")!["content"]!;
        var text = content is JsonArray parts ? string.Concat(parts.Select(p => (string?)p!["text"])) : (string)content!;
        return text.StartsWith('"') ? JsonNode.Parse(text)!.GetValue<string>() : text;
    }
}
