using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;

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
    private static readonly AsyncLocal<ItemFrame?> s_items = new();

    private readonly object _gate = new();
    private Usage _usage;

    internal StepContext(RunContext run, string step)
    {
        Run = run;
        Step = step;
    }

    public string RunId => Run.RunId;

    public string Step { get; }

    public AtlasRuntime Runtime => Run.Runtime;

    internal RunContext Run { get; }

    /// <summary>Tokens and cost this step has used so far.</summary>
    internal Usage Usage
    {
        get
        {
            lock (_gate)
            {
                return _usage;
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
    public Task<T> ExecuteAsync<T>(StepPolicy policy, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(action);
        return Runtime.Resilience.ExecuteAsync(policy, this, action, canRetry: null, cancellationToken);
    }

    /// <summary><c>for x in items parallel N</c>: a dataflow block with that degree of parallelism; results in input order.</summary>
    /// <remarks>
    /// At most <see cref="StepPolicy.Parallelism"/> items run at once, each under the policy's
    /// retries and timeout. The first item that still fails cancels the others and fails the step
    /// (its exception is rethrown as an <see cref="InvalidOperationException"/> naming the item).
    /// </remarks>
    public async Task<IReadOnlyList<TOut>> ForEachAsync<TIn, TOut>(IReadOnlyList<TIn> items, StepPolicy policy, Func<TIn, StepContext, CancellationToken, Task<TOut>> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(body);
        if (items.Count == 0)
        {
            return Array.Empty<TOut>();
        }

        var parallelism = Math.Max(1, policy.Parallelism);
        var results = new TOut[items.Count];
        Exception? firstFailure = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var worker = new ActionBlock<int>(
            async index =>
            {
                try
                {
                    // Flows into the item's model calls (and is undone when this delegate returns).
                    s_items.Value = new ItemFrame(this, index + 1, s_items.Value);
                    results[index] = await Runtime.Resilience.ExecuteAsync(
                        policy, this, ct => body(items[index], this, ct), canRetry: null, stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    if (Interlocked.CompareExchange(ref firstFailure, new InvalidOperationException($"item {index + 1} of {items.Count}: {RunContext.Describe(ex)}", ex), null) is null)
                    {
                        await stop.CancelAsync().ConfigureAwait(false);
                    }
                }
            },
            new ExecutionDataflowBlockOptions
            {
                MaxDegreeOfParallelism = parallelism,
                BoundedCapacity = parallelism * 2,
                CancellationToken = stop.Token,
                EnsureOrdered = false,
            });

        try
        {
            for (var i = 0; i < items.Count && !stop.IsCancellationRequested; i++)
            {
                if (!await worker.SendAsync(i, stop.Token).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // A failed item or the caller stopped the loop; the outcome is decided below.
        }

        worker.Complete();
        try
        {
            await worker.Completion.ConfigureAwait(false);
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
        lock (_gate)
        {
            _usage += usage;
        }

        Run.AddUsage(usage);
    }

    internal void Emit(AtlasEvent atlasEvent)
    {
        if (atlasEvent is TokenEmitted token)
        {
            var frame = s_items.Value;
            while (frame is not null && frame.Step != this) frame = frame.Outer;
            if (token.Item != frame?.Item) atlasEvent = token with { Item = frame?.Item };
        }

        Run.Emit(atlasEvent);
    }

    private sealed record ItemFrame(StepContext Step, int Item, ItemFrame? Outer);

    /// <summary>Whether anyone receives the run's events (see <see cref="RunContext.Observed"/>).</summary>
    internal bool Observed => Run.Observed;
}
