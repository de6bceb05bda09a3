using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;

namespace Atlas.Runtime;

/// <summary>
/// Runs workflow graphs on a runtime: one input at a time (<see cref="RunAsync{TState, TResult}(WorkflowGraph{TState}, TState, Func{TState, TResult}, CancellationToken)"/>, <see cref="RunStreamingAsync"/>, a
/// workflow a step calls) or a stream of inputs through a dataflow block (<see cref="CreateBlock"/>). Each run gets its
/// own <see cref="RunContext"/>; the graph's <see cref="WorkflowEngine{TState}"/> executes its steps, and this turns the
/// run's outcome into a result, a <see cref="WorkflowFailedException"/> or the closing <see cref="RunCompleted"/> event.
/// The runtime's workflow methods delegate here. Thread-safe: runs share nothing but the runtime.
/// </summary>
internal sealed class WorkflowRunner(AtlasRuntime runtime)
{
    /// <summary>One unobserved run (see <see cref="AtlasRuntime.RunAsync{TState, TResult}(WorkflowGraph{TState}, TState, Func{TState, TResult}, System.Threading.CancellationToken)"/>): its result, or its failure as <see cref="WorkflowFailedException"/>.</summary>
    public Task<TResult> RunAsync<TState, TResult>(WorkflowGraph<TState> graph, TState state, Func<TState, TResult> result, CancellationToken cancellationToken)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(result);
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<TResult>(cancellationToken);
        if (runtime.RunStore is not null) return RunRecordedAsync(graph, state, result, RunOptions.Default, cancellationToken);
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

    /// <summary>One run's events as they happen (see <see cref="AtlasRuntime.RunStreamingAsync{TState}(WorkflowGraph{TState}, TState, System.Threading.CancellationToken)"/>), ending with <see cref="RunCompleted"/>.</summary>
    public IAsyncEnumerable<AtlasEvent> RunStreamingAsync<TState>(WorkflowGraph<TState> graph, TState state, RunOptions? options, CancellationToken cancellationToken)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(state);
        return ProducedStream.ReadAsync(
            Channel.CreateUnbounded<AtlasEvent>(new UnboundedChannelOptions { SingleReader = true }),
            (events, token) => RunObservedAsync(graph, state, e => events.TryWrite(e), options, token),
            cancellationToken);
    }

    /// <summary>
    /// A recorded run for one input (see <see cref="AtlasRuntime.RunAsync{TState, TResult}(WorkflowGraph{TState}, TState, Func{TState, TResult}, RunOptions, CancellationToken)"/>):
    /// its result, or its failure as <see cref="WorkflowFailedException"/> (a waiting human step as <see cref="HumanInputRequiredException"/>).
    /// </summary>
    public async Task<TResult> RunRecordedAsync<TState, TResult>(WorkflowGraph<TState> graph, TState state, Func<TState, TResult> result, RunOptions options, CancellationToken cancellationToken)
        where TState : class
    {
        var recorder = await StartRecordingAsync(graph, state, options, cancellationToken).ConfigureAwait(false);
        var context = new RunContext(runtime, graph.Workflow, onEvent: null, recorder?.RunId) { Budget = graph.Budget, Recorder = recorder };
        if (context.Observed) context.Emit(new RunStarted(context.RunId, graph.Workflow, context.Now));
        var value = await RunRecordingAsync(graph, state, context, limits: null, cancellationToken, result).ConfigureAwait(false);
        if (context.Failure is not { } failure) return value!;
        if (failure.IsWaiting) throw failure.Exception;
        throw Failed(graph, context, failure, "Workflow");
    }

    /// <summary>
    /// Resumes a recorded run (see <see cref="RunOptions.ResumeRunId"/>): its input read from the store into a new state.
    /// </summary>
    /// <exception cref="RunResumeException">No store, or the run is not recorded.</exception>
    public async Task<TResult> ResumeAsync<TState, TResult>(WorkflowGraph<TState> graph, Func<string, TState> loadInput, Func<TState, TResult> result, RunOptions options, CancellationToken cancellationToken)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(loadInput);
        ArgumentNullException.ThrowIfNull(options);
        var store = runtime.RunStore ?? throw new RunResumeException("resuming a run needs a run store (AtlasRuntimeOptions.RunStore)");
        var runId = options.ResumeRunId ?? throw new ArgumentException("RunOptions.ResumeRunId names the run to resume.", nameof(options));
        var run = await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw new RunResumeException($"no run '{runId}' is recorded");
        if (run.Input is null) throw new RunResumeException($"run {run.RunId} recorded no input");
        return await RunRecordedAsync(graph, loadInput(run.Input), result, options with { ResumeRunId = run.RunId }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A block that runs every input sent to it (see <see cref="AtlasRuntime.CreateBlock"/>); a failed input is an error result.</summary>
    public IPropagatorBlock<TInput, WorkflowResult<TResult>> CreateBlock<TInput, TState, TResult>(
        WorkflowGraph<TState> graph, Func<TInput, TState> createState, Func<TState, TResult> result, WorkflowBlockOptions? options, Func<TInput, RunOptions?>? runOptions = null)
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
            input => RunOneAsync(graph, createState, result, input, onEvent, runOptions, limits, cancellationToken),
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
        WorkflowGraph<TState> graph, Func<TInput, TState> createState, Func<TState, TResult> result, TInput input, Action<AtlasEvent>? onEvent, Func<TInput, RunOptions?>? runOptions, StepLimits? limits, CancellationToken cancellationToken)
        where TState : class
    {
        if (runtime.RunStore is not null && (runOptions?.Invoke(input) ?? RunOptions.Default) is { Record: true } recorded)
        {
            return await RunOneRecordedAsync(graph, createState, result, input, onEvent, recorded, limits, cancellationToken).ConfigureAwait(false);
        }

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

    /// <summary>One input of a stream, recorded: a state that cannot be made fails the input before anything is recorded.</summary>
    private async ValueTask<WorkflowResult<TResult>> RunOneRecordedAsync<TInput, TState, TResult>(
        WorkflowGraph<TState> graph, Func<TInput, TState> createState, Func<TState, TResult> result, TInput input, Action<AtlasEvent>? onEvent, RunOptions options, StepLimits? limits, CancellationToken cancellationToken)
        where TState : class
    {
        // The run's id is known before its state is made, and RunStarted reported on this thread first, as for an
        // unrecorded input: a caller matches its inputs to their runs that way.
        if (options.ResumeRunId is null || options.FromStep is not null) options = options with { RunId = options.RunId ?? RunContext.NewRunId() };
        var starting = new RunContext(runtime, graph.Workflow, onEvent, options.ResumeRunId is { } resumed && options.FromStep is null ? resumed : options.RunId) { Budget = graph.Budget };
        var started = new RunStarted(starting.RunId, graph.Workflow, starting.Now);
        starting.Emit(started);
        TState state;
        try
        {
            state = createState(input);
        }
        catch (Exception ex)
        {
            starting.Fail("input", ex);
            if (starting.Observed) starting.Emit(new StepFailed(starting.RunId, "input", starting.Now, RunContext.Describe(ex)));
            var inputFailure = Complete(starting);
            return new WorkflowResult<TResult>(starting, default, $"step '{inputFailure!.Step}' failed: {inputFailure.Error}");
        }

        RunContext context;
        try
        {
            var recorder = await StartRecordingAsync(graph, state, options, cancellationToken).ConfigureAwait(false);
            recorder?.OnEvent(started);
            context = new RunContext(runtime, graph.Workflow, onEvent, recorder?.RunId ?? starting.RunId) { Budget = graph.Budget, Recorder = recorder };
        }
        catch (RunResumeException ex)
        {
            // The store refused the run (resuming what cannot be resumed): this input's error, the stream goes on.
            starting.Fail("input", ex);
            Complete(starting);
            return new WorkflowResult<TResult>(starting, default, ex.Message);
        }

        var value = await RunRecordingAsync(graph, state, context, limits, cancellationToken, result).ConfigureAwait(false);
        var failure = context.Failure;
        return new WorkflowResult<TResult>(context, value, failure is { IsWaiting: true } ? $"run {context.RunId} {failure.Error}" : Describe(failure))
        {
            Waiting = failure is { IsWaiting: true } ? (HumanInputRequiredException)failure.Exception : null,
        };
    }

    /// <summary>The run's recorder, when the runtime records: the run is written as started (or as resumed) before any step.</summary>
    /// <exception cref="RunResumeException">A resume or replay without a store, or of a run the store cannot give.</exception>
    private async Task<RunRecorder?> StartRecordingAsync<TState>(WorkflowGraph<TState> graph, TState state, RunOptions? options, CancellationToken cancellationToken)
        where TState : class
    {
        options ??= RunOptions.Default;
        if (runtime.RunStore is not { } store || !options.Record)
        {
            if (options.ResumeRunId is not null || options.ReplayRunId is not null)
                throw new RunResumeException("resuming or replaying a run needs a run store");
            return null;
        }

        var checkpoints = graph.Checkpoints;
        var steps = new (string Name, string? Fingerprint, IReadOnlyList<string> DependsOn)[graph.Steps.Count];
        for (var i = 0; i < steps.Length; i++) steps[i] = (graph.Steps[i].Name, graph.Steps[i].Checkpoint?.Fingerprint, graph.Steps[i].DependsOn);
        return await RunRecorder.StartAsync(
            store,
            runtime.Secrets,
            runtime.TimeProvider,
            graph.Workflow,
            checkpoints?.Fingerprint ?? "",
            checkpoints?.SaveInput(state),
            steps,
            options,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a recorded run's steps, then writes how it ended: succeeded (with its result), failed, waiting for a human, or
    /// cancelled (then the cancellation is rethrown). Returns the result when it succeeded and <paramref name="result"/> is given.
    /// </summary>
    private async Task<TResult?> RunRecordingAsync<TState, TResult>(WorkflowGraph<TState> graph, TState state, RunContext context, StepLimits? limits, CancellationToken cancellationToken, Func<TState, TResult>? result = null)
        where TState : class
    {
        try
        {
            await graph.Engine.RunAsync(runtime, state, context, limits, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.Recorder is { } cancelled)
        {
            await cancelled.EndAsync(RunStatus.Cancelled, context.Now, context.Usage, "cancelled", null, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        TResult? value = default;
        string? output = null;
        if (!context.IsFailed)
        {
            try
            {
                if (result is not null) value = result(state);
                if (context.Recorder is not null) output = graph.Checkpoints?.SaveResult(state);
            }
            catch (Exception ex)
            {
                context.Fail("return", ex);
                if (context.Observed) context.Emit(new StepFailed(context.RunId, "return", context.Now, RunContext.Describe(ex)));
            }
        }

        var failure = Complete(context);
        if (context.Recorder is { } recorder)
        {
            var status = failure is null ? RunStatus.Succeeded : failure.IsWaiting ? RunStatus.Waiting : RunStatus.Failed;
            await recorder.EndAsync(status, context.Now, context.Usage, Describe(failure), output, CancellationToken.None).ConfigureAwait(false);
        }

        return value;
    }

    /// <summary>A run whose events go to <paramref name="onEvent"/>: from <see cref="RunStarted"/> to <see cref="RunCompleted"/>; a failure is an event, not an exception.</summary>
    private async Task RunObservedAsync<TState>(WorkflowGraph<TState> graph, TState state, Action<AtlasEvent> onEvent, RunOptions? options, CancellationToken cancellationToken)
        where TState : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        var recorder = await StartRecordingAsync(graph, state, options, cancellationToken).ConfigureAwait(false);
        var context = new RunContext(runtime, graph.Workflow, onEvent, recorder?.RunId) { Budget = graph.Budget, Recorder = recorder };
        context.Emit(new RunStarted(context.RunId, graph.Workflow, context.Now));
        if (recorder is not null)
        {
            await RunRecordingAsync<TState, object>(graph, state, context, limits: null, cancellationToken).ConfigureAwait(false);
            return;
        }

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
        throw Failed(graph, context, failure, noun);
    }

    private static WorkflowFailedException Failed<TState>(WorkflowGraph<TState> graph, RunContext context, RunFailure failure, string noun)
        where TState : class =>
        new(
            context.RunId,
            failure.Step,
            failure.Step is null ? $"{noun} '{graph.Workflow}' failed: {failure.Error}" : $"{noun} '{graph.Workflow}' failed at step '{failure.Step}': {failure.Error}",
            failure.Exception);

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

    /// <summary>Why a run did not succeed, one line; a waiting run says what it waits for.</summary>
    private static string? Describe(RunFailure? failure) =>
        failure is null ? null : failure.IsWaiting ? failure.Error : $"step '{failure.Step}' failed: {failure.Error}";

    /// <summary>The run's failure, if any, after its closing <see cref="RunCompleted"/> event (when observed).</summary>
    private static RunFailure? Complete(RunContext context)
    {
        var failure = context.Failure;
        if (context.Observed)
        {
            context.Emit(new RunCompleted(context.RunId, context.Now, context.Elapsed, context.Usage, failure is null, Describe(failure))
            {
                Waiting = failure is { IsWaiting: true },
            });
        }

        return failure;
    }
}
