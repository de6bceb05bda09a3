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
    /// Each call gets its own run id and its own blocks (bounded, all on <paramref name="cancellationToken"/>),
    /// so concurrent calls share nothing but the runtime's providers. Cancelling throws
    /// <see cref="OperationCanceledException"/> at once; running steps see the same token.
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
    public async Task<TResult> RunAsync<TState, TResult>(WorkflowGraph<TState> graph, TState state, Func<TState, TResult> result, CancellationToken cancellationToken)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(result);
        var outcome = await RunOnceAsync(graph, state, result, onEvent: null, cancellationToken).ConfigureAwait(false);
        if (outcome.Failure is { } failure)
        {
            throw new WorkflowFailedException(
                outcome.RunId,
                failure.Step,
                failure.Step is null ? $"Workflow '{graph.Workflow}' failed: {failure.Error}" : $"Workflow '{graph.Workflow}' failed at step '{failure.Step}': {failure.Error}",
                failure.Exception);
        }

        return outcome.Value!;
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
                    await RunOnceAsync<TState, bool>(graph, state, null, e => events.Writer.TryWrite(e), stop.Token).ConfigureAwait(false);
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
    /// <see cref="WorkflowBlockOptions.MaxConcurrentRuns"/> inputs are inside the graph at once, and at
    /// most <see cref="WorkflowBlockOptions.BoundedCapacity"/> wait at the input and at the output, so
    /// memory stays flat however long the stream. Use <c>SendAsync</c>, then <c>Complete()</c>, and
    /// read every result. Cancelling the token of the options cancels every block.
    /// </remarks>
    /// <typeparam name="TInput">What is sent into the block, one per run.</typeparam>
    /// <typeparam name="TState">The run's state.</typeparam>
    /// <typeparam name="TResult">What the workflow returns.</typeparam>
    /// <param name="graph">The workflow.</param>
    /// <param name="createState">Makes a fresh state from one input; if it throws, that input's result is an error (step <c>input</c>).</param>
    /// <param name="result">Builds the workflow's return from a finished run's state.</param>
    /// <param name="options">Capacity, concurrency, the event observer and the token; <see langword="null"/> for the defaults.</param>
    /// <returns>
    /// The block: send inputs to it and link or receive its results. It owns its inner blocks; it completes once
    /// <c>Complete()</c> was called and every result has been received.
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
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
        var admission = new SemaphoreSlim(maxRuns, maxRuns);
        var consumers = WorkflowPipeline<TState>.Consumers(graph);
        var onEvent = options.OnEvent;

        var entry = new TransformBlock<TInput, WorkflowRun<TState>>(
            async input =>
            {
                await admission.WaitAsync(cancellation.Token).ConfigureAwait(false);
                var context = new RunContext(this, graph.Workflow, onEvent) { Budget = graph.Budget };
                if (context.Observed)
                {
                    context.Emit(new RunStarted(context.RunId, graph.Workflow, context.Now));
                }

                TState? state = null;
                try
                {
                    state = createState(input);
                }
                catch (Exception ex)
                {
                    context.Fail("input", ex);
                    context.Emit(new StepFailed(context.RunId, "input", context.Now, RunContext.Describe(ex)));
                }

                return new WorkflowRun<TState>(context, state, consumers);
            },
            new ExecutionDataflowBlockOptions { BoundedCapacity = capacity, CancellationToken = cancellation.Token });

        var pipeline = WorkflowPipeline<TState>.Create(this, graph, entry, maxRuns, cancellation, options.MaxParallelismPerStep);
        var finish = new TransformBlock<WorkflowRun<TState>, WorkflowResult<TResult>>(
            run =>
            {
                try
                {
                    var (value, failure) = Finish(run, result);
                    return new WorkflowResult<TResult>(run.Context.RunId, value, failure is null ? null : $"step '{failure.Step}' failed: {failure.Error}");
                }
                finally
                {
                    admission.Release();
                }
            },
            new ExecutionDataflowBlockOptions { BoundedCapacity = capacity, CancellationToken = cancellation.Token, EnsureOrdered = false });
        pipeline.Exit.LinkTo(finish, new DataflowLinkOptions { PropagateCompletion = true });

        // The linked token source is ours: release it once nothing can use it.
        Task.WhenAll(pipeline.Completion, finish.Completion.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default))
            .ContinueWith(_ => cancellation.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return DataflowBlock.Encapsulate(entry, finish);
    }

    /// <summary>
    /// A workflow called from a step of another run (see <see cref="StepContext.RunWorkflowAsync"/>):
    /// it runs as a run of its own whose events go to <paramref name="onEvent"/>; its usage is returned.
    /// </summary>
    internal async Task<(TResult Value, Usage Usage)> RunCalledAsync<TState, TResult>(
        WorkflowGraph<TState> graph, TState state, Func<TState, TResult> result, Action<AtlasEvent>? onEvent, CancellationToken cancellationToken)
        where TState : class
    {
        var outcome = await RunOnceAsync(graph, state, result, onEvent, cancellationToken).ConfigureAwait(false);
        if (outcome.Failure is { } failure)
        {
            throw new WorkflowFailedException(
                outcome.RunId,
                failure.Step,
                failure.Step is null ? $"workflow '{graph.Workflow}' failed: {failure.Error}" : $"workflow '{graph.Workflow}' failed at step '{failure.Step}': {failure.Error}",
                failure.Exception);
        }

        return (outcome.Value!, outcome.Usage);
    }

    /// <summary>One input through a graph of its own: RunStarted, the steps, RunCompleted.</summary>
    private async Task<RunOutcome<TResult>> RunOnceAsync<TState, TResult>(WorkflowGraph<TState> graph, TState state, Func<TState, TResult>? result, Action<AtlasEvent>? onEvent, CancellationToken cancellationToken)
        where TState : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var context = new RunContext(this, graph.Workflow, onEvent) { Budget = graph.Budget };
        var entry = new BufferBlock<WorkflowRun<TState>>(new DataflowBlockOptions { BoundedCapacity = 1, CancellationToken = cancellation.Token });
        var pipeline = WorkflowPipeline<TState>.Create(this, graph, entry, maxRuns: 1, cancellation);
        try
        {
            context.Emit(new RunStarted(context.RunId, graph.Workflow, context.Now));
            await entry.SendAsync(new WorkflowRun<TState>(context, state, WorkflowPipeline<TState>.Consumers(graph)), cancellation.Token).ConfigureAwait(false);
            entry.Complete();
            WorkflowRun<TState> finished;
            try
            {
                finished = await pipeline.Exit.ReceiveAsync(cancellation.Token).ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (!cancellationToken.IsCancellationRequested)
            {
                // The exit completed without the run: a block faulted. Report the fault as the run's failure.
                var fault = pipeline.Exit.Completion.Exception?.GetBaseException() ?? new InvalidOperationException("The workflow's blocks stopped before the run finished.");
                context.Fail(null, fault);
                var error = context.Failure!;
                context.Emit(new RunCompleted(context.RunId, context.Now, context.Elapsed, context.Usage, false, error.Error));
                return new RunOutcome<TResult>(context.RunId, default, error);
            }

            var (value, failure) = result is null ? (default, FinishWithoutResult(finished)) : Finish(finished, result);
            return new RunOutcome<TResult>(context.RunId, value, failure, context.Usage);
        }
        finally
        {
            // Stop whatever is still running (only after a cancellation or a fault) before the token source goes.
            if (!pipeline.Completion.IsCompleted)
            {
                await cancellation.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    private static (TResult? Value, RunFailure? Failure) Finish<TState, TResult>(WorkflowRun<TState> run, Func<TState, TResult> result)
        where TState : class
    {
        var context = run.Context;
        TResult? value = default;
        if (!context.IsFailed)
        {
            try
            {
                value = result(run.State!);
            }
            catch (Exception ex)
            {
                context.Fail("return", ex);
                context.Emit(new StepFailed(context.RunId, "return", context.Now, RunContext.Describe(ex)));
            }
        }

        return (value, Complete(context));
    }

    private static RunFailure? FinishWithoutResult<TState>(WorkflowRun<TState> run)
        where TState : class => Complete(run.Context);

    private static RunFailure? Complete(RunContext context)
    {
        var failure = context.Failure;
        if (!context.Observed)
        {
            return failure;
        }

        context.Emit(new RunCompleted(context.RunId, context.Now, context.Elapsed, context.Usage, failure is null, failure is null ? null : $"step '{failure.Step}' failed: {failure.Error}"));
        return failure;
    }

    private sealed record RunOutcome<TResult>(string RunId, TResult? Value, RunFailure? Failure, Usage Usage = default);
}
