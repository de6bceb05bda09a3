using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests;

/// <summary>
/// A provider whose structured replies are never valid, over each provider's real client library and wire format:
/// after one repair attempt on it, the route falls back to its next provider, and the events say why; only when
/// every provider fails does the call.
/// </summary>
public class StructuredFallbackWireTests
{
    private const string Key = "sk-wire-test-0123456789";
    private const string Schema = """{"type":"object","properties":{"category":{"type":"string","enum":["billing","bug"]},"urgency":{"type":"integer"}},"required":["category","urgency"],"additionalProperties":false}""";
    private static readonly WireFormat[] Formats = [WireFormat.OpenAI, WireFormat.Anthropic, WireFormat.Ollama];

    [Theory]
    [MemberData(nameof(WireFormat.AllStreamedAndNot), MemberType = typeof(WireFormat))]
    public async Task Structured_FirstProviderStaysInvalidAfterItsRepair_TheRouteFallsBack_AndTheResultIsTheSecondsAnswer(WireFormat wire, bool streamed)
    {
        var next = Formats[(Array.IndexOf(Formats, wire) + 1) % Formats.Length];
        await using var bad = await WireServer.StartAsync((r, context, ct) => wire.ReplyAsync(r, context, ["Sure! It is ", "a billing question."], ct));
        await using var good = await WireServer.StartAsync((r, context, ct) => next.ReplyAsync(r, context, ["{\"category\":", "\"billing\",\"urgency\":2}"], ct));
        using var runtime = Runtime(o =>
        {
            o.Providers.Add(wire.Descriptor("bad", bad.BaseUrl));
            o.Providers.Add(next.Descriptor("good", good.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["bad", "good"], Retry: 2));
        });
        var events = new ConcurrentQueue<AtlasEvent>();
        var step = runtime.CreateStepContext("triage", streamed ? events.Enqueue : null);

        var result = await runtime.InvokeAgentAsync(Agent("smart"), Ticket, step, CancellationToken.None);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("{\"category\":\"billing\",\"urgency\":2}"), result), result?.ToJsonString());

        // The first reply and its repair went to the bad provider, never retried there; the good one got the question afresh.
        var badRequests = bad.Requests.OrderBy(r => r.Index).ToArray();
        Assert.Equal(2, badRequests.Length);
        Assert.Contains("Your reply could not be used: the reply is not valid JSON", badRequests[1].Body, StringComparison.Ordinal);
        var goodRequest = Assert.Single(good.Requests);
        Assert.DoesNotContain("could not be used", goodRequest.Body, StringComparison.Ordinal);
        Assert.Equal(wire.ExpectedUsage + wire.ExpectedUsage + next.ExpectedUsage, step.Usage);
        if (streamed)
        {
            var selected = events.OfType<ProviderSelected>().ToList();
            Assert.Equal(["bad", "good"], selected.Select(s => s.Provider));
            Assert.StartsWith(
                "fallback after bad failed: Agent 'triage' did not return a valid Triage after one repair attempt: the reply is not valid JSON",
                selected[1].Reason,
                StringComparison.Ordinal);
            Assert.Empty(events.OfType<RetryScheduled>());
        }
    }

    [Fact]
    public async Task Structured_EveryProviderStaysInvalid_TheCallFails_NamingEach()
    {
        var wire = WireFormat.OpenAI;
        await using var first = await WireServer.StartAsync((r, context, ct) => wire.ReplyAsync(r, context, ["not json"], ct));
        await using var second = await WireServer.StartAsync((r, context, ct) => wire.ReplyAsync(r, context, ["{\"category\":\"weather\",\"urgency\":2}"], ct));
        using var runtime = Runtime(o =>
        {
            o.Providers.Add(wire.Descriptor("first", first.BaseUrl));
            o.Providers.Add(wire.Descriptor("second", second.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["first", "second"]));
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(Agent("smart"), Ticket, runtime.CreateStepContext("triage"), CancellationToken.None));

        Assert.StartsWith("Agent 'triage' did not return a valid Triage after one repair attempt: the reply does not match the schema: /category: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(" Before it: first: Agent 'triage' did not return a valid Triage after one repair attempt: the reply is not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.Equal((2, 2), (first.Requests.Count, second.Requests.Count));
    }

    [Fact]
    public async Task Structured_FallbackProviderFailsOnTheWire_TheErrorNamesBothProvidersFailures()
    {
        var wire = WireFormat.OpenAI;
        await using var first = await WireServer.StartAsync((r, context, ct) => wire.ReplyAsync(r, context, ["not json"], ct));
        await using var second = await WireServer.StartAsync((r, context, ct) => wire.FailAsync(WireFault.ServerError, r, context, ct));
        using var runtime = Runtime(o =>
        {
            o.Providers.Add(wire.Descriptor("first", first.BaseUrl));
            o.Providers.Add(wire.Descriptor("second", second.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["first", "second"]));
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(Agent("smart"), Ticket, null, CancellationToken.None));

        Assert.StartsWith("No provider of route 'smart' could answer: first: Agent 'triage' did not return a valid Triage after one repair attempt: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("; second: " + wire.FaultReason(WireFault.ServerError, "second"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Structured_ADirectProviderStaysInvalid_FailsAfterTheRepair_AsBefore()
    {
        var wire = WireFormat.OpenAI;
        await using var server = await WireServer.StartAsync((r, context, ct) => wire.ReplyAsync(r, context, ["not json"], ct));
        using var runtime = Runtime(o => o.Providers.Add(wire.Descriptor("only", server.BaseUrl)));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(Agent("only"), Ticket, null, CancellationToken.None));

        Assert.StartsWith("Agent 'triage' did not return a valid Triage after one repair attempt: the reply is not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Before it", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task Structured_WithATool_TheFallbackProviderRunsItsOwnToolLoop(WireFormat wire)
    {
        var lookups = new ConcurrentQueue<string>();
        await using var bad = await WireServer.StartAsync((r, context, ct) =>
            wire.ToolExchangeIn(r.Body).Results.Count == 0
                ? wire.ToolCallAsync(r, context, "call_1", "lookup_order", "{\"order_id\":\"A-17\"}", ct)
                : wire.ReplyAsync(r, context, ["no idea"], ct));
        await using var good = await WireServer.StartAsync((r, context, ct) => wire.ReplyAsync(r, context, ["{\"category\":\"bug\",\"urgency\":5}"], ct));
        using var runtime = Runtime(o =>
        {
            o.Providers.Add(wire.Descriptor("bad", bad.BaseUrl));
            o.Providers.Add(wire.Descriptor("good", good.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["bad", "good"]));
            o.Tools["lookup_order"] = AIFunctionFactory.Create((string order_id) => { lookups.Enqueue(order_id); return "shipped"; }, "lookup_order");
        });

        var result = await runtime.InvokeAgentAsync(Agent("smart") with { Tools = ["lookup_order"] }, Ticket, null, CancellationToken.None);

        Assert.Equal("bug", (string?)result!["category"]);
        Assert.Single(lookups);
        Assert.Equal((3, 1), (bad.Requests.Count, good.Requests.Count));
    }

    private static System.Collections.Generic.Dictionary<string, JsonNode?> Ticket => TestSupport.Args(("subject", JsonValue.Create("refund please")));

    private static AgentDescriptor Agent(string model) =>
        new("triage", [new ParameterDescriptor("subject", "string")], "Triage", Schema, model, TestSupport.Template("Triage: {{subject}}"));

    private static AtlasRuntime Runtime(Action<AtlasRuntimeOptions> configure) =>
        TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            configure(o);
        });
}
