using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Atlas.Cli.Graph;
using Atlas.Compiler.Lowering;
using Atlas.Runtime;

namespace Atlas.Cli.Viewer;

/// <summary>A node of the run page's graph: <see cref="Step"/> is the recorded step it shows (null for a parameter).</summary>
/// <param name="Id">The diagram's id.</param>
/// <param name="Kind">What it stands for (agent, human, switch, ...), in lower case: the page's CSS class.</param>
/// <param name="Step">The step whose record colours it; <c>return</c> for the workflow's return.</param>
/// <param name="Lines">Its label: the step's name, then what it calls.</param>
/// <param name="Layer">Its column: the longest path of edges from a node without inputs.</param>
/// <param name="Row">Its place in its column.</param>
internal sealed record RunGraphNode(string Id, string Kind, string? Step, IReadOnlyList<string> Lines, int Layer, int Row);

/// <summary>
/// The workflow graph the run page draws, and what a step depends on: from the plan of the run's source file (the
/// same diagram <c>atlas graph</c> draws) while that file still compiles to the plan the run recorded; otherwise from
/// the steps recorded alone, with <see cref="Note"/> saying why.
/// </summary>
internal sealed class RunGraph
{
    private RunGraph(IReadOnlyList<RunGraphNode> nodes, IReadOnlyList<DiagramEdge> edges, WorkflowPlan? plan, string? note)
    {
        Nodes = nodes;
        Edges = edges;
        Plan = plan;
        Note = note;
    }

    public IReadOnlyList<RunGraphNode> Nodes { get; }

    public IReadOnlyList<DiagramEdge> Edges { get; }

    /// <summary>The workflow's plan, when the run's source still compiles to it.</summary>
    public WorkflowPlan? Plan { get; }

    /// <summary>Why the graph is drawn from the recorded steps alone; <see langword="null"/> when it is the plan's.</summary>
    public string? Note { get; }

    /// <summary>The graph of <paramref name="run"/>, from its source when that compiles to the plan it ran.</summary>
    public static RunGraph For(RunRecord run, IReadOnlyList<StepRecord> steps)
    {
        var (plan, project, note) = LoadPlan(run);
        if (plan is null || project is null) return FromSteps(steps, note);

        var diagram = WorkflowDiagram.Build(project, plan);
        var stepOf = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var parameter in plan.Parameters) stepOf[WorkflowDiagram.ParameterId(parameter.Name)] = null;
        foreach (var node in plan.Nodes) stepOf[node is ReturnNode ? WorkflowDiagram.ReturnId : WorkflowDiagram.StepId(node.Name)] = node.Name;
        var nodes = diagram.Nodes.Select(n => (n.Id, Kind: n.Kind.ToString().ToLowerInvariant(), Step: StepOf(n.Id), n.Lines)).ToList();
        var layers = Layers(nodes.Select(n => n.Id).ToList(), diagram.Edges);
        return new RunGraph(Place(nodes, layers), diagram.Edges, plan, null);

        // A switch's arms (step_X_0, ...) are the switch's step; the return value without a node of its own is the run's.
        string? StepOf(string id)
        {
            if (stepOf.TryGetValue(id, out var step)) return step;
            var arm = id.LastIndexOf('_');
            return arm > 0 && stepOf.TryGetValue(id[..arm], out var owner) ? owner : WorkflowPlan.ReturnNodeName;
        }
    }

    /// <summary>The steps <paramref name="step"/> waits for: from the plan, or (without one) none.</summary>
    public IReadOnlyList<string> DependenciesOf(string step) =>
        Plan?.Nodes.FirstOrDefault(n => n.Name == step)?.DependsOn.ToList() ?? [];

    /// <summary>The parameters <paramref name="step"/> reads (edges from a parameter into it or into one of its arms).</summary>
    public IReadOnlyList<string> ParametersOf(string step)
    {
        var ids = Nodes.Where(n => n.Step == step).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var parameters = Plan?.Parameters.Select(p => p.Name).ToList() ?? [];
        return parameters.Where(p => Edges.Any(e => e.From == WorkflowDiagram.ParameterId(p) && ids.Contains(e.To))).ToList();
    }

    private static (WorkflowPlan? Plan, ProjectPlan? Project, string? Note) LoadPlan(RunRecord run)
    {
        if (run.Source is not { } source) return (null, null, "the run recorded no source file");
        if (!File.Exists(source) && !Directory.Exists(source)) return (null, null, $"{source} is gone");
        try
        {
            var quiet = new CliEnvironment { Output = TextWriter.Null, Error = TextWriter.Null };
            var project = AtlasProject.Load(source, quiet, ViewCommandName);
            if (project is null) return (null, null, $"{source} no longer compiles");
            if (!project.Program.HasWorkflow(run.Workflow)) return (null, null, $"{source} no longer declares workflow {run.Workflow}");
            var plan = project.Program.Workflow(run.Workflow).Plan;
            return plan.Fingerprint == run.Fingerprint
                ? (plan, project.Program.Plan, null)
                : (null, null, $"{source} changed since the run (its workflow {run.Workflow} computes something else now)");
        }
        catch (UsageException ex)
        {
            return (null, null, ex.Message);
        }
    }

    private const string ViewCommandName = AtlasCli.Name + " view";

    /// <summary>
    /// Without a plan: the recorded steps in the order they started, each a column after every step that had ended
    /// before it started (what it may have waited for); no edges, since what it read is unknown.
    /// </summary>
    private static RunGraph FromSteps(IReadOnlyList<StepRecord> steps, string? note)
    {
        var ordered = steps.OrderBy(s => s.StartedAt).ToList();
        var layers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var step in ordered)
        {
            layers[step.Step] = ordered.Where(s => s != step && s.StartedAt + s.Duration <= step.StartedAt && layers.ContainsKey(s.Step))
                .Select(s => layers[s.Step] + 1).DefaultIfEmpty(0).Max();
        }

        var nodes = ordered.Select(s => (Id: WorkflowDiagram.StepId(s.Step), Kind: "step", Step: (string?)s.Step, Lines: (IReadOnlyList<string>)[s.Step])).ToList();
        return new RunGraph(Place(nodes, nodes.ToDictionary(n => n.Id, n => layers[n.Step!], StringComparer.Ordinal)), [], null, note);
    }

    /// <summary>Each node's column: 0 without incoming edges, else one past the furthest node it comes from.</summary>
    private static Dictionary<string, int> Layers(IReadOnlyList<string> ids, IReadOnlyList<DiagramEdge> edges)
    {
        var layers = new Dictionary<string, int>(StringComparer.Ordinal);
        var incoming = edges.ToLookup(e => e.To, e => e.From, StringComparer.Ordinal);
        int LayerOf(string id, int depth)
        {
            if (layers.TryGetValue(id, out var known)) return known;
            // The diagram is a DAG; the depth bound keeps a malformed one from recursing forever.
            var layer = depth > ids.Count ? 0 : incoming[id].Select(from => LayerOf(from, depth + 1) + 1).DefaultIfEmpty(0).Max();
            layers[id] = layer;
            return layer;
        }

        foreach (var id in ids) LayerOf(id, 0);
        return layers;
    }

    private static List<RunGraphNode> Place(
        IEnumerable<(string Id, string Kind, string? Step, IReadOnlyList<string> Lines)> nodes, IReadOnlyDictionary<string, int> layers)
    {
        var rows = new Dictionary<int, int>();
        var placed = new List<RunGraphNode>();
        foreach (var (id, kind, step, lines) in nodes)
        {
            var layer = layers[id];
            var row = rows.GetValueOrDefault(layer);
            rows[layer] = row + 1;
            placed.Add(new RunGraphNode(id, kind, step, lines, layer, row));
        }

        return placed;
    }
}
