using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime.Tests;

public class WorkflowTests
{
    private sealed class Flow
    {
        public int Input { get; init; }

        public int A { get; set; }

        public int B { get; set; }

        public int C { get; set; }

        public string? Arm { get; set; }

        public ConcurrentQueue<string> Ran { get; } = new();
    }

    private static StepBody<Flow> Body(Action<Flow> action) => (s, _, _) =>
    {
        action(s);
        return Task.CompletedTask;
    };

    [Fact]
    public void Builder_UnknownDependencyOrCycleOrDuplicate_Throws()
    {
        var noop = Body(_ => { });
        var unknown = Assert.Throws<ArgumentException>(() => new WorkflowGraphBuilder<Flow>("w").Step("a", ["b"], noop).Build(["a"]));
        Assert.Contains("unknown step 'b'", unknown.Message);

        var cycle = Assert.Throws<ArgumentException>(() => new WorkflowGraphBuilder<Flow>("w").Step("a", ["b"], noop).Step("b", ["a"], noop).Step("c", [], noop).Build(["c"]));
        Assert.Contains("cycle: a, b", cycle.Message);

        Assert.Throws<ArgumentException>(() => new WorkflowGraphBuilder<Flow>("w").Step("a", ["a"], noop).Build([]));
        Assert.Throws<ArgumentException>(() => new WorkflowGraphBuilder<Flow>("w").Step("a", [], noop).Step("a", [], noop));
        Assert.Throws<ArgumentException>(() => new WorkflowGraphBuilder<Flow>("w").Step("a", [], noop).Build(["zz"]));
    }

    [Fact]
    public void Builder_Nodes_AreTopologicalWithKindsAndPolicies()
    {
        var noop = Body(_ => { });
        var graph = new WorkflowGraphBuilder<Flow>("support")
            .Switch("answer", ["triage"], _ => 0, [noop, noop], new StepPolicy(Retry: 1))
            .Step("triage", [], noop)
            .Build(["answer"]);

        Assert.Equal("support", graph.Workflow);
        Assert.Equal(["triage", "answer"], graph.Nodes.Select(n => n.Name));
        Assert.Equal((WorkflowNodeKind.Switch, 2, 1), (graph.Nodes[1].Kind, graph.Nodes[1].Arms, graph.Nodes[1].Policy.Retry));
        Assert.Equal(["answer"], graph.ReturnDependsOn);
    }

    [Fact]
    public async Task Run_IndependentSteps_RunConcurrently_AndJoinWaitsForBoth()
    {
        var started = 0;
        var bothStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task Independent(Flow s, Action<Flow> write)
        {
            if (Interlocked.Increment(ref started) == 2)
            {
                bothStarted.SetResult();
            }

            // Neither finishes before the other has started: only possible if they run at the same time.
            await bothStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
            write(s);
        }

        var graph = new WorkflowGraphBuilder<Flow>("w")
            .Step("a", [], (s, _, _) => Independent(s, f => f.A = f.Input * 2))
            .Step("b", [], (s, _, _) => Independent(s, f => f.B = f.Input + 1))
            .Step("c", ["a", "b"], Body(s => s.C = s.A + s.B))
            .Build(["c"]);
        var runtime = TestSupport.Runtime();

        var result = await runtime.RunAsync(graph, new Flow { Input = 10 }, s => s.C, CancellationToken.None);

        Assert.Equal(31, result);
    }

    [Theory]
    [InlineData(0, "billing")]
    [InlineData(1, "bug")]
    [InlineData(2, "other")]
    public async Task Run_Switch_TakesOnlyTheChosenArm(int input, string expected)
    {
        StepBody<Flow> Arm(string name) => Body(s =>
        {
            s.Ran.Enqueue(name);
            s.Arm = name;
        });

        var graph = new WorkflowGraphBuilder<Flow>("w")
            .Step("triage", [], Body(s => s.A = s.Input))
            .Switch("answer", ["triage"], s => s.A, [Arm("billing"), Arm("bug"), Arm("other")])
            .Step("after", ["answer"], Body(s => s.Ran.Enqueue("after")))
            .Build(["answer"]);
        var flow = new Flow { Input = input };

        var events = await TestSupport.Collect(TestSupport.Runtime(), graph, flow);

        Assert.Equal(expected, flow.Arm);
        Assert.Equal([expected, "after"], flow.Ran);
        Assert.Equal(["triage", "answer", "after"], events.OfType<StepCompleted>().Select(e => e.Step));
        Assert.True(events.OfType<RunCompleted>().Single().Succeeded);
    }

    [Fact]
    public async Task Run_SwitchArmOutOfRange_FailsTheRun()
    {
        var graph = new WorkflowGraphBuilder<Flow>("w")
            .Switch("answer", [], _ => 5, [Body(_ => { })])
            .Build(["answer"]);

        var error = await Assert.ThrowsAsync<WorkflowFailedException>(() => TestSupport.Runtime().RunAsync(graph, new Flow(), s => s.Arm, CancellationToken.None));

        Assert.Equal("answer", error.Step);
        Assert.Contains("arm 5", error.Message);
    }

    [Fact]
    public async Task Run_FailingStep_EmitsStepFailed_SkipsDependents_AndThrows()
    {
        var graph = new WorkflowGraphBuilder<Flow>("support")
            .Step("a", [], Body(s => s.A = 1))
            .Step("b", ["a"], Body(_ => throw new InvalidOperationException("model exploded")))
            .Step("c", ["b"], Body(s => s.Ran.Enqueue("c")))
            .Build(["c"]);
        var runtime = TestSupport.Runtime();
        var flow = new Flow();

        var events = await TestSupport.Collect(runtime, graph, flow);
        var error = await Assert.ThrowsAsync<WorkflowFailedException>(() => runtime.RunAsync(graph, new Flow(), s => s.C, CancellationToken.None));

        var failed = events.OfType<StepFailed>().Single();
        Assert.Equal(("b", "model exploded"), (failed.Step, failed.Error));
        Assert.Empty(flow.Ran);
        Assert.DoesNotContain(events, e => e.Step == "c");
        var completed = Assert.IsType<RunCompleted>(events[^1]);
        Assert.False(completed.Succeeded);
        Assert.Contains("model exploded", completed.Error);
        Assert.Equal("b", error.Step);
        Assert.Equal("Workflow 'support' failed at step 'b': model exploded", error.Message);
        Assert.IsType<InvalidOperationException>(error.InnerException);
    }

    [Fact]
    public async Task Run_StepsThatFinishAtOnce_RunOnTheCallersThread_AndAFailureIsTheTasks()
    {
        var graph = new WorkflowGraphBuilder<Flow>("chain")
            .Step("a", [], Body(s => s.A = s.Input + 1))
            .Step("b", ["a"], Body(s => s.B = s.A * 2))
            .Step("c", ["b"], Body(s => s.C = s.B + 1))
            .Build(["c"]);
        var runtime = TestSupport.Runtime();

        // Nothing awaits: the whole run happens inside the call, with no thread-pool work item.
        var run = runtime.RunAsync(graph, new Flow { Input = 1 }, s => s.C, CancellationToken.None);
        Assert.True(run.IsCompletedSuccessfully);
        Assert.Equal(5, await run);

        // A failure of such a run is the returned task's, as for any async method: nothing throws at the call.
        var failing = new WorkflowGraphBuilder<Flow>("failing").Step("a", [], Body(_ => throw new InvalidOperationException("no"))).Build(["a"]);
        var failed = runtime.RunAsync(failing, new Flow(), s => s.A, CancellationToken.None);
        Assert.True(failed.IsFaulted);
        Assert.Equal("Workflow 'failing' failed at step 'a': no", (await Assert.ThrowsAsync<WorkflowFailedException>(() => failed)).Message);
        var cancelled = runtime.RunAsync(graph, new Flow(), s => s.C, new CancellationToken(canceled: true));
        Assert.True(cancelled.IsCanceled);
    }

    [Fact]
    public async Task RunStreaming_EventsInOrder_WithOneRunIdAndTotals()
    {
        var agent = new AgentDescriptor("talker", [], "string", null, "offline", TestSupport.Template("Say hello to the team"));
        var graph = new WorkflowGraphBuilder<Flow>("w")
            .Step("talk", [], async (s, step, ct) => s.Arm = (await step.Runtime.InvokeAgentAsync(agent, TestSupport.Args(), step, ct))!.GetValue<string>())
            .Build(["talk"]);
        var runtime = TestSupport.Runtime(o => o.Providers[0] = new ProviderDescriptor("offline", ProviderKind.Mock, InputCostPerMillion: 1, OutputCostPerMillion: 1));

        var events = await TestSupport.Collect(runtime, graph, new Flow());

        Assert.IsType<RunStarted>(events[0]);
        Assert.IsType<StepStarted>(events[1]);
        Assert.IsType<ProviderSelected>(events[2]);
        Assert.All(events.Skip(3).Take(events.Count - 6), e => Assert.IsType<TokenEmitted>(e));
        var called = Assert.IsType<ModelCalled>(events[^3]); // after the reply's tokens: what was sent and what came back
        Assert.Equal(("talker", "offline", "Say hello to the team"), (called.Agent, called.Provider, JsonNode.Parse(called.Messages)![0]!["contents"]![0]!["text"]!.GetValue<string>()));
        Assert.Equal(string.Concat(events.OfType<TokenEmitted>().Select(t => t.Text)), called.Reply);
        var stepCompleted = Assert.IsType<StepCompleted>(events[^2]);
        var runCompleted = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Single(events.Select(e => e.RunId).Distinct());
        Assert.True(stepCompleted.Usage.TotalTokens > 0);
        Assert.Equal(stepCompleted.Usage, runCompleted.Usage);
        Assert.True(runCompleted.Usage.CostUsd > 0);
        Assert.True(runCompleted.Succeeded);
    }

    [Fact]
    public async Task Run_FlakyStep_RetriesWithEvents_ThenSucceeds()
    {
        var attempts = 0;
        var graph = new WorkflowGraphBuilder<Flow>("w")
            .Step("flaky", [], Body(s =>
            {
                if (Interlocked.Increment(ref attempts) <= 2)
                {
                    throw new TimeoutException($"attempt {attempts} failed");
                }

                s.A = 42;
            }), new StepPolicy(Retry: 3))
            .Build(["flaky"]);
        var flow = new Flow();

        var events = await TestSupport.Collect(TestSupport.Runtime(), graph, flow);

        Assert.Equal(42, flow.A);
        var retries = events.OfType<RetryScheduled>().ToList();
        Assert.Equal([1, 2], retries.Select(r => r.Attempt));
        Assert.Equal("attempt 1 failed", retries[0].Reason);
        Assert.True(retries[0].Delay > TimeSpan.Zero);
        Assert.True(events.OfType<RunCompleted>().Single().Succeeded);
    }

    [Fact]
    public async Task Run_RateLimited_WaitsRetryAfter()
    {
        var attempts = 0;
        var graph = new WorkflowGraphBuilder<Flow>("w")
            .Step("limited", [], Body(_ =>
            {
                if (Interlocked.Increment(ref attempts) == 1)
                {
                    throw new ProviderRateLimitedException("429 Too Many Requests", TimeSpan.FromMilliseconds(300));
                }
            }), new StepPolicy(Retry: 1))
            .Build([]);

        var events = await TestSupport.Collect(TestSupport.Runtime(), graph, new Flow());

        Assert.Equal(TimeSpan.FromMilliseconds(300), events.OfType<RetryScheduled>().Single().Delay);
    }

    [Fact]
    public async Task Run_StepTimesOut_PerAttempt_ThenFails()
    {
        var graph = new WorkflowGraphBuilder<Flow>("w")
            .Step("hang", [], async (_, _, ct) => await Task.Delay(Timeout.Infinite, ct), new StepPolicy(Retry: 1, Timeout: TimeSpan.FromMilliseconds(100)))
            .Build(["hang"]);
        var runtime = TestSupport.Runtime();

        var watch = Stopwatch.StartNew();
        var events = await TestSupport.Collect(runtime, graph, new Flow());
        watch.Stop();

        Assert.Single(events.OfType<RetryScheduled>());
        Assert.Equal("timed out after 100ms", events.OfType<StepFailed>().Single().Error);
        Assert.InRange(watch.ElapsedMilliseconds, 150, 3000);
    }

    [Fact]
    public async Task Run_Cancelled_StopsPromptly()
    {
        var stepStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var graph = new WorkflowGraphBuilder<Flow>("w")
            .Step("long", [], async (_, _, ct) =>
            {
                stepStarted.SetResult();
                await Task.Delay(TimeSpan.FromMinutes(5), ct);
            })
            .Step("after", ["long"], Body(_ => { }))
            .Build(["after"]);
        using var cts = new CancellationTokenSource();

        var run = TestSupport.Runtime().RunAsync(graph, new Flow(), s => s.A, cts.Token);
        await stepStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var watch = Stopwatch.StartNew();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(watch.ElapsedMilliseconds < 1000, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task ForEach_RunsInParallelUpToN_KeepsInputOrder()
    {
        var active = 0;
        var maxActive = 0;
        var graph = new WorkflowGraphBuilder<Flow>("w")
            .Step("all", [], async (s, step, ct) =>
            {
                var results = await step.ForEachAsync(Enumerable.Range(1, 20).ToList(), new StepPolicy(Parallelism: 4), async (x, _, c) =>
                {
                    var now = Interlocked.Increment(ref active);
                    InterlockedMax(ref maxActive, now);
                    await Task.Delay(Random.Shared.Next(1, 15), c);
                    Interlocked.Decrement(ref active);
                    return x * x;
                }, ct);
                s.A = results.Count;
                s.Ran.Enqueue(string.Join(",", results));
            })
            .Build(["all"]);
        var flow = new Flow();

        await TestSupport.Runtime().RunAsync(graph, flow, s => s.A, CancellationToken.None);

        Assert.Equal(string.Join(",", Enumerable.Range(1, 20).Select(x => x * x)), flow.Ran.Single());
        Assert.Equal(4, maxActive);
    }

    [Fact]
    public async Task ForEach_OneItemFails_AfterItsRetries_FailsTheStep()
    {
        var tries = new ConcurrentDictionary<int, int>();
        var graph = new WorkflowGraphBuilder<Flow>("w")
            .Step("all", [], async (s, step, ct) =>
            {
                await step.ForEachAsync(Enumerable.Range(0, 10).ToList(), new StepPolicy(Retry: 1, Parallelism: 3), (x, _, _) =>
                {
                    tries.AddOrUpdate(x, 1, (_, n) => n + 1);
                    return x == 6 ? throw new InvalidOperationException("bad item") : Task.FromResult(x);
                }, ct);
            })
            .Build(["all"]);

        var events = await TestSupport.Collect(TestSupport.Runtime(), graph, new Flow());

        Assert.Equal(2, tries[6]);
        Assert.Equal("item 7 of 10: bad item", events.OfType<StepFailed>().Single().Error);
        Assert.Single(events.OfType<RetryScheduled>());
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
