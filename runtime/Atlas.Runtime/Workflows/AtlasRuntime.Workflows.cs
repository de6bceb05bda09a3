using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;

namespace Atlas.Runtime;

public sealed partial class AtlasRuntime
{
    /// <summary>Runs a workflow for one input and returns its result (throws <see cref="WorkflowFailedException"/> on failure).</summary>
    /// <remarks>
    /// The run executes the graph directly: each step starts once the steps it reads are done, independent steps
    /// run at once, and steps that finish synchronously (cached tools, plain values) run on the caller's thread with
    /// no scheduling at all. Each call gets its own run, so concurrent calls share nothing but the runtime's
    /// providers; nothing is allocated for events (nobody observes this run). Cancelling throws
    /// <see cref="OperationCanceledException"/>; running steps see the same token.
    /// </remarks>
    /// <typeparam name="TState">The run's state: the workflow's inputs and one slot per step's result, written by the steps.</typeparam>
    /// <typeparam name="TResult">What the workflow returns.</typeparam>
    /// <param name="graph">The workflow, built once and shared by every run.</param>
    /// <param name="state">A fresh state holding this run's input; the run writes its steps' results into it.</param>
    /// <param name="result">Builds the workflow's return from the state once every step has finished.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What <paramref name="result"/> built.</returns>
    /// <exception cref="WorkflowFailedException">A step (or <paramref name="result"/>) failed; <see cref="WorkflowFailedException.Step"/> says which.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<TResult> RunAsync<TState, TResult>(WorkflowGraph<TState> graph, TState state, Func<TState, TResult> result, CancellationToken cancellationToken)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(result);
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<TResult>(cancellationToken);
        var context = new RunContext(this, graph.Workflow, onEvent: null) { Budget = graph.Budget };
        var run = graph.Engine.RunAsync(this, state, context, limits: null, cancellationToken);
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

    /// <summary>Runs a workflow for one input, yielding its events as they happen (ending with RunCompleted).</summary>
    /// <remarks>
    /// A failed run does not throw: its <see cref="StepFailed"/> event says where and why, and the final
    /// <see cref="RunCompleted"/> has <c>Succeeded = false</c>. Cancelling ends the enumeration with
    /// <see cref="OperationCanceledException"/>. Events are buffered unbounded between the run and the
    /// reader (one run's events are few).
    /// </remarks>
    /// <typeparam name="TState">The run's state.</typeparam>
    /// <param name="graph">The workflow.</param>
    /// <param name="state">A fresh state holding this run's input.</param>
    /// <param name="cancellationToken">Cancels the run and ends the enumeration.</param>
    /// <returns>The run's events, from <see cref="RunStarted"/> to <see cref="RunCompleted"/>.</returns>
    public async IAsyncEnumerable<AtlasEvent> RunStreamingAsync<TState>(WorkflowGraph<TState> graph, TState state, [EnumeratorCancellation] CancellationToken cancellationToken)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(state);
        var events = Channel.CreateUnbounded<AtlasEvent>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = Task.Run(
            async () =>
            {
                try
                {
                    await RunObservedAsync(graph, state, e => events.Writer.TryWrite(e), stop.Token).ConfigureAwait(false);
                    events.Writer.TryComplete();
                }
                catch (Exception ex)
                {
                    events.Writer.TryComplete(ex);
                }
            },
            CancellationToken.None);

        try
        {
            await foreach (var atlasEvent in events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return atlasEvent;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await run.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>A block for pushing many inputs through with bounded capacity; one failed input yields an error result and the others go on.</summary>
    /// <remarks>
    /// Results come out in <b>completion order</b> (not input order): a slow input does not hold back
    /// the ones behind it; match them by <see cref="WorkflowResult{T}.RunId"/> (reported in
    /// <see cref="RunStarted"/>) or carry a key in the state. At most
    /// <see cref="WorkflowBlockOptions.MaxConcurrentRuns"/> inputs run at once (each through the whole graph, as
    /// <see cref="RunAsync"/> runs it), at most <see cref="WorkflowBlockOptions.MaxParallelismPerStep"/> of them in
    /// any one step, and at most <see cref="WorkflowBlockOptions.BoundedCapacity"/> more wait, so memory stays flat
    /// however long the stream. Use <c>SendAsync</c>, then <c>Complete()</c>, and read every result. Cancelling the
    /// token of the options cancels the block and every run in it.
    /// </remarks>
    /// <typeparam name="TInput">What is sent into the block, one per run.</typeparam>
    /// <typeparam name="TState">The run's state.</typeparam>
    /// <typeparam name="TResult">What the workflow returns.</typeparam>
    /// <param name="graph">The workflow.</param>
    /// <param name="createState">Makes a fresh state from one input; if it throws, that input's result is an error (step <c>input</c>).</param>
    /// <param name="result">Builds the workflow's return from a finished run's state.</param>
    /// <param name="options">Capacity, concurrency, the event observer and the token; <see langword="null"/> for the defaults.</param>
    /// <returns>
    /// The block: send inputs to it and link or receive its results. It completes once <c>Complete()</c> was called
    /// and every result has been received.
    /// </returns>
    public IPropagatorBlock<TInput, WorkflowResult<TResult>> CreateBlock<TInput, TState, TResult>(
        WorkflowGraph<TState> graph, Func<TInput, TState> createState, Func<TState, TResult> result, WorkflowBlockOptions? options = null)
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

    /// <summary>One input of a stream: its run, its events, and its result or error; only cancellation throws.</summary>
    private async ValueTask<WorkflowResult<TResult>> RunOneAsync<TInput, TState, TResult>(
        WorkflowGraph<TState> graph, Func<TInput, TState> createState, Func<TState, TResult> result, TInput input, Action<AtlasEvent>? onEvent, StepLimits? limits, CancellationToken cancellationToken)
        where TState : class
    {
        var context = new RunContext(this, graph.Workflow, onEvent) { Budget = graph.Budget };
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
            await graph.Engine.RunAsync(this, state, context, limits, cancellationToken).ConfigureAwait(false);
            (value, failure) = Finish(state, context, result);
        }

        return new WorkflowResult<TResult>(context, value, failure is null ? null : $"step '{failure.Step}' failed: {failure.Error}");
    }

    internal async Task<(TResult Value, Usage Usage)> RunCalledAsync<TState, TResult>(
        WorkflowGraph<TState> graph, TState state, Func<TState, TResult> result, Action<AtlasEvent>? onEvent, CancellationToken cancellationToken)
        where TState : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        var context = new RunContext(this, graph.Workflow, onEvent) { Budget = graph.Budget };
        if (context.Observed) context.Emit(new RunStarted(context.RunId, graph.Workflow, context.Now));
        await graph.Engine.RunAsync(this, state, context, limits: null, cancellationToken).ConfigureAwait(false);
        return (Result(graph, state, context, result, "workflow"), context.Usage);
    }

    /// <summary>A run whose events go to <paramref name="onEvent"/>: from <see cref="RunStarted"/> to <see cref="RunCompleted"/>; a failure is an event, not an exception.</summary>
    private async Task RunObservedAsync<TState>(WorkflowGraph<TState> graph, TState state, Action<AtlasEvent> onEvent, CancellationToken cancellationToken)
        where TState : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        var context = new RunContext(this, graph.Workflow, onEvent) { Budget = graph.Budget };
        context.Emit(new RunStarted(context.RunId, graph.Workflow, context.Now));
        await graph.Engine.RunAsync(this, state, context, limits: null, cancellationToken).ConfigureAwait(false);
        Complete(context);
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
