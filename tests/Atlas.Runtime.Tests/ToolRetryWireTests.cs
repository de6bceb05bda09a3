using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests;

/// <summary>
/// A model request inside a tool loop that fails (500, a cut reply) is retried, or falls back, on
/// its own: the tool (or delegation) that ran before it does not run again, the retried request
/// carries the tool's result, and every request the provider answered is counted, over each
/// provider's real client library and wire format.
/// </summary>
public class ToolRetryWireTests
{
    private const string Key = "sk-wire-test-0123456789";
    private const string Arguments = "{\"order_id\":\"A-17\"}";
    private static readonly WireFormat[] Formats = [WireFormat.OpenAI, WireFormat.Anthropic, WireFormat.Ollama];

    public static TheoryData<WireFormat, WireFault, bool> RetryCases()
    {
        var data = new TheoryData<WireFormat, WireFault, bool>();
        foreach (var wire in Formats)
        {
            data.Add(wire, WireFault.ServerError, true);
            data.Add(wire, WireFault.ServerError, false);
            data.Add(wire, WireFault.CutMidway, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RetryCases))]
    public async Task ToolLoop_RequestAfterTheToolFails_RetriesThatRequestOnly_TheToolRunsOnce_AndEveryAnswerCounts(WireFormat wire, WireFault fault, bool streamed)
    {
        var failed = 0;
        await using var server = await WireServer.StartAsync((r, context, ct) =>
        {
            if (wire.ToolExchangeIn(r.Body).Results.Count == 0)
            {
                return wire.ToolCallAsync(r, context, "call_A17", "lookup_order", Arguments, ct);
            }

            return Interlocked.Increment(ref failed) == 1
                ? wire.FailAsync(fault, r, context, ct)
                : wire.ReplyAsync(r, context, ["Your order: ", wire.ToolExchangeIn(r.Body).Results[0].Content], ct);
        });
        var lookups = new ConcurrentQueue<string>();
        using var runtime = Runtime(o => o.Providers.Add(wire.Descriptor("wire", server.BaseUrl)), lookups, "smart", ["wire"]);
        var events = new ConcurrentQueue<AtlasEvent>();
        var step = runtime.CreateStepContext("ask", streamed ? events.Enqueue : null);

        var answer = (await runtime.InvokeAgentAsync(Agent("smart"), Question, step, CancellationToken.None))!.GetValue<string>();

        Assert.Equal("A-17", Assert.Single(lookups));
        var requests = server.Requests.OrderBy(r => r.Index).ToArray();
        Assert.Equal(3, requests.Length);

        // The retried request is the failed one: the same conversation, the tool's result included.
        Assert.Equal(requests[1].Body, requests[2].Body);
        Assert.Contains("order A-17 shipped", Assert.Single(wire.ToolExchangeIn(requests[2].Body).Results).Content, StringComparison.Ordinal);
        Assert.StartsWith("Your order: ", answer, StringComparison.Ordinal);

        // The tool call and the answer were both billed; the failed request reported nothing.
        Assert.Equal(wire.ToolCallUsage + wire.ExpectedUsage, step.Usage);
        Assert.Equal(step.Usage, step.Run.Usage);
        if (streamed)
        {
            Assert.Equal("wire", Assert.Single(events.OfType<ProviderSelected>()).Provider);
            Assert.StartsWith(wire.FaultReason(fault, "wire"), Assert.Single(events.OfType<RetryScheduled>()).Reason, StringComparison.Ordinal);
            Assert.Single(events.OfType<ToolCalled>());
            Assert.EndsWith(answer, string.Concat(events.OfType<TokenEmitted>().Select(t => t.Text)), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task ToolLoop_RequestAfterTheToolFailsOnEveryTry_TheCallFails_ButTheToolCallRequestIsCounted(WireFormat wire)
    {
        await using var server = await WireServer.StartAsync((r, context, ct) =>
            wire.ToolExchangeIn(r.Body).Results.Count == 0
                ? wire.ToolCallAsync(r, context, "call_A17", "lookup_order", Arguments, ct)
                : wire.FailAsync(WireFault.ServerError, r, context, ct));
        var lookups = new ConcurrentQueue<string>();
        using var runtime = Runtime(o => o.Providers.Add(wire.Descriptor("wire", server.BaseUrl)), lookups, "smart", ["wire"]);
        var step = runtime.CreateStepContext("ask", _ => { });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(Agent("smart"), Question, step, CancellationToken.None));

        Assert.Contains("the model crashed", error.Message, StringComparison.Ordinal);
        Assert.Single(lookups);
        Assert.Equal(3, server.Requests.Count);
        Assert.Equal(wire.ToolCallUsage, step.Usage);
        Assert.Equal(step.Usage, step.Run.Usage);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task ToolLoop_TheToolCallRequestAloneGoesOverTheAgentsBudget_TheLoopStops_BeforeTheToolRuns(WireFormat wire)
    {
        await using var server = await WireServer.StartAsync((r, context, ct) =>
            wire.ToolExchangeIn(r.Body).Results.Count == 0
                ? wire.ToolCallAsync(r, context, "call_A17", "lookup_order", Arguments, ct)
                : wire.ReplyAsync(r, context, ct));
        var lookups = new ConcurrentQueue<string>();
        using var runtime = Runtime(o => o.Providers.Add(wire.Descriptor("wire", server.BaseUrl)), lookups, "smart", ["wire"]);
        var step = runtime.CreateStepContext("ask");
        var agent = Agent("smart") with { Budget = new BudgetDescriptor(Tokens: 20) };

        var error = await Assert.ThrowsAsync<BudgetExceededException>(() => runtime.InvokeAgentAsync(agent, Question, step, CancellationToken.None));

        Assert.Equal("agent 'support'", error.Owner);
        Assert.Equal(wire.ToolCallUsage.TotalTokens, error.Spent.TotalTokens);
        Assert.Empty(lookups);
        Assert.Single(server.Requests);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task ToolLoop_RequestAfterTheToolFails_FallsBack_TheNextProviderGetsTheToolResult_TheToolIsNotRunAgain(WireFormat wire)
    {
        var next = NextFormat(wire);
        await using var first = await WireServer.StartAsync((r, context, ct) =>
            wire.ToolExchangeIn(r.Body).Results.Count == 0
                ? wire.ToolCallAsync(r, context, "call_A17", "lookup_order", Arguments, ct)
                : wire.FailAsync(WireFault.ServerError, r, context, ct));

        // The second provider answers only a conversation that already holds the tool's call and result.
        await using var second = await WireServer.StartAsync((r, context, ct) =>
        {
            var exchange = next.ToolExchangeIn(r.Body);
            return exchange.Calls.Count == 1 && exchange.Results.Count == 1
                ? next.ReplyAsync(r, context, ["Your order: ", exchange.Results[0].Content], ct)
                : next.ErrorAsync(context, 400, "invalid_request_error", "expected the tool's call and result");
        });
        var lookups = new ConcurrentQueue<string>();
        using var runtime = Runtime(
            o =>
            {
                o.Providers.Add(wire.Descriptor("first", first.BaseUrl));
                o.Providers.Add(next.Descriptor("second", second.BaseUrl));
            },
            lookups,
            "smart",
            ["first", "second"]);
        var events = new ConcurrentQueue<AtlasEvent>();
        var step = runtime.CreateStepContext("ask", events.Enqueue);

        var answer = (await runtime.InvokeAgentAsync(Agent("smart"), Question, step, CancellationToken.None))!.GetValue<string>();

        Assert.Equal("A-17", Assert.Single(lookups));
        Assert.Equal((3, 1), (first.Requests.Count, second.Requests.Count));
        var exchange = next.ToolExchangeIn(Assert.Single(second.Requests).Body);
        Assert.Equal("lookup_order", Assert.Single(exchange.Calls).Name);
        Assert.Contains("order A-17 shipped", Assert.Single(exchange.Results).Content, StringComparison.Ordinal);
        Assert.Equal("Your order: " + exchange.Results[0].Content, answer);
        Assert.Equal(wire.ToolCallUsage + next.ExpectedUsage, step.Usage);

        var selected = events.OfType<ProviderSelected>().ToArray();
        Assert.Equal(["first", "second"], selected.Select(s => s.Provider));
        Assert.Equal("fallback after first failed: " + wire.FaultReason(WireFault.ServerError, "first"), selected[1].Reason);
        Assert.Single(events.OfType<ToolCalled>());
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task ToolLoop_RequestAfterADelegationFails_ThenSucceeds_TheDelegateRunsOnce(WireFormat wire)
    {
        var failed = 0;
        await using var dispatcher = await WireServer.StartAsync((r, context, ct) =>
        {
            if (wire.ToolExchangeIn(r.Body).Results.Count == 0)
            {
                return wire.ToolCallAsync(r, context, "call_B1", "billing", "{\"task\":\"refund A-17\"}", ct);
            }

            return Interlocked.Increment(ref failed) == 1
                ? wire.FailAsync(WireFault.ServerError, r, context, ct)
                : wire.ReplyAsync(r, context, ["Billing says: ", wire.ToolExchangeIn(r.Body).Results[0].Content], ct);
        });
        await using var billing = await WireServer.StartAsync((r, context, ct) => wire.ReplyAsync(r, context, ["refund sent"], ct));
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("front", dispatcher.BaseUrl));
            o.Providers.Add(wire.Descriptor("back", billing.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["front"], Retry: 1, Timeout: TimeSpan.FromSeconds(20)));
        });
        var events = new ConcurrentQueue<AtlasEvent>();
        var step = runtime.CreateStepContext("ask", events.Enqueue);
        var agent = DelegationTests.Agent("dispatcher", model: "smart", delegates: [DelegationTests.Agent("billing", model: "back")]);

        var answer = (await runtime.InvokeAgentAsync(agent, TestSupport.Args(("task", JsonValue.Create("refund A-17"))), step, CancellationToken.None))!.GetValue<string>();

        Assert.Single(billing.Requests);
        Assert.StartsWith("Billing says: ", answer, StringComparison.Ordinal);
        Assert.Contains("refund sent", answer, StringComparison.Ordinal);
        Assert.Single(events.OfType<DelegationStarted>());
        Assert.True(Assert.Single(events.OfType<DelegationCompleted>()).Succeeded);
        Assert.Equal(3, dispatcher.Requests.Count);
        Assert.Equal(wire.ToolCallUsage + wire.ExpectedUsage + wire.ExpectedUsage, step.Usage);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task ToolLoop_StreamedToTheCaller_RequestAfterTheToolFailsBeforeAnyText_IsRetried_TheToolRunsOnce(WireFormat wire)
    {
        var failed = 0;
        await using var server = await WireServer.StartAsync((r, context, ct) =>
        {
            if (wire.ToolExchangeIn(r.Body).Results.Count == 0)
            {
                return wire.ToolCallAsync(r, context, "call_A17", "lookup_order", Arguments, ct);
            }

            return Interlocked.Increment(ref failed) == 1
                ? wire.FailAsync(WireFault.ServerError, r, context, ct)
                : wire.ReplyAsync(r, context, ["Your order ", "shipped"], ct);
        });
        var lookups = new ConcurrentQueue<string>();
        using var runtime = Runtime(o => o.Providers.Add(wire.Descriptor("wire", server.BaseUrl)), lookups, "smart", ["wire"]);

        var chunks = new List<string>();
        await foreach (var chunk in runtime.StreamAgentAsync(Agent("smart"), Question, null, CancellationToken.None))
        {
            chunks.Add(chunk);
        }

        // The caller had no text of the failed request: retrying it repeats nothing the caller has.
        Assert.Equal("Your order shipped", string.Concat(chunks));
        Assert.Single(lookups);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task ToolLoop_OnARoundRobinRoute_EveryRequestOfTheLoopGoesToTheProviderThatAnsweredTheFirst()
    {
        var wire = WireFormat.OpenAI;
        Func<WireRequest, Microsoft.AspNetCore.Http.HttpContext, CancellationToken, Task> respond = (r, context, ct) =>
            wire.ToolExchangeIn(r.Body).Results.Count == 0
                ? wire.ToolCallAsync(r, context, "call_A17", "lookup_order", Arguments, ct)
                : wire.ReplyAsync(r, context, ct);
        await using var a = await WireServer.StartAsync(respond);
        await using var b = await WireServer.StartAsync(respond);
        var lookups = new ConcurrentQueue<string>();
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("a", a.BaseUrl));
            o.Providers.Add(wire.Descriptor("b", b.BaseUrl));
            o.Routes.Add(new RouteDescriptor("spread", RouteStrategy.RoundRobin, ["a", "b"]));
            o.Tools["lookup_order"] = AIFunctionFactory.Create((string order_id) => $"order {order_id} shipped", "lookup_order");
        });

        for (var call = 0; call < 2; call++)
        {
            var events = new ConcurrentQueue<AtlasEvent>();
            await runtime.InvokeAgentAsync(Agent("spread"), Question, runtime.CreateStepContext("ask", events.Enqueue), CancellationToken.None);
            Assert.Single(events.OfType<ProviderSelected>());
        }

        // Two calls of two requests each: one call per provider, each call's requests on one provider.
        Assert.Equal((2, 2), (a.Requests.Count, b.Requests.Count));
    }

    private static Dictionary<string, JsonNode?> Question => TestSupport.Args(("q", JsonValue.Create("A-17")));

    private static AgentDescriptor Agent(string model) =>
        new("support", [new ParameterDescriptor("q", "string")], "string", null, model, TestSupport.Template("Where is order {{q}}?"), Tools: ["lookup_order"]);

    private static WireFormat NextFormat(WireFormat wire) => Formats[(Array.IndexOf(Formats, wire) + 1) % Formats.Length];

    /// <summary>A runtime with the <c>lookup_order</c> tool (recording each order id it is called with) and a route <paramref name="route"/> with one retry.</summary>
    private static AtlasRuntime Runtime(Action<AtlasRuntimeOptions> providers, ConcurrentQueue<string> lookups, string route, string[] use) =>
        TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            providers(o);
            o.Routes.Add(new RouteDescriptor(route, RouteStrategy.Fallback, use, Retry: 1, Timeout: TimeSpan.FromSeconds(20)));
            o.Tools["lookup_order"] = AIFunctionFactory.Create(
                (string order_id) =>
                {
                    lookups.Enqueue(order_id);
                    return $"order {order_id} shipped on 2025-05-02";
                },
                "lookup_order",
                "Looks up an order by its id.");
        });
}
