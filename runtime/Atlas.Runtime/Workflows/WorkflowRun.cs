using System.Threading;

namespace Atlas.Runtime;

/// <summary>
/// The message that flows through a workflow's blocks: one run's context and state. Each run is its
/// own instance, so concurrent runs never share state; <see cref="Arrive"/> counts, per run, how
/// many predecessors of a join are done.
/// </summary>
internal sealed class WorkflowRun<TState> where TState : class
{
    private readonly int[] _arrivals;

    public WorkflowRun(RunContext context, TState? state, int consumers)
    {
        Context = context;
        State = state;
        _arrivals = new int[consumers];
    }

    public RunContext Context { get; }

    /// <summary>Null only when making the state failed (then the run is failed and no step reads it).</summary>
    public TState? State { get; }

    /// <summary>True for the arrival that completes the set: this run is ready for <paramref name="consumer"/>.</summary>
    public bool Arrive(int consumer, int expected) => Interlocked.Increment(ref _arrivals[consumer]) == expected;
}

/// <summary>A switch's decision for one run: the arm to take, or -1 to pass the run by (it failed).</summary>
internal sealed record ArmChoice<TState>(WorkflowRun<TState> Run, int Arm) where TState : class;
