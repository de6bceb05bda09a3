using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests;

/// <summary>
/// What a <see cref="ToolCalled"/> event says about a call the runtime did not run, over each provider's real
/// client library and wire format: arguments that do not fit the tool, arguments that are not JSON, a tool the
/// agent does not have. Each is a failed event with the reason, and the model is told the same.
/// </summary>
public class ToolCallEventWireTests
{
    private const string Key = "sk-wire-test-0123456789";

    /// <summary>Arguments that are not JSON can only be sent where a format carries them as text: OpenAI's string, Anthropic's streamed pieces.</summary>
    public static TheoryData<WireFormat, bool> TextArgumentFormats() => new()
    {
        { WireFormat.OpenAI, true },
        { WireFormat.OpenAI, false },
        { WireFormat.Anthropic, true },
    };

    [Theory]
    [MemberData(nameof(WireFormat.AllStreamedAndNot), MemberType = typeof(WireFormat))]
    public async Task ToolCalled_ArgumentsThatDoNotFit_IsFailedWithTheProblem_TheToolDoesNotRun(WireFormat wire, bool streamed)
    {
        var (server, lookups, runtime) = await StartAsync(wire, "lookup_order", "{\"order\":\"A-17\"}");
        await using var _ = server;
        using var __ = runtime;
        var events = new ConcurrentQueue<AtlasEvent>();

        var answer = await AskAsync(runtime, events, streamed);

        Assert.Empty(lookups);
        var called = Assert.Single(events.OfType<ToolCalled>());
        Assert.False(called.Succeeded);
        Assert.Equal(("support", "lookup_order", "{\"order\":\"A-17\"}"), (called.Agent, called.Tool, called.Arguments));
        Assert.StartsWith("invalid arguments for tool 'lookup_order': missing required argument 'order_id'", called.Error, StringComparison.Ordinal);
        Assert.Equal("Error: " + called.Error, SentResult(wire, server));
        Assert.Equal("told: Error: " + called.Error, answer);
    }

    [Theory]
    [MemberData(nameof(TextArgumentFormats))]
    public async Task ToolCalled_ArgumentsThatAreNotJson_ShowsTheTextSent_IsFailed_TheToolDoesNotRun(WireFormat wire, bool streamed)
    {
        const string Sent = "order A-17, please";
        var (server, lookups, runtime) = await StartAsync(wire, "lookup_order", Sent);
        await using var _ = server;
        using var __ = runtime;
        var events = new ConcurrentQueue<AtlasEvent>();

        var answer = await AskAsync(runtime, events, streamed);

        Assert.Empty(lookups);
        var called = Assert.Single(events.OfType<ToolCalled>());
        Assert.False(called.Succeeded);
        Assert.Equal(Sent, called.Arguments);
        Assert.StartsWith("the arguments for tool 'lookup_order' are not valid JSON (", called.Error, StringComparison.Ordinal);
        Assert.EndsWith("); call it again with a JSON object of its parameters", called.Error, StringComparison.Ordinal);
        Assert.Equal("Error: " + called.Error, SentResult(wire, server));
        Assert.StartsWith("told: Error: the arguments for tool 'lookup_order' are not valid JSON", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolCalled_LongTextArguments_AreCutTo4KB_AndAKeyInThemIsRedacted()
    {
        var sent = "key " + Key + " " + new string('x', 10_000);
        var (server, _, runtime) = await StartAsync(WireFormat.OpenAI, "lookup_order", sent);
        await using var s = server;
        using var r = runtime;
        var events = new ConcurrentQueue<AtlasEvent>();

        await AskAsync(runtime, events, streamed: true);

        var called = Assert.Single(events.OfType<ToolCalled>());
        Assert.StartsWith("key [redacted] xxx", called.Arguments, StringComparison.Ordinal);
        Assert.EndsWith("x…", called.Arguments, StringComparison.Ordinal);
        Assert.Equal(ToolCallArguments.RawLimit + 1 - Key.Length + "[redacted]".Length, called.Arguments.Length);
        Assert.DoesNotContain(Key, string.Concat(events.Select(e => AtlasEventJson.SerializeEvent(e))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Content_TheMessagesSentTheRepliesAndTheToolResult_AreInTheEvents_KeysRedacted_LongOnesCapped()
    {
        var id = Key + " " + new string('x', 20_000);
        var (server, _, runtime) = await StartAsync(WireFormat.OpenAI, "lookup_order", new JsonObject { ["order_id"] = id }.ToJsonString());
        await using var s = server;
        using var r = runtime;
        var events = new ConcurrentQueue<AtlasEvent>();

        await AskAsync(runtime, events, streamed: false);

        var calls = events.OfType<ModelCalled>().ToList();
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.Equal(("wire", "ask"), (c.Provider, c.Step)));
        Assert.All(calls, c => Assert.True(c.Usage.TotalTokens > 0 && c.Latency > TimeSpan.Zero));
        Assert.Equal("user", JsonNode.Parse(calls[0].Messages)![0]!["role"]!.GetValue<string>());
        Assert.Contains("\"call\":\"lookup_order\"", calls[0].Reply, StringComparison.Ordinal); // a reply of a tool call only
        var tool = Assert.Single(events.OfType<ToolCalled>());
        Assert.StartsWith("\"order [redacted] xxx", tool.Result, StringComparison.Ordinal);
        Assert.Matches(@"^.{16384}… \[[\d,]+ more characters\]$", tool.Result);
        Assert.StartsWith("told: order [redacted] xxx", calls[1].Reply, StringComparison.Ordinal);
        Assert.EndsWith(" more characters]", calls[1].Reply, StringComparison.Ordinal);
        Assert.EndsWith(" more characters]", calls[1].Messages, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, string.Concat(events.Select(e => AtlasEventJson.SerializeEvent(e))), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(WireFormat.AllStreamedAndNot), MemberType = typeof(WireFormat))]
    public async Task ToolCalled_AToolTheAgentDoesNotHave_IsAnEventSayingSo_AndTheModelIsToldWhichToolsItHas(WireFormat wire, bool streamed)
    {
        var (server, lookups, runtime) = await StartAsync(wire, "launch_rockets", "{\"count\":3}");
        await using var _ = server;
        using var __ = runtime;
        var events = new ConcurrentQueue<AtlasEvent>();

        var answer = await AskAsync(runtime, events, streamed);

        Assert.Empty(lookups);
        var called = Assert.Single(events.OfType<ToolCalled>());
        Assert.Equal(("support", "launch_rockets", "{\"count\":3}", false), (called.Agent, called.Tool, called.Arguments, called.Succeeded));
        Assert.Equal("agent 'support' has no tool named 'launch_rockets'; it may call 'lookup_order'", called.Error);
        Assert.Equal("Error: " + called.Error + ". Call one of those, or answer without it.", SentResult(wire, server));
        Assert.Equal("told: " + SentResult(wire, server), answer);
    }

    /// <summary>A server whose first reply calls <paramref name="tool"/> with <paramref name="arguments"/>, and whose second quotes the tool result it got.</summary>
    private static async Task<(WireServer Server, ConcurrentQueue<string> Lookups, AtlasRuntime Runtime)> StartAsync(WireFormat wire, string tool, string arguments)
    {
        var server = await WireServer.StartAsync((r, context, ct) =>
        {
            if (r.Index == 0)
            {
                return wire.ToolCallAsync(r, context, "call_1", tool, arguments, ct);
            }

            var result = wire.ToolExchangeIn(r.Body).Results.SingleOrDefault();
            return result is null
                ? wire.ErrorAsync(context, 400, "invalid_request_error", "no tool result in the second request")
                : wire.ReplyAsync(r, context, ["told: ", Unquote(result.Content)], ct);
        });
        var lookups = new ConcurrentQueue<string>();
        var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("wire", server.BaseUrl));
            o.Tools["lookup_order"] = AIFunctionFactory.Create(
                (string order_id) =>
                {
                    lookups.Enqueue(order_id);
                    return $"order {order_id} shipped";
                },
                "lookup_order");
        });
        return (server, lookups, runtime);
    }

    private static async Task<string> AskAsync(AtlasRuntime runtime, ConcurrentQueue<AtlasEvent> events, bool streamed)
    {
        var step = runtime.CreateStepContext("ask", events.Enqueue);
        var agent = new AgentDescriptor("support", [new ParameterDescriptor("q", "string")], "string", null, "wire", TestSupport.Template("Where is order {{q}}?"), Tools: ["lookup_order"]);
        if (!streamed)
        {
            return (await runtime.InvokeAgentAsync(agent, TestSupport.Args(("q", JsonValue.Create("A-17"))), step, CancellationToken.None))!.GetValue<string>();
        }

        var text = new System.Text.StringBuilder();
        await foreach (var chunk in runtime.StreamAgentAsync(agent, TestSupport.Args(("q", JsonValue.Create("A-17"))), step, CancellationToken.None))
        {
            text.Append(chunk);
        }

        return text.ToString();
    }

    /// <summary>The tool result the second request carried, as text (a JSON string is unquoted; Ollama's wraps it with its call id).</summary>
    private static string SentResult(WireFormat wire, WireServer server) =>
        Unquote(wire.ToolExchangeIn(server.Requests.Single(r => r.Index == 1).Body).Results.Single().Content);

    private static string Unquote(string content)
    {
        var node = JsonNode.Parse(content.StartsWith('"') || content.StartsWith('{') ? content : JsonValue.Create(content).ToJsonString());
        return node switch
        {
            JsonObject o when o["Result"] is { } result => result.GetValue<string>(),
            JsonValue v => v.GetValue<string>(),
            _ => content,
        };
    }
}
