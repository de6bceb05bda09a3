using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Atlas.Runtime.Tests;

/// <summary>
/// The spans and metrics of runs on the mock, exported with OpenTelemetry's in-memory exporter. Tests run in parallel,
/// and every listener sees every span: each test runs under a root span of its own and keeps only its trace.
/// </summary>
public class TelemetryTests
{
    private const string Secret = "sk-atlas-TELEMETRY-SECRET-5a4b3c2d1e";
    private static readonly ActivitySource TestSource = new("Atlas.Tests.Telemetry");

    private sealed class Holder
    {
        public JsonNode? Result { get; set; }
    }

    /// <summary>Runs <paramref name="run"/> under a root span and returns the spans of its trace, as exported.</summary>
    private static async Task<List<Activity>> Trace(Func<Task> run)
    {
        var exported = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(AtlasTelemetry.SourceName, TestSource.Name).AddInMemoryExporter(exported).Build())
        {
            using (var root = TestSource.StartActivity("test")!)
            {
                await run();
            }

            tracing!.ForceFlush();
        }

        var traceId = exported.Single(a => a.Source.Name == TestSource.Name).TraceId;
        return exported.Where(a => a.TraceId == traceId && a.Source.Name != TestSource.Name).ToList();
    }

    private static Activity Span(List<Activity> spans, string name) => Assert.Single(spans, s => s.DisplayName == name);

    private static WorkflowGraph<Holder> OneStep(AtlasRuntime runtime, string workflow, AgentDescriptor agent, StepPolicy? policy = null) =>
        new WorkflowGraphBuilder<Holder>(workflow)
            .Step("ask", [], async (state, step, ct) => state.Result = await runtime.InvokeAgentAsync(agent, TestSupport.Args(("task", JsonValue.Create("refund order A-1 " + Secret))), step, ct), policy)
            .Build(["ask"]);

    [Fact]
    public async Task Workflow_OnTheMock_IsWorkflowStepAgentChat_WithTheirAttributes()
    {
        using var runtime = TestSupport.Runtime(o => o.CaptureMessageContent = false);
        var graph = OneStep(runtime, "triage-spans", DelegationTests.Agent("support"));

        var spans = await Trace(() => runtime.RunAsync(graph, new Holder(), h => h.Result, CancellationToken.None));

        var workflow = Span(spans, "invoke_workflow triage-spans");
        var step = Span(spans, "step ask");
        var agent = Span(spans, "invoke_agent support");
        var chat = Assert.Single(spans, s => s.DisplayName.StartsWith("chat", StringComparison.Ordinal));
        Assert.Equal(workflow.SpanId, step.ParentSpanId);
        Assert.Equal(step.SpanId, agent.ParentSpanId);
        Assert.Equal(agent.SpanId, chat.ParentSpanId);
        Assert.Equal((ActivityKind.Internal, ActivityKind.Internal, ActivityKind.Internal, ActivityKind.Client), (workflow.Kind, step.Kind, agent.Kind, chat.Kind));

        var runId = workflow.GetTagItem("atlas.run.id") as string;
        Assert.Matches("^[0-9a-f]{16}$", runId);
        Assert.Equal("invoke_workflow", workflow.GetTagItem("gen_ai.operation.name"));
        Assert.Equal((runId, "ask"), (step.GetTagItem("atlas.run.id"), step.GetTagItem("atlas.step")));
        Assert.Equal(("invoke_agent", "support", runId, "ask"), (agent.GetTagItem("gen_ai.operation.name"), agent.GetTagItem("gen_ai.agent.name"), agent.GetTagItem("atlas.run.id"), agent.GetTagItem("atlas.step")));
        Assert.Equal(("chat", "atlas-mock"), (chat.GetTagItem("gen_ai.operation.name"), chat.GetTagItem("gen_ai.provider.name")));
        Assert.NotNull(chat.GetTagItem("gen_ai.request.model"));
        Assert.True(Convert.ToInt64(chat.GetTagItem("gen_ai.usage.input_tokens")) > 0);
        Assert.True(Convert.ToInt64(chat.GetTagItem("gen_ai.usage.output_tokens")) > 0);
        Assert.Equal(chat.GetTagItem("gen_ai.usage.output_tokens"), Convert.ToInt32(agent.GetTagItem("gen_ai.usage.output_tokens")));
        Assert.Equal(workflow.GetTagItem("gen_ai.usage.input_tokens"), agent.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.NotNull(workflow.GetTagItem("atlas.cost_usd"));
        Assert.All(spans, s => Assert.Equal(ActivityStatusCode.Unset, s.Status));
        Assert.Null(step.GetTagItem("atlas.retry"));

        // Content only on request: nothing of the messages by default.
        Assert.DoesNotContain(spans.SelectMany(s => s.TagObjects), t => t.Key is "gen_ai.input.messages" or "gen_ai.output.messages");
    }

    [Fact]
    public async Task AgentOnARoute_NamesTheRoute()
    {
        using var runtime = TestSupport.Runtime(o => o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["offline"])));
        var spans = await Trace(() => runtime.InvokeAgentAsync(DelegationTests.Agent("support", model: "smart"), TestSupport.Args(("task", JsonValue.Create("hi"))), null, CancellationToken.None));

        var agent = Span(spans, "invoke_agent support");
        Assert.Equal("smart", agent.GetTagItem("atlas.route"));
        Assert.Equal(agent.SpanId, Assert.Single(spans, s => s.Kind == ActivityKind.Client).ParentSpanId);
    }

    [Fact]
    public async Task ToolCall_IsAnExecuteToolSpan_UnderTheAgent()
    {
        var lookup = ReadOnlyTools.Mark(AIFunctionFactory.Create((string order_id) => "order " + order_id + " ships Monday", "lookup_order"));
        using var runtime = TestSupport.Runtime(o => o.Tools["lookup_order"] = lookup);
        var graph = OneStep(runtime, "tool-spans", DelegationTests.Agent("support") with { Tools = ["lookup_order"] });

        var spans = await Trace(() => runtime.RunAsync(graph, new Holder(), h => h.Result, CancellationToken.None));

        var agent = Span(spans, "invoke_agent support");
        var tool = Span(spans, "execute_tool lookup_order");
        Assert.Equal(agent.SpanId, tool.ParentSpanId);
        Assert.Equal(("execute_tool", "lookup_order", ActivityKind.Internal), (tool.GetTagItem("gen_ai.operation.name"), tool.GetTagItem("gen_ai.tool.name"), tool.Kind));
        Assert.NotNull(tool.GetTagItem("gen_ai.tool.call.id"));

        // The loop's two requests: one asking for the tool, one answering after it.
        Assert.Equal(2, spans.Count(s => s.Kind == ActivityKind.Client && s.ParentSpanId == agent.SpanId));
    }

    [Fact]
    public async Task FailingTool_WithAKeyInItsError_IsAFailedExecuteToolSpan_WithTheKeyBlankedOut()
    {
        var lookup = ReadOnlyTools.Mark(AIFunctionFactory.Create(string (string order_id) => throw new InvalidOperationException("denied for key " + Secret), "lookup_order"));
        using var runtime = TestSupport.Runtime(o => o.Tools["lookup_order"] = lookup);
        runtime.Secrets.Add(Secret);
        var graph = OneStep(runtime, "tool-error-spans", DelegationTests.Agent("support") with { Tools = ["lookup_order"] });

        var spans = await Trace(() => runtime.RunAsync(graph, new Holder(), h => h.Result, CancellationToken.None));

        var tool = Span(spans, "execute_tool lookup_order");
        Assert.Equal(ActivityStatusCode.Error, tool.Status);
        var everything = spans.SelectMany(s => s.TagObjects.Select(t => $"{t.Key}={t.Value}")
            .Append(s.StatusDescription ?? "")
            .Concat(s.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name} {t.Key}={t.Value}")))).ToList();
        Assert.Contains(everything, text => text.Contains("denied for key " + SecretRedactor.Mask, StringComparison.Ordinal));
        Assert.DoesNotContain(everything, text => text.Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FailingStep_SetsErrorTypeAndStatus_OnStepAndWorkflow_AndCountsItsRetry()
    {
        using var runtime = TestSupport.Runtime();
        var graph = new WorkflowGraphBuilder<Holder>("failing-spans")
            .Step("boom", [], (_, _, _) => throw new InvalidOperationException("no luck " + Secret), new StepPolicy(Retry: 1))
            .Build(["boom"]);
        runtime.Secrets.Add(Secret);

        var spans = await Trace(() => Assert.ThrowsAsync<WorkflowFailedException>(() => runtime.RunAsync(graph, new Holder(), h => h.Result, CancellationToken.None)));

        var workflow = Span(spans, "invoke_workflow failing-spans");
        var step = Span(spans, "step boom");
        foreach (var span in new[] { workflow, step })
        {
            Assert.Equal(ActivityStatusCode.Error, span.Status);
            Assert.Equal(typeof(InvalidOperationException).FullName, span.GetTagItem("error.type"));
            Assert.DoesNotContain(Secret, span.StatusDescription, StringComparison.Ordinal);
            Assert.Contains("no luck", span.StatusDescription, StringComparison.Ordinal);
        }

        Assert.Equal(1, step.GetTagItem("atlas.retry"));
        Assert.Equal("boom", workflow.GetTagItem("atlas.step"));
    }

    [Fact]
    public async Task MessageContent_OptedIn_IsOnTheChatSpan_WithTheKeyBlankedOut()
    {
        using var runtime = TestSupport.Runtime(o => o.CaptureMessageContent = true);
        runtime.Secrets.Add(Secret);
        var graph = OneStep(runtime, "content-spans", DelegationTests.Agent("support"));

        var spans = await Trace(() => runtime.RunAsync(graph, new Holder(), h => h.Result, CancellationToken.None));

        var chat = Assert.Single(spans, s => s.Kind == ActivityKind.Client);
        var input = JsonNode.Parse((string)chat.GetTagItem("gen_ai.input.messages")!)!.AsArray();
        var user = Assert.Single(input, m => (string?)m!["role"] == "user")!;
        Assert.Equal("support works on: refund order A-1 " + SecretRedactor.Mask, (string?)user["parts"]![0]!["content"]);
        var output = JsonNode.Parse((string)chat.GetTagItem("gen_ai.output.messages")!)!.AsArray();
        Assert.Equal("assistant", (string?)output[0]!["role"]);
        Assert.False(string.IsNullOrEmpty((string?)output[0]!["parts"]![0]!["content"]));

        // Nowhere in the trace: no attribute, no status, no event.
        var everything = spans.SelectMany(s => s.TagObjects.Select(t => $"{t.Key}={t.Value}").Append(s.StatusDescription ?? "").Concat(s.Events.Select(e => e.Name)));
        Assert.DoesNotContain(everything, text => text.Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_StepDurationRunCostAndTheChatClientsTokenUsage_AreRecordedOnTheAtlasMeter()
    {
        var measured = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == AtlasTelemetry.SourceName) l.EnableMeasurementEvents(instrument);
            },
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags) copy[tag.Key] = tag.Value;
            lock (measured) measured.Add((instrument.Name, value, copy));
        }

        listener.SetMeasurementEventCallback<double>(Record);
        listener.SetMeasurementEventCallback<int>((i, v, t, s) => Record(i, v, t, s));
        listener.SetMeasurementEventCallback<long>((i, v, t, s) => Record(i, v, t, s));
        listener.Start();

        using var runtime = TestSupport.Runtime();
        var graph = OneStep(runtime, "metric-run", DelegationTests.Agent("support"));
        await runtime.RunAsync(graph, new Holder(), h => h.Result, CancellationToken.None);

        List<(string Instrument, double Value, Dictionary<string, object?> Tags)> seen;
        lock (measured) seen = measured.ToList();
        var step = Assert.Single(seen, m => m.Instrument == "atlas.step.duration" && Equals(m.Tags["workflow"], "metric-run"));
        Assert.Equal(("ask", "succeeded"), (step.Tags["step"], step.Tags["status"]));
        Assert.True(step.Value >= 0);
        var cost = Assert.Single(seen, m => m.Instrument == "atlas.run.cost" && Equals(m.Tags["workflow"], "metric-run"));
        Assert.True(cost.Value >= 0);

        // From OpenTelemetryChatClient, on the same meter (other tests' requests count too: only that they are there).
        Assert.Contains(seen, m => m.Instrument == "gen_ai.client.token.usage" && Equals(m.Tags.GetValueOrDefault("gen_ai.token.type"), "input"));
        Assert.Contains(seen, m => m.Instrument == "gen_ai.client.operation.duration");
    }
}
