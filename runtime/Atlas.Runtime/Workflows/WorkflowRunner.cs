using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;

namespace Atlas.Runtime;

/// <summary>
/// Runs workflow graphs on a runtime: one input at a time (<see cref="RunAsync"/>, <see cref="RunStreamingAsync"/>, a
/// workflow a step calls) or a stream of inputs through a dataflow block (<see cref="CreateBlock"/>). Each run gets its
/// own <see cref="RunContext"/>; the graph's <see cref="WorkflowEngine{TState}"/> executes its steps, and this turns the
/// run's outcome into a result, a <see cref="WorkflowFailedException"/> or the closing <see cref="RunCompleted"/> event.
/// The runtime's workflow methods delegate here. Thread-safe: runs share nothing but the runtime.
/// </summary>
internal sealed class WorkflowRunner(AtlasRuntime runtime)
{
    /// <summary>One unobserved run (see <see cref="AtlasRuntime.RunAsync"/>): its result, or its failure as <see cref="WorkflowFailedException"/>.</summary>
    public Task<TResult> RunAsync<TState, TResult>(WorkflowGraph<TState> graph, TState state, Func<TState, TResult> result, CancellationToken cancellationToken)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(result);
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<TResult>(cancellationToken);
        var context = new RunContext(runtime, graph.Workflow, onEvent: null) { Budget = graph.Budget };
        var run = graph.Engine.RunAsync(runtime, state, context, limits: null, cancellationToken);
        if (!run.IsCompletedSuccessfully) return ResultAsync(run, graph, state, context, result);

        // Finished on this thread: hand back a finished task (a failure too is the task's, never thrown here).
        try
        {
            return Task.FromResult(Result(graph, state, context, result, "Workflow"));
        }
        catch (Exception ex)
        {
            return Task.FromException<TResult>(ex);
        }
    }

    /// <summary>One run's events as they happen (see <see cref="AtlasRuntime.RunStreamingAsync"/>), ending with <see cref="RunCompleted"/>.</summary>
    public IAsyncEnumerable<AtlasEvent> RunStreamingAsync<TState>(WorkflowGraph<TState> graph, TState state, CancellationToken cancellationToken)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(state);
        return ProducedStream.ReadAsync(
            Channel.CreateUnbounded<AtlasEvent>(new UnboundedChannelOptions { SingleReader = true }),
            (events, token) => RunObservedAsync(graph, state, e => events.TryWrite(e), token),
            cancellationToken);
    }

    /// <summary>A block that runs every input sent to it (see <see cref="AtlasRuntime.CreateBlock"/>); a failed input is an error result.</summary>
    public IPropagatorBlock<TInput, WorkflowResult<TResult>> CreateBlock<TInput, TState, TResult>(
        WorkflowGraph<TState> graph, Func<TInput, TState> createState, Func<TState, TResult> result, WorkflowBlockOptions? options)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(createState);
        ArgumentNullException.ThrowIfNull(result);
        options ??= new WorkflowBlockOptions();
        var capacity = Math.Max(1, options.BoundedCapacity);
        var maxRuns = Math.Max(1, options.MaxConcurrentRuns);
        var onEvent = options.OnEvent;
        var engine = graph.Engine;

        // One block runs whole runs, as many at once as allowed; a step's own parallelism is a limit per step.
        var limits = options.MaxParallelismPerStep is { } perStep && perStep < maxRuns && engine.Steps.Count > 0
            ? new StepLimits(engine.Steps.Count, Math.Max(1, perStep))
            : null;
        var cancellationToken = options.CancellationToken;
        return WorkflowStream<TInput, TResult>.Create(
            input => RunOneAsync(graph, createState, result, input, onEvent, limits, cancellationToken),
            capacity,
            maxRuns,
            limits is null ? null : limits.Dispose,
            cancellationToken);
    }

    /// <summary>
    /// A workflow a step calls (see <see cref="StepContext.RunWorkflowAsync"/>): its result and what it spent; its events
    /// go to <paramref name="onEvent"/>. Throws <see cref="WorkflowFailedException"/> when it fails.
    /// </summary>
    public async Task<(TResult Value, Usage Usage)> RunCalledAsync<TState, TResult>(
        WorkflowGraph<TState> graph, TState state, Func<TState, TResult> result, Action<AtlasEvent>? onEvent, CancellationToken cancellationToken)
        where TState : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        var context = new RunContext(runtime, graph.Workflow, onEvent) { Budget = graph.Budget };
        if (context.Observed) context.Emit(new RunStarted(context.RunId, graph.Workflow, context.Now));
        await graph.Engine.RunAsync(runtime, state, context, limits: null, cancellationToken).ConfigureAwait(false);
        return (Result(graph, state, context, result, "workflow"), context.Usage);
    }

    /// <summary>One input of a stream: its run, its events, and its result or error; only cancellation throws.</summary>
    private async ValueTask<WorkflowResult<TResult>> RunOneAsync<TInput, TState, TResult>(
        WorkflowGraph<TState> graph, Func<TInput, TState> createState, Func<TState, TResult> result, TInput input, Action<AtlasEvent>? onEvent, StepLimits? limits, CancellationToken cancellationToken)
        where TState : class
    {
        var context = new RunContext(runtime, graph.Workflow, onEvent) { Budget = graph.Budget };
        if (context.Observed) context.Emit(new RunStarted(context.RunId, graph.Workflow, context.Now));
        TState? state = null;
        try
        {
            state = createState(input);
        }
        catch (Exception ex)
        {
            context.Fail("input", ex);
            if (context.Observed) context.Emit(new StepFailed(context.RunId, "input", context.Now, RunContext.Describe(ex)));
        }

        TResult? value = default;
        RunFailure? failure;
        if (state is null)
        {
            failure = Complete(context);
        }
        else
        {
            await graph.Engine.RunAsync(runtime, state, context, limits, cancellationToken).ConfigureAwait(false);
            (value, failure) = Finish(state, context, result);
        }

        return new WorkflowResult<TResult>(context, value, failure is null ? null : $"step '{failure.Step}' failed: {failure.Error}");
    }

    /// <summary>A run whose events go to <paramref name="onEvent"/>: from <see cref="RunStarted"/> to <see cref="RunCompleted"/>; a failure is an event, not an exception.</summary>
    private async Task RunObservedAsync<TState>(WorkflowGraph<TState> graph, TState state, Action<AtlasEvent> onEvent, CancellationToken cancellationToken)
        where TState : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        var context = new RunContext(runtime, graph.Workflow, onEvent) { Budget = graph.Budget };
        context.Emit(new RunStarted(context.RunId, graph.Workflow, context.Now));
        await graph.Engine.RunAsync(runtime, state, context, limits: null, cancellationToken).ConfigureAwait(false);
        Complete(context);
    }

    private static async Task<TResult> ResultAsync<TState, TResult>(Task run, WorkflowGraph<TState> graph, TState state, RunContext context, Func<TState, TResult> result)
        where TState : class
    {
        await run.ConfigureAwait(false);
        return Result(graph, state, context, result, "Workflow");
    }

    /// <summary>The result of a finished, unobserved run, or its failure thrown as <see cref="WorkflowFailedException"/>.</summary>
    private static TResult Result<TState, TResult>(WorkflowGraph<TState> graph, TState state, RunContext context, Func<TState, TResult> result, string noun)
        where TState : class
    {
        var (value, failure) = Finish(state, context, result);
        if (failure is null) return value!;
        throw new WorkflowFailedException(
            context.RunId,
            failure.Step,
            failure.Step is null ? $"{noun} '{graph.Workflow}' failed: {failure.Error}" : $"{noun} '{graph.Workflow}' failed at step '{failure.Step}': {failure.Error}",
            failure.Exception);
    }

    /// <summary>The run's result once every step has finished (a failing <paramref name="result"/> fails the run at <c>return</c>), and its failure.</summary>
    private static (TResult? Value, RunFailure? Failure) Finish<TState, TResult>(TState state, RunContext context, Func<TState, TResult> result)
        where TState : class
    {
        TResult? value = default;
        if (!context.IsFailed)
        {
            try
            {
                value = result(state);
            }
            catch (Exception ex)
            {
                context.Fail("return", ex);
                if (context.Observed) context.Emit(new StepFailed(context.RunId, "return", context.Now, RunContext.Describe(ex)));
            }
        }

        return (value, Complete(context));
    }

    /// <summary>The run's failure, if any, after its closing <see cref="RunCompleted"/> event (when observed).</summary>
    private static RunFailure? Complete(RunContext context)
    {
        var failure = context.Failure;
        if (context.Observed)
        {
            context.Emit(new RunCompleted(context.RunId, context.Now, context.Elapsed, context.Usage, failure is null, failure is null ? null : $"step '{failure.Step}' failed: {failure.Error}"));
        }

        return failure;
    }
}
