using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;

namespace Atlas.Runtime.Tests.Workflows;

/// <summary>The workflow runner on its own: how a run's outcome becomes a result, an exception, events or a block's result.</summary>
public class WorkflowRunnerTests
{
    private sealed class Flow
    {
        public int Input { get; init; }

        public int Doubled { get; set; }
    }

    private static readonly WorkflowGraph<Flow> Doubling = new WorkflowGraphBuilder<Flow>("doubling")
        .Step("double", [], (s, step, _) =>
        {
            s.Doubled = s.Input * 2;
            step.AddUsage(new Usage(10, 5, 0.5m));
            return Task.CompletedTask;
        })
        .Build(["double"]);

    [Fact]
    public async Task WorkflowRunner_ACalledWorkflow_ReturnsItsResultAndWhatItSpent_ItsEventsGoToTheCaller()
    {
        using var runtime = TestSupport.Runtime();
        var runner = new WorkflowRunner(runtime);
        var events = new List<AtlasEvent>();

        var (value, usage) = await runner.RunCalledAsync(Doubling, new Flow { Input = 21 }, s => s.Doubled, events.Add, CancellationToken.None);

        Assert.Equal(42, value);
        Assert.Equal(new Usage(10, 5, 0.5m), usage);
        Assert.Equal(["RunStarted", "StepStarted", "StepCompleted", "RunCompleted"], events.Select(e => e.GetType().Name));
    }

    [Fact]
    public async Task WorkflowRunner_AReturnThatThrows_FailsTheRunAtReturn_NamingTheWorkflow()
    {
        using var runtime = TestSupport.Runtime();
        var runner = new WorkflowRunner(runtime);

        var error = await Assert.ThrowsAsync<WorkflowFailedException>(() => runner.RunAsync<Flow, int>(Doubling, new Flow(), _ => throw new InvalidOperationException("no result"), CancellationToken.None));

        Assert.Equal("return", error.Step);
        Assert.Equal("Workflow 'doubling' failed at step 'return': no result", error.Message);
        Assert.IsType<InvalidOperationException>(error.InnerException);
    }

    [Fact]
    public async Task WorkflowRunner_Streaming_AFailedRun_EndsWithRunCompletedNotSucceeded_AndDoesNotThrow()
    {
        using var runtime = TestSupport.Runtime();
        var runner = new WorkflowRunner(runtime);
        var failing = new WorkflowGraphBuilder<Flow>("failing").Step("a", [], (_, _, _) => throw new InvalidOperationException("broken")).Build(["a"]);

        var events = new List<AtlasEvent>();
        await foreach (var e in runner.RunStreamingAsync(failing, new Flow(), options: null, CancellationToken.None)) events.Add(e);

        Assert.Equal(["RunStarted", "StepStarted", "StepFailed", "RunCompleted"], events.Select(e => e.GetType().Name));
        var completed = (RunCompleted)events[^1];
        Assert.False(completed.Succeeded);
        Assert.Equal("step 'a' failed: broken", completed.Error);
        Assert.Single(events.Select(e => e.RunId).Distinct());
    }

    [Fact]
    public async Task WorkflowRunner_Block_AnInputWhoseStateCannotBeMade_IsAnErrorResultAtInput_TheOthersRun()
    {
        using var runtime = TestSupport.Runtime();
        var runner = new WorkflowRunner(runtime);
        var block = runner.CreateBlock<int, Flow, int>(Doubling, i => i < 0 ? throw new ArgumentException("negative") : new Flow { Input = i }, s => s.Doubled, options: null);

        foreach (var input in new[] { 1, -1, 2 }) await block.SendAsync(input);
        block.Complete();
        var results = new List<WorkflowResult<int>>();
        while (await block.OutputAvailableAsync()) results.Add(await block.ReceiveAsync());
        await block.Completion;

        Assert.Equal([2, 4], results.Where(r => r.Succeeded).Select(r => r.Value).Order());
        Assert.Equal("step 'input' failed: negative", Assert.Single(results, r => !r.Succeeded).Error);
    }
}
