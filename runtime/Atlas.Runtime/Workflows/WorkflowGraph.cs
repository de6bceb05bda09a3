using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>What a step does to the run's state; it may read the steps it depends on and write its own result.</summary>
/// <typeparam name="TState">The run's state.</typeparam>
/// <param name="state">The run's state: the steps this one depends on have written their results into it.</param>
/// <param name="step">The step's context: its runtime, its run, and helpers for policies and <c>for</c>.</param>
/// <param name="cancellationToken">Cancelled when the attempt times out, the run fails or the caller cancels.</param>
/// <returns>A task that completes when the step is done; a fault fails the step.</returns>
public delegate Task StepBody<in TState>(TState state, StepContext step, CancellationToken cancellationToken);

/// <summary>What a node of a workflow graph is.</summary>
public enum WorkflowNodeKind
{
    /// <summary>A step: one body, run once its dependencies are done.</summary>
    Step,

    /// <summary>A switch: its subject picks one of its arms, and only that arm runs.</summary>
    Switch,
}

/// <summary>One node of a workflow graph, for display (atlas graph) and for the engine.</summary>
/// <remarks><see cref="Arms"/> is 0 for a step.</remarks>
/// <param name="Name">The step's name.</param>
/// <param name="DependsOn">The steps it waits for.</param>
/// <param name="Kind">A step or a switch.</param>
/// <param name="Arms">How many arms a switch has; 0 for a step.</param>
/// <param name="Policy">The retries and timeout the engine applies around its body.</param>
public sealed record WorkflowNode(string Name, IReadOnlyList<string> DependsOn, WorkflowNodeKind Kind, int Arms, StepPolicy Policy);

/// <summary>
/// Declares a workflow's DAG: steps with their dependencies, switches with one body per arm, and
/// which steps the return reads. Generated code and the interpreter both build graphs with it;
/// <see cref="AtlasRuntime"/> runs a graph directly for one input, and inside one dataflow block for a stream.
/// </summary>
/// <remarks>
/// Not thread-safe while building; the <see cref="WorkflowGraph{TState}"/> it builds is immutable.
/// Steps may be declared in any order: <see cref="Build"/> checks that every dependency names a
/// step and that there is no cycle, and throws <see cref="ArgumentException"/> otherwise.
/// The engine runs a step's body under the step's <see cref="StepPolicy"/> (retries and a timeout
/// per attempt); <see cref="StepPolicy.Parallelism"/> is only shown, since <c>for</c> applies its
/// own per-item policy through <see cref="StepContext.ForEachAsync{TIn, TOut}(System.Collections.Generic.IReadOnlyList{TIn}, StepPolicy, Func{TIn, StepContext, System.Threading.CancellationToken, System.Threading.Tasks.Task{TOut}}, System.Threading.CancellationToken)"/>.
/// </remarks>
public sealed class WorkflowGraphBuilder<TState> where TState : class
{
    private readonly string _workflow;
    private readonly List<StepSpec<TState>> _steps = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private BudgetDescriptor? _budget;
    private WorkflowCheckpoints<TState>? _checkpoints;

    /// <summary>Starts an empty graph.</summary>
    /// <param name="workflow">The workflow's name, which its events and errors carry.</param>
    /// <exception cref="ArgumentException"><paramref name="workflow"/> is <see langword="null"/>, empty or white space.</exception>
    public WorkflowGraphBuilder(string workflow)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workflow);
        _workflow = workflow;
    }

    /// <summary>Adds a step that runs <paramref name="body"/> once every step in <paramref name="dependsOn"/> is done.</summary>
    /// <param name="name">The step's name, unique in the workflow.</param>
    /// <param name="dependsOn">The steps it waits for (any order, duplicates ignored); empty for a step that needs only the input.</param>
    /// <param name="body">What the step does.</param>
    /// <param name="policy">Retries and a timeout per attempt; <see langword="null"/> for <see cref="StepPolicy.Default"/>.</param>
    /// <param name="checkpoint">How its result is recorded and restored (durable runs); <see langword="null"/> for a step that always runs.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is empty or taken, or a dependency name is empty.</exception>
    public WorkflowGraphBuilder<TState> Step(string name, IReadOnlyList<string> dependsOn, StepBody<TState> body, StepPolicy? policy = null, StepCheckpoint<TState>? checkpoint = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        Add(new StepSpec<TState>(name, Copy(dependsOn, name), policy ?? StepPolicy.Default, body, null, Array.Empty<StepBody<TState>>()) { Checkpoint = checkpoint });
        return this;
    }

    /// <summary>A switch: <paramref name="selectArm"/> picks the index of the arm to run (conditional links); only that arm runs.</summary>
    /// <param name="name">The switch's name, unique in the workflow; the chosen arm writes the step's result.</param>
    /// <param name="dependsOn">The steps it waits for.</param>
    /// <param name="selectArm">Returns the index in <paramref name="arms"/> of the arm to run; an index out of range fails the step.</param>
    /// <param name="arms">One body per arm, at least one.</param>
    /// <param name="policy">Retries and a timeout per attempt of the chosen arm; <see langword="null"/> for <see cref="StepPolicy.Default"/>.</param>
    /// <param name="checkpoint">How its result is recorded and restored (durable runs); <see langword="null"/> for a switch that always runs.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">There are no arms or a null one, the name is empty or taken, or a dependency name is empty.</exception>
    public WorkflowGraphBuilder<TState> Switch(string name, IReadOnlyList<string> dependsOn, Func<TState, int> selectArm, IReadOnlyList<StepBody<TState>> arms, StepPolicy? policy = null, StepCheckpoint<TState>? checkpoint = null)
    {
        ArgumentNullException.ThrowIfNull(selectArm);
        ArgumentNullException.ThrowIfNull(arms);
        if (arms.Count == 0)
        {
            throw new ArgumentException($"Switch '{name}' of workflow '{_workflow}' has no arms.", nameof(arms));
        }

        if (arms.Any(a => a is null))
        {
            throw new ArgumentException($"Switch '{name}' of workflow '{_workflow}' has a null arm.", nameof(arms));
        }

        Add(new StepSpec<TState>(name, Copy(dependsOn, name), policy ?? StepPolicy.Default, null, selectArm, arms.ToArray()) { Checkpoint = checkpoint });
        return this;
    }

    /// <summary>The workflow's <c>budget</c>: a run that spends more stops with <see cref="BudgetExceededException"/>.</summary>
    /// <param name="budget">The most one run may spend; <see langword="null"/> for no limit.</param>
    /// <returns>This builder.</returns>
    public WorkflowGraphBuilder<TState> WithBudget(BudgetDescriptor? budget)
    {
        _budget = budget;
        return this;
    }

    /// <summary>What a recorded run needs to save and restore its input and result (durable runs).</summary>
    /// <param name="checkpoints">The workflow's fingerprint and its input and result as JSON; <see langword="null"/> for a graph that cannot be resumed.</param>
    /// <returns>This builder.</returns>
    public WorkflowGraphBuilder<TState> WithCheckpoints(WorkflowCheckpoints<TState>? checkpoints)
    {
        _checkpoints = checkpoints;
        return this;
    }

    /// <summary>Validates the declared steps and returns the immutable graph.</summary>
    /// <param name="returnDependsOn">The steps the workflow's <c>return</c> reads.</param>
    /// <returns>The graph, in a topological order of its steps.</returns>
    /// <exception cref="ArgumentException">A dependency (of a step or of the return) names no step, or steps depend on each other in a cycle.</exception>
    public WorkflowGraph<TState> Build(IReadOnlyList<string> returnDependsOn)
    {
        var returns = Copy(returnDependsOn, "return");
        foreach (var step in _steps)
        {
            foreach (var dependency in step.DependsOn)
            {
                if (!_names.Contains(dependency))
                {
                    throw new ArgumentException($"Step '{step.Name}' of workflow '{_workflow}' depends on unknown step '{dependency}'.");
                }
            }
        }

        foreach (var dependency in returns)
        {
            if (!_names.Contains(dependency))
            {
                throw new ArgumentException($"The return of workflow '{_workflow}' depends on unknown step '{dependency}'.");
            }
        }

        return new WorkflowGraph<TState>(_workflow, TopologicalOrder(), returns) { Budget = _budget, Checkpoints = _checkpoints };
    }

    private void Add(StepSpec<TState> step)
    {
        if (string.IsNullOrWhiteSpace(step.Name))
        {
            throw new ArgumentException($"A step of workflow '{_workflow}' has no name.");
        }

        if (!_names.Add(step.Name))
        {
            throw new ArgumentException($"Workflow '{_workflow}' declares step '{step.Name}' twice.");
        }

        _steps.Add(step);
    }

    private string[] Copy(IReadOnlyList<string> names, string owner)
    {
        ArgumentNullException.ThrowIfNull(names);
        var copy = names.Distinct(StringComparer.Ordinal).ToArray();
        if (copy.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"'{owner}' of workflow '{_workflow}' has an empty dependency name.");
        }

        return copy;
    }

    // Kahn's algorithm in declaration order, so the order (and the order the engine starts steps in) is stable.
    private IReadOnlyList<StepSpec<TState>> TopologicalOrder()
    {
        var byName = _steps.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var ordered = new List<StepSpec<TState>>(_steps.Count);
        var done = new HashSet<string>(StringComparer.Ordinal);
        while (ordered.Count < _steps.Count)
        {
            var ready = _steps.Where(s => !done.Contains(s.Name) && s.DependsOn.All(done.Contains)).ToList();
            if (ready.Count == 0)
            {
                var cycle = string.Join(", ", _steps.Where(s => !done.Contains(s.Name)).Select(s => s.Name));
                throw new ArgumentException($"Steps of workflow '{_workflow}' depend on each other in a cycle: {cycle}.");
            }

            foreach (var step in ready)
            {
                done.Add(step.Name);
                ordered.Add(byName[step.Name]);
            }
        }

        return ordered;
    }
}

/// <summary>An immutable, validated workflow graph (no cycles, no unknown dependencies). Thread-safe; reused by every run.</summary>
public sealed class WorkflowGraph<TState> where TState : class
{
    internal WorkflowGraph(string workflow, IReadOnlyList<StepSpec<TState>> steps, IReadOnlyList<string> returnDependsOn)
    {
        Workflow = workflow;
        Steps = steps;
        ReturnDependsOn = returnDependsOn;
        Nodes = steps.Select(s => new WorkflowNode(s.Name, s.DependsOn, s.IsSwitch ? WorkflowNodeKind.Switch : WorkflowNodeKind.Step, s.Arms.Count, s.Policy)).ToArray();
        Engine = new WorkflowEngine<TState>(steps);
    }

    /// <summary>The workflow's name.</summary>
    public string Workflow { get; }

    /// <summary>The steps in a topological order (every step after the steps it depends on).</summary>
    public IReadOnlyList<WorkflowNode> Nodes { get; }

    /// <summary>The steps the workflow's <c>return</c> reads.</summary>
    public IReadOnlyList<string> ReturnDependsOn { get; }

    /// <summary>The most one run may spend (<c>budget</c>), or null.</summary>
    public BudgetDescriptor? Budget { get; internal init; }

    /// <summary>How a recorded run saves and restores its input and result; <see langword="null"/> when the graph cannot be resumed.</summary>
    public WorkflowCheckpoints<TState>? Checkpoints { get; internal init; }

    internal IReadOnlyList<StepSpec<TState>> Steps { get; }

    /// <summary>What runs the graph for one input.</summary>
    internal WorkflowEngine<TState> Engine { get; }
}

/// <summary>A validated step of a graph: a body, or a selector with arms.</summary>
internal sealed record StepSpec<TState>(
    string Name,
    IReadOnlyList<string> DependsOn,
    StepPolicy Policy,
    StepBody<TState>? Body,
    Func<TState, int>? SelectArm,
    IReadOnlyList<StepBody<TState>> Arms) where TState : class
{
    public bool IsSwitch => SelectArm is not null;

    /// <summary>How the step's result is recorded and restored; null for a step that always runs.</summary>
    public StepCheckpoint<TState>? Checkpoint { get; init; }
}
