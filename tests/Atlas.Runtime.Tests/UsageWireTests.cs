using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests;

/// <summary>
/// Token usage read from each provider's wire reply (OpenAI's <c>usage</c> chunk asked for with
/// <c>stream_options</c>, Anthropic's <c>message_start</c> / <c>message_delta</c> usage, Ollama's
/// <c>prompt_eval_count</c> / <c>eval_count</c>) reaches StepCompleted and RunCompleted, priced
/// with the declared cost table, per step and per run.
/// </summary>
public class UsageWireTests
{
    private const string Key = "sk-wire-test-0123456789";

    private sealed class Flow
    {
        public string? Triage { get; set; }

        public string? Answer { get; set; }

        public string? Local { get; set; }
    }

    public static TheoryData<WireFormat, double, double, decimal> PricedFormats() => new()
    {
        // OpenAI: 7 in × 0.15 + 4 out × 0.60 USD per million.
        { WireFormat.OpenAI, 0.15, 0.60, 0.00000345m },

        // Anthropic: 12 in (message_start) × 3 + 4 out (message_delta) × 15.
        { WireFormat.Anthropic, 3, 15, 0.000096m },

        // Ollama: 9 in (prompt_eval_count) × 0.1 + 4 out (eval_count) × 0.2.
        { WireFormat.Ollama, 0.1, 0.2, 0.0000017m },
    };

    [Theory]
    [MemberData(nameof(PricedFormats))]
    public async Task Usage_FromTheWireReply_ReachesStepAndRunCompleted_PricedByTheCostTable(WireFormat wire, double input, double output, decimal cost)
    {
        await using var server = await WireServer.StartAsync((r, context, ct) => wire.ReplyAsync(r, context, ct));
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("wire", server.BaseUrl) with { InputCostPerMillion = input, OutputCostPerMillion = output });
        });
        var graph = new WorkflowGraphBuilder<Flow>("ask")
            .Step("answer", [], async (s, step, ct) => s.Answer = await Text(runtime, Agent("wire"), step, ct))
            .Build(["answer"]);

        var events = await TestSupport.Collect(runtime, graph, new Flow());

        var expected = wire.ExpectedUsage with { CostUsd = cost };
        Assert.Equal(expected, Assert.Single(events.OfType<StepCompleted>()).Usage);
        var run = Assert.IsType<RunCompleted>(events[^1]);
        Assert.True(run.Succeeded, run.Error);
        Assert.Equal(expected, run.Usage);

        // OpenAI sends the usage chunk of a stream only when asked to.
        var body = JsonNode.Parse(Assert.Single(server.Requests).Body)!;
        if (wire == WireFormat.OpenAI)
        {
            Assert.True(body["stream_options"]?["include_usage"]?.GetValue<bool>(), body.ToJsonString());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Usage_AnthropicMessageDeltaWithCumulativeInputTokens_IsNotCountedTwice(bool streamed)
    {
        // The API's message_delta may repeat the input tokens (cumulative counts, cache fields included).
        var wire = WireFormat.Anthropic;
        await using var server = await WireServer.StartAsync(async (r, context, ct) =>
        {
            if (!wire.Streams(r))
            {
                await wire.ReplyAsync(r, context, ct);
                return;
            }

            await wire.BeginAsync(context);
            foreach (var frame in wire.Frames())
            {
                await WireFormat.WriteFrameAsync(
                    context,
                    frame.Replace("\"usage\":{\"output_tokens\":4}", "\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":4}", StringComparison.Ordinal),
                    ct);
            }
        });
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("wire", server.BaseUrl) with { InputCostPerMillion = 3, OutputCostPerMillion = 15 });
        });
        var step = runtime.CreateStepContext("ask", streamed ? _ => { } : null);

        await Text(runtime, Agent("wire"), step, CancellationToken.None);

        Assert.Equal(streamed, wire.Streams(Assert.Single(server.Requests)));
        Assert.Equal(new Usage(12, 4, 0.000096m), step.Usage);
    }

    [Fact]
    public async Task Usage_MultiStepWorkflow_OverThreeWireFormats_TotalsPerStepAndPerRun()
    {
        // Each server answers; one offered a tool and not yet sent its result first asks for a tool call.
        await using var openai = await SmartServer(WireFormat.OpenAI);
        await using var anthropic = await SmartServer(WireFormat.Anthropic);
        await using var ollama = await SmartServer(WireFormat.Ollama);
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(WireFormat.OpenAI.Descriptor("oa", openai.BaseUrl) with { InputCostPerMillion = 0.15, OutputCostPerMillion = 0.60 });
            o.Providers.Add(WireFormat.Anthropic.Descriptor("an", anthropic.BaseUrl) with { InputCostPerMillion = 3, OutputCostPerMillion = 15 });
            o.Providers.Add(WireFormat.Ollama.Descriptor("ol", ollama.BaseUrl) with { InputCostPerMillion = 0.1, OutputCostPerMillion = 0.2 });
            o.Tools["lookup_order"] = AIFunctionFactory.Create((string order_id) => $"order {order_id} shipped", "lookup_order");
        });
        var graph = new WorkflowGraphBuilder<Flow>("support")
            .Step("triage", [], async (s, step, ct) => s.Triage = await Text(runtime, Agent("oa"), step, ct))
            .Step("answer", ["triage"], async (s, step, ct) => s.Answer = await Text(runtime, Agent("an") with { Tools = ["lookup_order"] }, step, ct))
            .Step("local", [], async (s, step, ct) =>
            {
                // Two calls in one step: the step counts both.
                var first = await Text(runtime, Agent("ol"), step, ct);
                s.Local = first + await Text(runtime, Agent("ol"), step, ct);
            })
            .Build(["answer", "local"]);
        var flow = new Flow();

        var events = await TestSupport.Collect(runtime, graph, flow);

        var run = Assert.IsType<RunCompleted>(events[^1]);
        Assert.True(run.Succeeded, run.Error);
        Assert.Equal("Hello from the wire", flow.Answer);
        var steps = events.OfType<StepCompleted>().ToDictionary(s => s.Step!, s => s.Usage);

        // triage: OpenAI 7 + 4 tokens at 0.15 / 0.60.
        Assert.Equal(new Usage(7, 4, 0.00000345m), steps["triage"]);

        // answer: Anthropic tool call (40 + 12) then the answer (12 + 4), at 3 / 15: 0.000276 + 0.00012.
        Assert.Equal(new Usage(52, 16, 0.000396m), steps["answer"]);

        // local: Ollama twice (9 + 4), at 0.1 / 0.2.
        Assert.Equal(new Usage(18, 8, 0.0000034m), steps["local"]);

        Assert.Equal(new Usage(77, 28, 0.00040285m), run.Usage);
        Assert.Equal(steps.Values.Aggregate(Usage.Zero, (a, b) => a + b), run.Usage);
        Assert.Equal((1, 2, 2), (openai.Requests.Count, anthropic.Requests.Count, ollama.Requests.Count));
    }

    private static Task<WireServer> SmartServer(WireFormat wire) =>
        WireServer.StartAsync((r, context, ct) =>
            wire.OfferedTools(r.Body).Count > 0 && wire.ToolExchangeIn(r.Body).Results.Count == 0
                ? wire.ToolCallAsync(r, context, "call_1", "lookup_order", "{\"order_id\":\"A-17\"}", ct)
                : wire.ReplyAsync(r, context, ct));

    private static async Task<string> Text(AtlasRuntime runtime, AgentDescriptor agent, StepContext step, CancellationToken cancellationToken) =>
        (await runtime.InvokeAgentAsync(agent, new Dictionary<string, JsonNode?>(), step, cancellationToken))!.GetValue<string>();

    private static AgentDescriptor Agent(string model) => new("helper", [], "string", null, model, TestSupport.Template("hello"));
}
