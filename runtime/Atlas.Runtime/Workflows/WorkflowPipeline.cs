using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;

namespace Atlas.Runtime;

/// <summary>
/// Turns a <see cref="WorkflowGraph{TState}"/> into TPL Dataflow blocks between an entry source and
/// an exit source of finished runs.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>One <see cref="TransformBlock{TInput, TOutput}"/> per step; a switch is a selector whose
/// predicate links lead to one block per arm, with a fallback link for runs that take no arm,
/// and a merge after the arms.</item>
/// <item>A step with several predecessors gets a join that counts, per run, its predecessors'
/// arrivals and passes the run on with the last one.</item>
/// <item>A step read by several successors sends each run to all of them from an
/// <see cref="ActionBlock{TInput}"/> with <c>SendAsync</c> (a BroadcastBlock may drop messages).</item>
/// <item>Every block is bounded and shares one cancellation token. A block with one source
/// completes through <c>PropagateCompletion</c>; one with several, through <c>Task.WhenAll</c> of
/// their completions. The first block that faults faults the exit and cancels the rest.</item>
/// <item>A step that throws marks its run failed (a <see cref="StepFailed"/> event); the run then
/// passes every remaining step untouched to the exit, so only that run fails.</item>
/// </list>
/// The caller admits at most <c>maxRuns</c> runs at a time; every internal block can hold that many
/// runs per source, so internal sends never wait on each other and a switch arm never postpones
/// (which would let the fallback link take a run meant for the arm).
/// </remarks>
internal sealed class WorkflowPipeline<TState> where TState : class
{
    private const int Entry = -1;
    private readonly AtlasRuntime _runtime;
    private readonly WorkflowGraph<TState> _graph;
    private readonly int _maxRuns;
    private readonly int _stepParallelism;
    private readonly CancellationTokenSource _cancellation;
    private readonly List<IDataflowBlock> _blocks = new();
    private int _faulted;

    private WorkflowPipeline(AtlasRuntime runtime, WorkflowGraph<TState> graph, int maxRuns, int stepParallelism, CancellationTokenSource cancellation)
    {
        _stepParallelism = Math.Clamp(stepParallelism, 1, Math.Max(1, maxRuns));
        _runtime = runtime;
        _graph = graph;
        _maxRuns = Math.Max(1, maxRuns);
        _cancellation = cancellation;
    }

    /// <summary>Finished runs (succeeded or failed), in completion order.</summary>
    public ISourceBlock<WorkflowRun<TState>> Exit { get; private set; } = null!;

    /// <summary>Completes when every block has completed (or faulted, or been cancelled).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>How many join counters a run of this graph needs: one per step, plus the exit.</summary>
    public static int Consumers(WorkflowGraph<TState> graph) => graph.Steps.Count + 1;

    /// <summary>
    /// Builds the blocks after <paramref name="entry"/>; <paramref name="cancellation"/> is the one token source of all of them.
    /// Each step runs up to <paramref name="stepParallelism"/> runs at once (at most <paramref name="maxRuns"/>).
    /// </summary>
    public static WorkflowPipeline<TState> Create(AtlasRuntime runtime, WorkflowGraph<TState> graph, ISourceBlock<WorkflowRun<TState>> entry, int maxRuns, CancellationTokenSource cancellation, int? stepParallelism = null)
    {
        var pipeline = new WorkflowPipeline<TState>(runtime, graph, maxRuns, stepParallelism ?? maxRuns, cancellation);
        pipeline.Wire(entry);
        return pipeline;
    }

    private CancellationToken Token => _cancellation.Token;

    private void Wire(ISourceBlock<WorkflowRun<TState>> entry)
    {
        var steps = _graph.Steps;
        var count = steps.Count;
        var exit = count;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            index[steps[i].Name] = i;
        }

        // inbound[c]: the producers consumer c waits for (steps, or the entry); the exit waits for the sinks.
        var inbound = new List<int>[count + 1];
        for (var i = 0; i < count; i++)
        {
            inbound[i] = steps[i].DependsOn.Count == 0 ? [Entry] : steps[i].DependsOn.Select(d => index[d]).ToList();
        }

        var hasSuccessor = new bool[count];
        foreach (var i in Enumerable.Range(0, count).SelectMany(i => inbound[i]).Where(p => p != Entry))
        {
            hasSuccessor[i] = true;
        }

        inbound[exit] = count == 0 ? [Entry] : Enumerable.Range(0, count).Where(i => !hasSuccessor[i]).ToList();

        // Each step's blocks: where runs go in, where they come out.
        var stepInput = new ITargetBlock<WorkflowRun<TState>>[count];
        var stepOutput = new ISourceBlock<WorkflowRun<TState>>[count];
        for (var i = 0; i < count; i++)
        {
            (stepInput[i], stepOutput[i]) = steps[i].IsSwitch ? BuildSwitch(steps[i]) : BuildStep(steps[i]);
        }

        // Where a producer sends runs for consumer c: a join when c waits for several producers.
        var consumerTarget = new ITargetBlock<WorkflowRun<TState>>?[count + 1];
        ISourceBlock<WorkflowRun<TState>>? exitSource = null;
        for (var c = 0; c <= count; c++)
        {
            if (inbound[c].Count > 1)
            {
                var join = BuildJoin(c, inbound[c].Count);
                consumerTarget[c] = join;
                if (c == exit)
                {
                    exitSource = join;
                }
                else
                {
                    Link(join, stepInput[c], propagateCompletion: true);
                }
            }
            else
            {
                consumerTarget[c] = c == exit ? null : stepInput[c];
            }
        }

        // Producers: link straight to a single consumer, or fan out through a distributor.
        var done = new Dictionary<int, Task>();
        for (var p = Entry; p < count; p++)
        {
            var source = p == Entry ? entry : stepOutput[p];
            var targets = Enumerable.Range(0, count + 1).Where(c => inbound[c].Contains(p)).ToList();
            if (targets.Count == 0)
            {
                continue;
            }

            if (targets is [var only] && only == exit && inbound[exit].Count == 1)
            {
                exitSource = source;
                done[p] = source.Completion;
            }
            else if (targets is [var single])
            {
                Link(source, consumerTarget[single]!, propagateCompletion: inbound[single].Count == 1);
                done[p] = source.Completion;
            }
            else
            {
                var distributor = BuildDistributor(targets.Select(c => consumerTarget[c] ?? throw new InvalidOperationException("The exit has no target when fed by one producer.")).ToArray());
                Link(source, distributor, propagateCompletion: true);
                done[p] = distributor.Completion;
            }
        }

        // A consumer fed by several producers, or by a distributor, completes when all of them are done.
        for (var c = 0; c <= count; c++)
        {
            if (consumerTarget[c] is not { } target)
            {
                continue;
            }

            var viaLink = inbound[c] is [var p] && !IsDistributed(p, inbound, count);
            if (!viaLink)
            {
                CompleteWhenAll(target, inbound[c].Select(p => done[p]));
            }
        }

        Exit = exitSource ?? throw new InvalidOperationException($"Workflow '{_graph.Workflow}' has no exit.");
        Track(Exit);
        Completion = Task.WhenAll(_blocks.Select(b => b.Completion).Append(entry.Completion).Select(t => t.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)));
    }

    private static bool IsDistributed(int producer, List<int>[] inbound, int count) =>
        Enumerable.Range(0, count + 1).Count(c => inbound[c].Contains(producer)) > 1;

    private (ITargetBlock<WorkflowRun<TState>> Input, ISourceBlock<WorkflowRun<TState>> Output) BuildStep(StepSpec<TState> spec)
    {
        var body = spec.Body!;
        var block = new TransformBlock<WorkflowRun<TState>, WorkflowRun<TState>>(run => ExecuteAsync(run, spec, body), StepOptions(_stepParallelism));
        Track(block);
        return (block, block);
    }

    private (ITargetBlock<WorkflowRun<TState>> Input, ISourceBlock<WorkflowRun<TState>> Output) BuildSwitch(StepSpec<TState> spec)
    {
        var selector = new TransformBlock<WorkflowRun<TState>, ArmChoice<TState>>(run => Select(run, spec), StepOptions(_maxRuns));
        Track(selector);
        var merge = new BufferBlock<WorkflowRun<TState>>(new DataflowBlockOptions { BoundedCapacity = _maxRuns, CancellationToken = Token });
        Track(merge);
        var outlets = new List<Task>();
        for (var arm = 0; arm < spec.Arms.Count; arm++)
        {
            var armIndex = arm;
            var body = spec.Arms[arm];
            var armBlock = new TransformBlock<ArmChoice<TState>, WorkflowRun<TState>>(choice => ExecuteAsync(choice.Run, spec, body), StepOptions(_stepParallelism));
            Track(armBlock);
            selector.LinkTo(armBlock, new DataflowLinkOptions { PropagateCompletion = true }, choice => choice.Arm == armIndex);
            armBlock.LinkTo(merge);
            outlets.Add(armBlock.Completion);
        }

        // The fallback link: runs that take no arm (already failed) pass by, so nothing is stranded.
        var pass = new TransformBlock<ArmChoice<TState>, WorkflowRun<TState>>(choice => PassBy(choice, spec), StepOptions(_maxRuns));
        Track(pass);
        selector.LinkTo(pass, new DataflowLinkOptions { PropagateCompletion = true });
        pass.LinkTo(merge);
        outlets.Add(pass.Completion);
        CompleteWhenAll(merge, outlets);
        return (selector, merge);
    }

    private TransformManyBlock<WorkflowRun<TState>, WorkflowRun<TState>> BuildJoin(int consumer, int expected)
    {
        var join = new TransformManyBlock<WorkflowRun<TState>, WorkflowRun<TState>>(
            run => run.Arrive(consumer, expected) ? [run] : [],
            new ExecutionDataflowBlockOptions { BoundedCapacity = _maxRuns * expected, CancellationToken = Token, EnsureOrdered = false });
        Track(join);
        return join;
    }

    private ActionBlock<WorkflowRun<TState>> BuildDistributor(ITargetBlock<WorkflowRun<TState>>[] targets)
    {
        var distributor = new ActionBlock<WorkflowRun<TState>>(
            async run =>
            {
                foreach (var target in targets)
                {
                    if (!await target.SendAsync(run, Token).ConfigureAwait(false))
                    {
                        throw new InvalidOperationException($"A block of workflow '{_graph.Workflow}' declined run {run.Context.RunId}.");
                    }
                }
            },
            new ExecutionDataflowBlockOptions { BoundedCapacity = _maxRuns, CancellationToken = Token });
        Track(distributor);
        return distributor;
    }

    private ExecutionDataflowBlockOptions StepOptions(int parallelism) => new()
    {
        MaxDegreeOfParallelism = parallelism,
        BoundedCapacity = _maxRuns,
        CancellationToken = Token,
        EnsureOrdered = false,
    };

    private async Task<WorkflowRun<TState>> ExecuteAsync(WorkflowRun<TState> run, StepSpec<TState> spec, StepBody<TState> body)
    {
        var context = run.Context;
        if (context.IsFailed)
        {
            return run;
        }

        var step = new StepContext(context, spec.Name);
        var observed = context.Observed;
        if (observed)
        {
            context.Emit(new StepStarted(context.RunId, spec.Name, context.Now));
        }

        var started = _runtime.TimeProvider.GetTimestamp();
        try
        {
            var state = run.State!;
            if (spec.Policy.Retry <= 0 && spec.Policy.Timeout is null)
            {
                // No policy: nothing for Polly to do, so no wrapper either (the common case, and a hot path).
                await body(state, step, Token).ConfigureAwait(false);
            }
            else
            {
                await _runtime.Resilience.ExecuteAsync(
                    spec.Policy,
                    step,
                    async ct =>
                    {
                        await body(state, step, ct).ConfigureAwait(false);
                        return true;
                    },
                    canRetry: null,
                    Token).ConfigureAwait(false);
            }

            if (observed)
            {
                context.Emit(new StepCompleted(context.RunId, spec.Name, context.Now, _runtime.TimeProvider.GetElapsedTime(started), step.Usage));
            }
        }
        catch (Exception ex) when (!Token.IsCancellationRequested)
        {
            Fail(context, spec.Name, ex);
        }

        return run;
    }

    private ArmChoice<TState> Select(WorkflowRun<TState> run, StepSpec<TState> spec)
    {
        if (run.Context.IsFailed)
        {
            return new ArmChoice<TState>(run, -1);
        }

        try
        {
            var arm = spec.SelectArm!(run.State!);
            if (arm >= 0 && arm < spec.Arms.Count)
            {
                return new ArmChoice<TState>(run, arm);
            }

            throw new InvalidOperationException($"switch chose arm {arm}, but it has arms 0 to {spec.Arms.Count - 1}");
        }
        catch (Exception ex)
        {
            run.Context.Emit(new StepStarted(run.Context.RunId, spec.Name, run.Context.Now));
            Fail(run.Context, spec.Name, ex);
            return new ArmChoice<TState>(run, -1);
        }
    }

    private static WorkflowRun<TState> PassBy(ArmChoice<TState> choice, StepSpec<TState> spec)
    {
        // Only a failed run takes no arm; a chosen arm reaching this link would be a wiring bug, so fail loudly.
        if (choice.Arm >= 0)
        {
            Fail(choice.Run.Context, spec.Name, new InvalidOperationException($"switch arm {choice.Arm} did not accept the run"));
        }

        return choice.Run;
    }

    private static void Fail(RunContext context, string step, Exception error)
    {
        context.Fail(step, error);
        context.Emit(new StepFailed(context.RunId, step, context.Now, RunContext.Describe(error)));
    }

    private void Link<T>(ISourceBlock<T> source, ITargetBlock<T> target, bool propagateCompletion) =>
        source.LinkTo(target, new DataflowLinkOptions { PropagateCompletion = propagateCompletion });

    private static void CompleteWhenAll(IDataflowBlock target, IEnumerable<Task> sources) =>
        Task.WhenAll(sources).ContinueWith(
            t =>
            {
                if (t.IsFaulted)
                {
                    target.Fault(t.Exception!.GetBaseException());
                }
                else
                {
                    target.Complete();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    /// <summary>On the first fault anywhere, fault the exit (so the caller sees why) and cancel every block.</summary>
    private void Track(IDataflowBlock block)
    {
        if (_blocks.Contains(block))
        {
            return;
        }

        _blocks.Add(block);
        block.Completion.ContinueWith(
            t =>
            {
                if (t.IsFaulted && Interlocked.Exchange(ref _faulted, 1) == 0)
                {
                    Exit?.Fault(t.Exception!.GetBaseException());
                    try
                    {
                        _cancellation.Cancel();
                    }
                    catch (ObjectDisposedException)
                    {
                    }
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
