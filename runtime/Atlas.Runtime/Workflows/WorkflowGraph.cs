using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>What a step does to the run's state; it may read the steps it depends on and write its own result.</summary>
public delegate Task StepBody<in TState>(TState state, StepContext step, CancellationToken cancellationToken);

/// <summary>One node of a workflow graph, for display (atlas graph) and for the engine.</summary>
public sealed record WorkflowNode(string Name, IReadOnlyList<string> DependsOn, string Kind, int Arms, StepPolicy Policy);

/// <summary>
/// Declares a workflow's DAG: steps with their dependencies, switches with one body per arm, and
/// which steps the return reads. Generated code and the CLI interpreter both build graphs with it;
/// <see cref="AtlasRuntime"/> turns a graph into TPL Dataflow blocks. (Contract: being implemented.)
/// </summary>
public sealed class WorkflowGraphBuilder<TState> where TState : class
{
    public WorkflowGraphBuilder(string workflow) => throw new NotSupportedException("Atlas.Runtime is being built.");

    public WorkflowGraphBuilder<TState> Step(string name, IReadOnlyList<string> dependsOn, StepBody<TState> body, StepPolicy? policy = null) =>
        throw new NotSupportedException("Atlas.Runtime is being built.");

    /// <summary>A switch: <paramref name="selectArm"/> picks the index of the arm to run (conditional links); only that arm runs.</summary>
    public WorkflowGraphBuilder<TState> Switch(string name, IReadOnlyList<string> dependsOn, Func<TState, int> selectArm, IReadOnlyList<StepBody<TState>> arms, StepPolicy? policy = null) =>
        throw new NotSupportedException("Atlas.Runtime is being built.");

    public WorkflowGraph<TState> Build(IReadOnlyList<string> returnDependsOn) => throw new NotSupportedException("Atlas.Runtime is being built.");
}

/// <summary>An immutable, validated workflow graph (no cycles, no unknown dependencies). Thread-safe; reused by every run.</summary>
public sealed class WorkflowGraph<TState> where TState : class
{
    internal WorkflowGraph() { }

    public string Workflow => throw new NotSupportedException("Atlas.Runtime is being built.");

    public IReadOnlyList<WorkflowNode> Nodes => throw new NotSupportedException("Atlas.Runtime is being built.");
}

/// <summary>What a step body gets: its run, its name, and helpers that emit events. One per step execution.</summary>
public sealed class StepContext
{
    internal StepContext() { }

    public string RunId => throw new NotSupportedException("Atlas.Runtime is being built.");

    public string Step => throw new NotSupportedException("Atlas.Runtime is being built.");

    public AtlasRuntime Runtime => throw new NotSupportedException("Atlas.Runtime is being built.");

    /// <summary>Runs <paramref name="action"/> with the policy's retries (RetryScheduled events) and per-attempt timeout.</summary>
    public Task<T> ExecuteAsync<T>(StepPolicy policy, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Atlas.Runtime is being built.");

    /// <summary><c>for x in items parallel N</c>: a dataflow block with that degree of parallelism; results in input order.</summary>
    public Task<IReadOnlyList<TOut>> ForEachAsync<TIn, TOut>(IReadOnlyList<TIn> items, StepPolicy policy, Func<TIn, StepContext, CancellationToken, Task<TOut>> body, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Atlas.Runtime is being built.");
}
