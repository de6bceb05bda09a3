using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime.Tests.Workflows;

/// <summary>The engine on its own: one run of a graph against a <see cref="RunContext"/>, with no runner around it.</summary>
public class WorkflowEngineTests
{
    private sealed class Flow
    {
        public ConcurrentQueue<string> Ran { get; } = new();
    }

    private static StepBody<Flow> Record(string name) => (s, _, _) =>
    {
        s.Ran.Enqueue(name);
        return Task.CompletedTask;
    };

    [Fact]
    public async Task WorkflowEngine_AFailedStep_IsRecordedNotThrown_ItsDependentsAreSkipped_AndARunningStepGoesOn()
    {
        using var runtime = TestSupport.Runtime();
        var slowMayFinish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var graph = new WorkflowGraphBuilder<Flow>("w")
            .Step("a", [], Record("a"))
            .Step("slow", ["a"], async (s, _, _) =>
            {
                await slowMayFinish.Task.WaitAsync(TimeSpan.FromSeconds(5));
                s.Ran.Enqueue("slow");
            })
            .Step("fails", ["a"], (_, _, _) =>
            {
                slowMayFinish.SetResult();
                throw new InvalidOperationException("broken");
            })
            .Step("after", ["fails"], Record("after"))
            .Build(["after", "slow"]);
        var context = new RunContext(runtime, graph.Workflow, onEvent: null);
        var flow = new Flow();

        await graph.Engine.RunAsync(runtime, flow, context, limits: null, CancellationToken.None);

        Assert.Equal(["a", "slow"], flow.Ran);
        Assert.Equal(("fails", "broken"), (context.Failure?.Step, context.Failure?.Error));
    }

    [Fact]
    public async Task WorkflowEngine_Observed_EmitsStartedAndCompletedPerStepInDependencyOrder_Unobserved_EmitsNothing()
    {
        using var runtime = TestSupport.Runtime();
        var graph = new WorkflowGraphBuilder<Flow>("w")
            .Step("c", ["b"], Record("c"))
            .Step("b", ["a"], Record("b"))
            .Step("a", [], Record("a"))
            .Build(["c"]);
        var events = new List<AtlasEvent>();
        var observed = new RunContext(runtime, graph.Workflow, events.Add);
        var unobserved = new RunContext(runtime, graph.Workflow, onEvent: null);

        await graph.Engine.RunAsync(runtime, new Flow(), observed, limits: null, CancellationToken.None);
        var flow = new Flow();
        await graph.Engine.RunAsync(runtime, flow, unobserved, limits: null, CancellationToken.None);

        Assert.Equal(
            ["StepStarted a", "StepCompleted a", "StepStarted b", "StepCompleted b", "StepStarted c", "StepCompleted c"],
            events.Select(e => $"{e.GetType().Name} {e.Step}"));
        Assert.Equal(["a", "b", "c"], flow.Ran);
        Assert.False(unobserved.Observed);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 4)]
    public async Task WorkflowEngine_StepLimits_CapHowManyRunsAreInsideAStepAtOnce(bool limited, int expectedPeak)
    {
        using var runtime = TestSupport.Runtime();
        var inside = 0;
        var peak = 0;
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var graph = new WorkflowGraphBuilder<Flow>("w")
            .Step("busy", [], async (_, _, _) =>
            {
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref peak, now);
                if (now == 4) allStarted.TrySetResult();

                // Unlimited, all four are inside before any leaves; limited, each leaves after a short wait.
                await Task.WhenAny(allStarted.Task, Task.Delay(50));
                Interlocked.Decrement(ref inside);
            })
            .Build(["busy"]);
        using var limits = limited ? new StepLimits(1, 1) : null;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            graph.Engine.RunAsync(runtime, new Flow(), new RunContext(runtime, graph.Workflow, onEvent: null), limits, CancellationToken.None)));

        Assert.Equal(expectedPeak, peak);
    }

    [Fact]
    public async Task WorkflowEngine_Cancelled_EndsTheRunWithOperationCanceled_AndRecordsNoFailure()
    {
        using var runtime = TestSupport.Runtime();
        using var cancel = new CancellationTokenSource();
        var graph = new WorkflowGraphBuilder<Flow>("w")
            .Step("waits", [], async (_, _, ct) =>
            {
                await cancel.CancelAsync();
                await Task.Delay(Timeout.Infinite, ct);
            })
            .Step("after", ["waits"], Record("after"))
            .Build(["after"]);
        var context = new RunContext(runtime, graph.Workflow, onEvent: null);
        var flow = new Flow();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => graph.Engine.RunAsync(runtime, flow, context, limits: null, cancel.Token));

        Assert.Empty(flow.Ran);
        Assert.Null(context.Failure);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
