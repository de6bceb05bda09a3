using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>What a step body gets: its run, its name, and helpers that emit events. One per step execution.</summary>
/// <remarks>
/// Thread-safe: the items of a <c>for</c> share their step's context and may record usage and
/// events concurrently. Events go to the run's observer (the event stream of
/// <c>AtlasRuntime.RunStreamingAsync</c>, or <see cref="WorkflowBlockOptions.OnEvent"/>).
/// </remarks>
public sealed class StepContext
{
    /// <summary>The <c>for</c> items the current flow runs in, innermost first (a workflow called from an item has steps and items of its own).</summary>
    private static readonly AsyncLocal<ItemFrame?> CurrentItems = new();

    // Boxed on the first model call: most steps make none, and a stream allocates a context per step and input.
    private StrongBox<Usage>? _usage;
    private int _attempts;
    private int _recordedLoops;

    internal StepContext(RunContext run, string step)
    {
        Run = run;
        Step = step;
    }

    /// <summary>The id of the run this step belongs to, as its events carry it.</summary>
    public string RunId => Run.RunId;

    /// <summary>The step's name as declared (for a step made by <see cref="AtlasRuntime.CreateStepContext"/>, the name given there).</summary>
    public string Step { get; }

    /// <summary>The runtime the run executes on: a step body calls its agents, tools and knowledge bases through it.</summary>
    public AtlasRuntime Runtime => Run.Runtime;

    internal RunContext Run { get; }

    /// <summary>
    /// The key of a human question this step asks: the step's name, with <c>#N</c> for the N-th item of a <c>for</c>
    /// (each item asks its own question).
    /// </summary>
    internal string QuestionKey
    {
        get
        {
            var frame = CurrentItems.Value;
            while (frame is not null && frame.Step != this) frame = frame.Outer;
            return frame is null ? Step : $"{Step}#{frame.Item}";
        }
    }

    /// <summary>How many times the step's body has started (1 plus its retries so far).</summary>
    internal int Attempts
    {
        get => _attempts;
        set
        {
            _attempts = value;
            _recordedLoops = 0; // a new attempt: its first loop is the recorded one again
        }
    }

    /// <summary>Tokens and cost this step has used so far.</summary>
    internal Usage Usage
    {
        get
        {
            lock (Run) // the run's lock: usage changes only on model calls, never contended for long
            {
                return _usage?.Value ?? default;
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> with the policy's retries (RetryScheduled events) and per-attempt timeout.</summary>
    /// <remarks>
    /// Retries use exponential backoff from a small base delay, or the delay a
    /// <see cref="ProviderRateLimitedException"/> asks for. The token given to
    /// <paramref name="action"/> is cancelled when the attempt times out or
    /// <paramref name="cancellationToken"/> is cancelled. A timed-out last attempt throws
    /// <see cref="Polly.Timeout.TimeoutRejectedException"/>.
    /// </remarks>
    /// <typeparam name="T">What <paramref name="action"/> returns.</typeparam>
    /// <param name="policy">The retries and the per-attempt timeout (its <see cref="StepPolicy.Parallelism"/> is not used).</param>
    /// <param name="action">One attempt; it must observe the token it is given.</param>
    /// <param name="cancellationToken">Cancels every attempt and the waits between them.</param>
    /// <returns>What the first successful attempt returned.</returns>
    public Task<T> ExecuteAsync<T>(StepPolicy policy, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(action);
        return Runtime.Resilience.ExecuteAsync(policy, this, action, canRetry: null, cancellationToken);
    }

    /// <summary><c>for x in items parallel N</c>: a loop running at most N items at once; results in input order.</summary>
    /// <remarks>
    /// At most <see cref="StepPolicy.Parallelism"/> items run at once, each under the policy's
    /// retries and timeout. The first item that still fails cancels the others and fails the step
    /// (its exception is rethrown as an <see cref="InvalidOperationException"/> naming the item).
    /// </remarks>
    /// <typeparam name="TIn">The items' type.</typeparam>
    /// <typeparam name="TOut">What the body makes of each item.</typeparam>
    /// <param name="items">The list to run the body for.</param>
    /// <param name="policy">Each item's retries and timeout, and how many items run at once.</param>
    /// <param name="body">Runs one item, with this step's context (streamed tokens carry the item's number) and the attempt's token.</param>
    /// <param name="cancellationToken">Cancels every item.</param>
    /// <returns>The body's results in the order of <paramref name="items"/>.</returns>
    /// <exception cref="InvalidOperationException">An item still failed after its retries; the message names it (<c>item 3 of 10: ...</c>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<IReadOnlyList<TOut>> ForEachAsync<TIn, TOut>(IReadOnlyList<TIn> items, StepPolicy policy, Func<TIn, StepContext, CancellationToken, Task<TOut>> body, CancellationToken cancellationToken) =>
        ForEachAsync(items, policy, body, itemJson: null, cancellationToken);

    /// <summary>
    /// <c>for x in items parallel N</c> in a recorded run: as <see cref="ForEachAsync{TIn, TOut}(IReadOnlyList{TIn}, StepPolicy, Func{TIn, StepContext, CancellationToken, Task{TOut}}, CancellationToken)"/>,
    /// and each finished item's result is recorded with <paramref name="itemJson"/>, so a resumed run does not run it again.
    /// </summary>
    /// <typeparam name="TIn">The items' type.</typeparam>
    /// <typeparam name="TOut">What the body makes of each item.</typeparam>
    /// <param name="items">The list to run the body for.</param>
    /// <param name="policy">Each item's retries and timeout, and how many items run at once.</param>
    /// <param name="body">Runs one item.</param>
    /// <param name="itemJson">The JSON metadata of an item's result; <see langword="null"/> records nothing.</param>
    /// <param name="cancellationToken">Cancels every item.</param>
    /// <returns>The body's results in the order of <paramref name="items"/>.</returns>
    public async Task<IReadOnlyList<TOut>> ForEachAsync<TIn, TOut>(IReadOnlyList<TIn> items, StepPolicy policy, Func<TIn, StepContext, CancellationToken, Task<TOut>> body, JsonTypeInfo<TOut>? itemJson, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(body);
        if (items.Count == 0)
        {
            return Array.Empty<TOut>();
        }

        // Items are recorded by number within their step: only the step's first loop of an attempt is, not a loop nested in
        // one of its items nor a second loop beside it.
        var recorder = itemJson is null || InItemOfThisStep() || Interlocked.Increment(ref _recordedLoops) > 1 ? null : Run.Recorder;
        var finished = recorder is { IsContinuation: true } ? await recorder.FinishedItemsAsync(Step, cancellationToken).ConfigureAwait(false) : null;

        var parallelism = Math.Max(1, policy.Parallelism);
        var results = new TOut[items.Count];
        Exception? firstFailure = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // A bounded loop over the items, not a dataflow block: at most `parallelism` at once, each item's result in its slot.
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, items.Count),
                new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = stop.Token },
                async (index, ct) =>
                {
                    try
                    {
                        if (finished is not null && finished.TryGetValue(index + 1, out var recorded) && TryRead(recorded, itemJson!, out var value))
                        {
                            results[index] = value;
                            return;
                        }

                        // Flows into the item's model calls (and is undone when this delegate returns).
                        CurrentItems.Value = new ItemFrame(this, index + 1, CurrentItems.Value);
                        results[index] = await Runtime.Resilience.ExecuteAsync(
                            policy, this, attempt => body(items[index], this, attempt), canRetry: null, ct).ConfigureAwait(false);
                        if (recorder is not null)
                        {
                            await recorder.CompleteItemAsync(Step, index + 1, JsonSerializer.Serialize(results[index], itemJson!), ct).ConfigureAwait(false);
                        }
                    }
                    catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                    {
                        if (Interlocked.CompareExchange(ref firstFailure, new InvalidOperationException($"item {index + 1} of {items.Count}: {RunContext.Describe(ex)}", ex), null) is null)
                        {
                            await stop.CancelAsync().ConfigureAwait(false);
                        }
                    }
                }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (Volatile.Read(ref firstFailure) is not null || cancellationToken.IsCancellationRequested)
        {
            // Either an item failed (reported below) or the caller cancelled (rethrown below).
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (Volatile.Read(ref firstFailure) is { } failure)
        {
            throw failure;
        }

        return results;
    }

    /// <summary>
    /// Runs a workflow that this step calls, as part of this step: the called workflow's streamed
    /// tokens, provider choices and retries appear in this run's events as this step's (its own step
    /// and run events stay inside it, so each step of this run still starts and ends once), and its
    /// tokens and cost count toward this step and this run. Throws <see cref="WorkflowFailedException"/>
    /// if the called workflow fails.
    /// </summary>
    /// <typeparam name="TState">The called workflow's state.</typeparam>
    /// <typeparam name="TResult">What the called workflow returns.</typeparam>
    /// <param name="graph">The called workflow.</param>
    /// <param name="state">A fresh state holding the call's arguments.</param>
    /// <param name="result">Builds the called workflow's return from its finished state.</param>
    /// <param name="cancellationToken">Cancels the called run.</param>
    /// <returns>What <paramref name="result"/> built.</returns>
    /// <exception cref="BudgetExceededException">The calling run went over its workflow's <c>budget</c> with the called workflow's usage.</exception>
    public async Task<TResult> RunWorkflowAsync<TState, TResult>(WorkflowGraph<TState> graph, TState state, Func<TState, TResult> result, CancellationToken cancellationToken)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(result);
        Action<AtlasEvent>? forward = Observed ? Forward : null;
        var (value, usage) = await Runtime.RunCalledAsync(graph, state, result, forward, cancellationToken).ConfigureAwait(false);
        AddUsage(usage);
        Run.CheckBudget();
        return value;
    }

    /// <summary>A called workflow's event, as this step's: what the model streamed and chose, not the inner run's bookkeeping.</summary>
    private void Forward(AtlasEvent calledEvent)
    {
        switch (calledEvent)
        {
            case TokenEmitted or ProviderSelected or RetryScheduled:
                Emit(calledEvent with { RunId = RunId, Step = Step });
                break;
        }
    }

    internal void AddUsage(Usage usage)
    {
        lock (Run) // the run's lock: usage changes only on model calls, never contended for long
        {
            (_usage ??= new StrongBox<Usage>()).Value += usage;
        }

        Run.AddUsage(usage);
    }

    internal void Emit(AtlasEvent atlasEvent)
    {
        if (atlasEvent is TokenEmitted token)
        {
            var frame = CurrentItems.Value;
            while (frame is not null && frame.Step != this) frame = frame.Outer;
            if (token.Item != frame?.Item) atlasEvent = token with { Item = frame?.Item };
        }

        Run.Emit(atlasEvent);
    }

    private bool InItemOfThisStep()
    {
        for (var frame = CurrentItems.Value; frame is not null; frame = frame.Outer)
        {
            if (frame.Step == this) return true;
        }

        return false;
    }

    /// <summary>An item's recorded result, when it still reads as the item's type.</summary>
    private static bool TryRead<TOut>(string json, JsonTypeInfo<TOut> itemJson, out TOut value)
    {
        try
        {
            value = JsonSerializer.Deserialize(json, itemJson)!;
            return true;
        }
        catch (JsonException)
        {
            value = default!;
            return false;
        }
    }

    private sealed record ItemFrame(StepContext Step, int Item, ItemFrame? Outer);

    /// <summary>Whether anyone receives the run's events (see <see cref="RunContext.Observed"/>).</summary>
    internal bool Observed => Run.Observed;
}
