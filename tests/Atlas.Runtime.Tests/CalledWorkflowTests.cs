using System;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime.Tests;

/// <summary>A workflow that calls another: the called one's tokens, choices and cost belong to the calling step.</summary>
public class CalledWorkflowTests
{
    private sealed class Inner
    {
        public string Text = "";
        public string Reply = "";
    }

    private sealed class Outer
    {
        public string Text = "";
        public string Answer = "";
    }

    private static readonly AgentDescriptor Echo =
        new("echo", [new ParameterDescriptor("text", "string")], "string", null, "offline", TestSupport.Template("Repeat: {{text}}"));

    private static WorkflowGraph<Inner> InnerGraph() => new WorkflowGraphBuilder<Inner>("inner")
        .Step("reply", [], async (state, step, ct) =>
        {
            var node = await step.Runtime.InvokeAgentAsync(Echo, TestSupport.Args(("text", JsonValue.Create(state.Text))), step, ct);
            state.Reply = node!.GetValue<string>();
        })
        .Build(["reply"]);

    private static WorkflowGraph<Outer> OuterGraph(WorkflowGraph<Inner> inner) => new WorkflowGraphBuilder<Outer>("outer")
        .Step("answer", [], async (state, step, ct) =>
            state.Answer = await step.RunWorkflowAsync(inner, new Inner { Text = state.Text }, s => s.Reply, ct))
        .Build(["answer"]);

    [Fact]
    public async Task CalledWorkflow_TokensAndCost_AreTheCallingStepsAndEachOuterStepRunsOnce()
    {
        await using var runtime = TestSupport.Runtime();
        var events = await TestSupport.Collect(runtime, OuterGraph(InnerGraph()), new Outer { Text = "the quick brown fox" });

        var runId = Assert.IsType<RunStarted>(events[0]).RunId;
        Assert.All(events, e => Assert.Equal(runId, e.RunId));
        Assert.Single(events.OfType<RunStarted>());
        Assert.Single(events.OfType<RunCompleted>());
        Assert.Equal(new[] { "answer" }, events.OfType<StepStarted>().Select(e => e.Step));

        var tokens = events.OfType<TokenEmitted>().ToList();
        Assert.NotEmpty(tokens);
        Assert.All(tokens, t => Assert.Equal("answer", t.Step));
        Assert.Contains(events.OfType<ProviderSelected>(), e => e.Step == "answer" && e.Provider == "offline");

        var completed = Assert.Single(events.OfType<StepCompleted>());
        Assert.True(completed.Usage.TotalTokens > 0, "the called workflow's tokens count toward the calling step");
        Assert.Equal(completed.Usage, events.OfType<RunCompleted>().Single().Usage);
    }

    [Fact]
    public async Task CalledWorkflow_Failure_FailsTheCallingStepWithTheCalledWorkflowsStep()
    {
        var failing = new WorkflowGraphBuilder<Inner>("inner")
            .Step("reply", [], (_, _, _) => throw new InvalidOperationException("no reply"))
            .Build(["reply"]);
        await using var runtime = TestSupport.Runtime();

        var error = await Assert.ThrowsAsync<WorkflowFailedException>(() =>
            runtime.RunAsync(OuterGraph(failing), new Outer { Text = "x" }, s => s.Answer, CancellationToken.None));

        Assert.Equal("answer", error.Step);
        Assert.Contains("workflow 'inner' failed at step 'reply'", error.Message);
        Assert.Contains("no reply", error.Message);
    }
}
