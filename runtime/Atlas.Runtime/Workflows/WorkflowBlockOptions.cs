using System;

namespace Atlas.Runtime;

/// <summary>Options of a workflow block that many inputs are pushed through.</summary>
/// <param name="BoundedCapacity">How many inputs (and how many results) the block buffers before <c>SendAsync</c> waits.</param>
/// <param name="MaxConcurrentRuns">How many inputs run at once; each step runs up to this many in parallel.</param>
/// <param name="OnEvent">Receives every run's events, from many threads at once; exceptions it throws are ignored.</param>
/// <param name="CancellationToken">Cancels the block and every run in it.</param>
public sealed record WorkflowBlockOptions(int BoundedCapacity = 64, int MaxConcurrentRuns = 16, Action<AtlasEvent>? OnEvent = null, System.Threading.CancellationToken CancellationToken = default)
{
    /// <summary>
    /// How many runs each step executes at once; null (the default) means <see cref="MaxConcurrentRuns"/>.
    /// Set <see cref="MaxConcurrentRuns"/> to this times the depth of the graph, plus some slack, to keep every
    /// step busy: with 3 steps in a row at 64 each, admit 256 runs.
    /// </summary>
    public int? MaxParallelismPerStep { get; init; }
}
