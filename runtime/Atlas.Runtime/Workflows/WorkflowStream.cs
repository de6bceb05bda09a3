using System;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;

namespace Atlas.Runtime;

/// <summary>
/// The block behind <see cref="AtlasRuntime.CreateBlock"/>: inputs in, one whole run each, results out in completion
/// order, with a bounded number of runs in flight and bounded room on both sides.
/// </summary>
/// <remarks>
/// <para>A few starters (one per core) take inputs and start their runs; a run that finishes at once is done on the
/// starter's thread, one that waits goes on by itself while the starter takes the next input, up to
/// <c>maxRuns</c> in flight. So a stream whose steps answer at once costs one thread-pool hop per starter, not one
/// per input, and a stream whose steps wait keeps <c>maxRuns</c> of them waiting together. (An ActionBlock or
/// TransformBlock with <c>maxRuns</c> degrees of parallelism would start a task for nearly every input.)</para>
/// <para>Back-pressure: a starter waits for a free run slot, and a finished run waits for room among the results;
/// so does the sender, once <c>capacity</c> inputs wait.</para>
/// </remarks>
internal sealed class WorkflowStream<TInput, TResult>
{
    private readonly Func<TInput, ValueTask<WorkflowResult<TResult>>> _run;
    private readonly SemaphoreSlim _slots;
    private readonly BufferBlock<WorkflowResult<TResult>> _results;
    private readonly ActionBlock<TInput> _starters;
    private readonly Action? _whenDone;
    private readonly CancellationToken _cancellationToken;

    // Runs in flight, plus one for the starters until they complete: the results complete when it reaches zero.
    private int _pending = 1;

    private WorkflowStream(Func<TInput, ValueTask<WorkflowResult<TResult>>> run, int capacity, int maxRuns, Action? whenDone, CancellationToken cancellationToken)
    {
        _run = run;
        _whenDone = whenDone;
        _cancellationToken = cancellationToken;
        _slots = new SemaphoreSlim(maxRuns, maxRuns);
        _results = new BufferBlock<WorkflowResult<TResult>>(new DataflowBlockOptions
        {
            BoundedCapacity = capacity,
            CancellationToken = cancellationToken,
        });
        _starters = new ActionBlock<TInput>(
            StartAsync,
            new ExecutionDataflowBlockOptions
            {
                BoundedCapacity = capacity,
                MaxDegreeOfParallelism = Math.Min(maxRuns, Environment.ProcessorCount),
                CancellationToken = cancellationToken,
                EnsureOrdered = false,
            });
        _starters.Completion.ContinueWith(
            static (starters, state) => ((WorkflowStream<TInput, TResult>)state!).StartersCompleted(starters),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>
    /// A block that runs each input with <paramref name="run"/>, at most <paramref name="maxRuns"/> at once, with room
    /// for <paramref name="capacity"/> waiting inputs and as many unread results; <paramref name="whenDone"/> runs once
    /// the last run has ended.
    /// </summary>
    public static IPropagatorBlock<TInput, WorkflowResult<TResult>> Create(
        Func<TInput, ValueTask<WorkflowResult<TResult>>> run, int capacity, int maxRuns, Action? whenDone, CancellationToken cancellationToken)
    {
        var stream = new WorkflowStream<TInput, TResult>(run, capacity, maxRuns, whenDone, cancellationToken);
        return DataflowBlock.Encapsulate(stream._starters, stream._results);
    }

    private Task StartAsync(TInput input)
    {
        if (!_slots.Wait(0)) return StartWhenFreeAsync(input);
        return Start(input);
    }

    private async Task StartWhenFreeAsync(TInput input)
    {
        await _slots.WaitAsync(_cancellationToken).ConfigureAwait(false);
        await Start(input).ConfigureAwait(false);
    }

    /// <summary>Starts one run in its slot; the returned task is the starter's wait (for room among the results), not the run's.</summary>
    private Task Start(TInput input)
    {
        Interlocked.Increment(ref _pending);
        ValueTask<WorkflowResult<TResult>> run;
        try
        {
            run = _run(input);
        }
        catch (Exception ex)
        {
            RunEnded(ex);
            return Task.CompletedTask;
        }

        if (!run.IsCompletedSuccessfully)
        {
            _ = FinishAsync(run);
            return Task.CompletedTask;
        }

        var sent = _results.SendAsync(run.Result, _cancellationToken);
        if (sent.IsCompletedSuccessfully)
        {
            RunEnded(null);
            return Task.CompletedTask;
        }

        return AfterSendAsync(sent);
    }

    private async Task FinishAsync(ValueTask<WorkflowResult<TResult>> run)
    {
        Exception? error = null;
        try
        {
            await _results.SendAsync(await run.ConfigureAwait(false), _cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        RunEnded(error);
    }

    private async Task AfterSendAsync(Task<bool> sent)
    {
        Exception? error = null;
        try
        {
            await sent.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        RunEnded(error);
    }

    /// <summary>
    /// A run is over: its slot is free again. A run throws only when the stream is cancelled (which cancels both blocks
    /// already); anything else is a bug in the engine, and faults the results rather than vanish.
    /// </summary>
    private void RunEnded(Exception? error)
    {
        _slots.Release();
        if (error is not null && error is not OperationCanceledException) ((IDataflowBlock)_results).Fault(error);
        Leave();
    }

    private void StartersCompleted(Task starters)
    {
        if (starters.IsFaulted) ((IDataflowBlock)_results).Fault(starters.Exception!.InnerExceptions.Count == 1 ? starters.Exception.InnerExceptions[0] : starters.Exception);
        Leave();
    }

    private void Leave()
    {
        if (Interlocked.Decrement(ref _pending) != 0) return;
        _results.Complete();
        _whenDone?.Invoke();
    }
}
