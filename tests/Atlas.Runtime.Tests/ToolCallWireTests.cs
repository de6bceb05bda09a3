using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests;

/// <summary>
/// A tool call round trip through each provider's real client library and wire format: the
/// server's first reply asks for a tool call in that format's own shape, the runtime calls the C#
/// function registered for the agent's declared tool, and the server answers the second request
/// only if it carries the tool result the way that format sends one back.
/// </summary>
public class ToolCallWireTests
{
    private const string Key = "sk-wire-test-0123456789";
    private const string CallId = "call_A17";
    private const string Arguments = "{\"order_id\":\"A-17\"}";

    [Theory]
    [MemberData(nameof(WireFormat.AllStreamedAndNot), MemberType = typeof(WireFormat))]
    public async Task ToolCall_RoundTrip_CallsTheCSharpFunction_SendsItsResultBack_AndAnswers(WireFormat wire, bool streamed)
    {
        await using var server = await WireServer.StartAsync((r, context, ct) =>
        {
            if (r.Index == 0)
            {
                return wire.ToolCallAsync(r, context, CallId, "lookup_order", Arguments, ct);
            }

            // The answer quotes the tool result: only a request that carries it gets one.
            var result = wire.ToolExchangeIn(r.Body).Results.SingleOrDefault();
            return result is null
                ? wire.ErrorAsync(context, 400, "invalid_request_error", "no tool result in the second request")
                : wire.ReplyAsync(r, context, ["Your order: ", result.Content], ct);
        });
        var lookups = new ConcurrentQueue<string>();
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("wire", server.BaseUrl));
            o.Tools["lookup_order"] = AIFunctionFactory.Create(
                (string order_id) =>
                {
                    lookups.Enqueue(order_id);
                    return $"order {order_id} shipped on 2025-05-02";
                },
                "lookup_order",
                "Looks up an order by its id.");
        });
        var events = new ConcurrentQueue<AtlasEvent>();
        var step = runtime.CreateStepContext("ask", streamed ? events.Enqueue : null);

        var answer = (await runtime.InvokeAgentAsync(Agent, TestSupport.Args(("q", JsonValue.Create("A-17"))), step, CancellationToken.None))!.GetValue<string>();

        Assert.Equal("A-17", Assert.Single(lookups));
        var requests = server.Requests.OrderBy(r => r.Index).ToArray();
        Assert.Equal(2, requests.Length);
        Assert.All(requests, r => Assert.Equal(streamed, wire.Streams(r)));
        Assert.Equal(["lookup_order"], wire.OfferedTools(requests[0].Body));
        Assert.Empty(wire.ToolExchangeIn(requests[0].Body).Results);

        // The second request repeats the model's call and answers it, by the call's id where the format has one.
        var exchange = wire.ToolExchangeIn(requests[1].Body);
        var call = Assert.Single(exchange.Calls);
        Assert.Equal("lookup_order", call.Name);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Arguments), JsonNode.Parse(call.ArgumentsJson)), call.ArgumentsJson);
        var result = Assert.Single(exchange.Results);
        Assert.Contains("order A-17 shipped on 2025-05-02", result.Content, StringComparison.Ordinal);
        if (wire != WireFormat.Ollama)
        {
            Assert.Equal(CallId, call.Id);
            Assert.Equal(CallId, result.CallId);
        }

        Assert.Equal("Your order: " + result.Content, answer);
        Assert.Equal(wire.ToolCallUsage + wire.ExpectedUsage, step.Usage);
        if (streamed)
        {
            Assert.Equal(answer, string.Concat(events.OfType<TokenEmitted>().Select(t => t.Text)));
            Assert.Equal("wire", Assert.Single(events.OfType<ProviderSelected>()).Provider);
        }
    }

    [Theory]
    [MemberData(nameof(WireFormat.AllStreamedAndNot), MemberType = typeof(WireFormat))]
    public async Task ToolCall_TwoCallsInOneReply_BothRun_AndBothResultsGoBack_EachToItsCall(WireFormat wire, bool streamed)
    {
        WireToolCall[] calls =
        [
            new("call_A17", "lookup_order", "{\"order_id\":\"A-17\"}"),
            new("call_B42", "lookup_order", "{\"order_id\":\"B-42\"}"),
        ];
        await using var server = await WireServer.StartAsync((r, context, ct) =>
        {
            if (r.Index == 0)
            {
                return wire.ToolCallsAsync(r, context, calls, ct);
            }

            var results = wire.ToolExchangeIn(r.Body).Results;
            return results.Count != 2
                ? wire.ErrorAsync(context, 400, "invalid_request_error", $"expected two tool results, got {results.Count}")
                : wire.ReplyAsync(r, context, [results[0].Content, " / ", results[1].Content], ct);
        });
        var lookups = new ConcurrentQueue<string>();
        using var runtime = TestSupport.Runtime(o =>
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
        var step = runtime.CreateStepContext("ask", streamed ? _ => { } : null);

        var answer = (await runtime.InvokeAgentAsync(Agent, TestSupport.Args(("q", JsonValue.Create("A-17 and B-42"))), step, CancellationToken.None))!.GetValue<string>();

        Assert.Equal(["A-17", "B-42"], lookups.Order(StringComparer.Ordinal));
        var exchange = wire.ToolExchangeIn(server.Requests.Single(r => r.Index == 1).Body);
        Assert.Equal(2, exchange.Calls.Count);
        Assert.Equal(2, exchange.Results.Count);
        if (wire == WireFormat.Ollama)
        {
            // No ids: the results answer the calls in order.
            Assert.Contains("A-17", exchange.Results[0].Content, StringComparison.Ordinal);
            Assert.Contains("B-42", exchange.Results[1].Content, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(["call_A17", "call_B42"], exchange.Calls.Select(c => c.Id));
            Assert.Contains("order A-17 shipped", exchange.Results.Single(r => r.CallId == "call_A17").Content, StringComparison.Ordinal);
            Assert.Contains("order B-42 shipped", exchange.Results.Single(r => r.CallId == "call_B42").Content, StringComparison.Ordinal);
        }

        Assert.Equal($"{exchange.Results[0].Content} / {exchange.Results[1].Content}", answer);
    }

    private static AgentDescriptor Agent =>
        new("support", [new ParameterDescriptor("q", "string")], "string", null, "wire", TestSupport.Template("Where is order {{q}}?"), Tools: ["lookup_order"]);
}
