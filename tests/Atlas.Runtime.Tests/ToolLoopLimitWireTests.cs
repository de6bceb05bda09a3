using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests;

/// <summary>
/// A model that never stops asking for tools, over each provider's real client library and wire format: after
/// the agent's <c>max_tool_calls</c> rounds the call fails with an error naming that limit, never "succeeds"
/// with the empty text of the unanswered reply.
/// </summary>
public class ToolLoopLimitWireTests
{
    private const string Key = "sk-wire-test-0123456789";

    [Theory]
    [MemberData(nameof(WireFormat.AllStreamedAndNot), MemberType = typeof(WireFormat))]
    public async Task ToolLoop_ModelAlwaysAsksForATool_FailsAfterMaxToolCallsRounds_NamingTheLimit(WireFormat wire, bool streamed)
    {
        var calls = 0;
        await using var server = await WireServer.StartAsync((r, context, ct) =>
            wire.ToolCallAsync(r, context, $"call_{Interlocked.Increment(ref calls)}", "lookup_order", "{\"order_id\":\"A-17\"}", ct));
        var lookups = new ConcurrentQueue<string>();
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("wire", server.BaseUrl));
            o.Tools["lookup_order"] = AIFunctionFactory.Create((string order_id) => { lookups.Enqueue(order_id); return "still looking"; }, "lookup_order");
        });
        var events = new ConcurrentQueue<AtlasEvent>();
        var step = runtime.CreateStepContext("ask", streamed ? events.Enqueue : null);
        var agent = Agent with { MaxToolCalls = 3 };

        var error = await Assert.ThrowsAsync<ToolCallLimitException>(() => runtime.InvokeAgentAsync(agent, Question, step, CancellationToken.None));

        Assert.Equal(
            "agent 'support' made 3 tool-call rounds, its max_tool_calls, and its model still asked for more (lookup_order) instead of answering; raise max_tool_calls, or check what the tools return",
            error.Message);
        Assert.Equal(3, lookups.Count);

        // Three rounds with the tool offered, then one last request without it, for an answer from what the tools said.
        var requests = server.Requests.OrderBy(r => r.Index).ToArray();
        Assert.Equal(4, requests.Length);
        Assert.All(requests[..3], r => Assert.Equal(["lookup_order"], wire.OfferedTools(r.Body)));
        Assert.Empty(wire.OfferedTools(requests[3].Body));
        Assert.Equal(3, error.Limit);

        // Every reply the provider sent was billed, the one that broke the limit too.
        Assert.Equal(4 * wire.ToolCallUsage.TotalTokens, step.Usage.TotalTokens);
        if (streamed)
        {
            Assert.Equal(3, events.OfType<ToolCalled>().Count());
        }
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task ToolLoop_NoMaxToolCalls_TheDefaultApplies_AndTheErrorSaysSo(WireFormat wire)
    {
        await using var server = await WireServer.StartAsync((r, context, ct) => wire.ToolCallAsync(r, context, "call_1", "lookup_order", "{\"order_id\":\"A-17\"}", ct));
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("wire", server.BaseUrl));
            o.Tools["lookup_order"] = AIFunctionFactory.Create((string order_id) => "still looking", "lookup_order");
        });

        var error = await Assert.ThrowsAsync<ToolCallLimitException>(() => runtime.InvokeAgentAsync(Agent, Question, runtime.CreateStepContext("ask"), CancellationToken.None));

        Assert.StartsWith($"agent 'support' made {AgentDescriptor.DefaultMaxToolCalls} tool-call rounds, its max_tool_calls (the default), ", error.Message, StringComparison.Ordinal);
        Assert.Equal(AgentDescriptor.DefaultMaxToolCalls + 1, server.Requests.Count);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task ToolLoop_ModelAlwaysDelegates_TheCallerFailsAfterItsMaxToolCalls_TheDelegateAnsweredEachTime(WireFormat wire)
    {
        // The caller's requests always get a call of the delegate (even the last, which offers no tools); the delegate's get text.
        await using var server = await WireServer.StartAsync((r, context, ct) =>
            r.Body.Contains("dispatcher works on", StringComparison.Ordinal)
                ? wire.ToolCallAsync(r, context, "call_B1", "billing", "{\"task\":\"refund A-17\"}", ct)
                : wire.ReplyAsync(r, context, ["refund sent"], ct));
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("wire", server.BaseUrl));
        });
        var events = new ConcurrentQueue<AtlasEvent>();
        var agent = DelegationTests.Agent("dispatcher", model: "wire", delegates: [DelegationTests.Agent("billing", model: "wire")]) with { MaxToolCalls = 2 };

        var error = await Assert.ThrowsAsync<ToolCallLimitException>(() =>
            runtime.InvokeAgentAsync(agent, TestSupport.Args(("task", JsonValue.Create("refund A-17"))), runtime.CreateStepContext("ask", events.Enqueue), CancellationToken.None));

        Assert.StartsWith("agent 'dispatcher' made 2 tool-call rounds, its max_tool_calls, and its model still asked for more (billing)", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, events.OfType<DelegationCompleted>().Count(d => d.Succeeded));
        Assert.Equal(3 + 2, server.Requests.Count);
    }

    private static System.Collections.Generic.Dictionary<string, JsonNode?> Question => TestSupport.Args(("q", JsonValue.Create("A-17")));

    private static AgentDescriptor Agent =>
        new("support", [new ParameterDescriptor("q", "string")], "string", null, "wire", TestSupport.Template("Where is order {{q}}?"), Tools: ["lookup_order"]);
}
