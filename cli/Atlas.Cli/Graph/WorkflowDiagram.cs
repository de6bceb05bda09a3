using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Atlas.Compiler.Model;

namespace Atlas.Cli.Graph;

/// <summary>What a node of a workflow diagram stands for (it decides the shape).</summary>
internal enum DiagramNodeKind
{
    Parameter,
    Agent,
    Tool,
    Workflow,
    Search,
    Switch,
    Arm,
    For,
    Value,
    Return,
    Route,
    Provider,
}

internal sealed record DiagramNode(string Id, DiagramNodeKind Kind, IReadOnlyList<string> Lines);

/// <summary>An edge; <see cref="Label"/> is a switch case, a route's order; <see cref="Dashed"/> for "calls a model through".</summary>
internal sealed record DiagramEdge(string From, string To, string? Label = null, bool Dashed = false);

/// <summary>
/// A workflow's dataflow graph for display: parameters → steps → return, each step with its kind
/// (agent call, tool, workflow, search, switch, for, value), a switch's arms on edges labelled
/// with their case values, a <c>for</c> with its parallelism and per-item policy, and the routes
/// and providers its agents call, in a section of their own.
/// </summary>
internal sealed class WorkflowDiagram
{
    private readonly AtlasModel _model;
    private readonly List<DiagramNode> _nodes = new();
    private readonly List<DiagramEdge> _edges = new();
    private readonly List<DiagramNode> _routeNodes = new();
    private readonly List<DiagramEdge> _routeEdges = new();

    private WorkflowDiagram(AtlasModel model, WorkflowModel workflow)
    {
        _model = model;
        Workflow = workflow;
    }

    public WorkflowModel Workflow { get; }

    public IReadOnlyList<DiagramNode> Nodes => _nodes;

    public IReadOnlyList<DiagramEdge> Edges => _edges;

    /// <summary>The <c>route</c> section: routes and providers the workflow's agents use.</summary>
    public IReadOnlyList<DiagramNode> RouteNodes => _routeNodes;

    public IReadOnlyList<DiagramEdge> RouteEdges => _routeEdges;

    public static WorkflowDiagram Build(AtlasModel model, WorkflowModel workflow)
    {
        var diagram = new WorkflowDiagram(model, workflow);
        diagram.Build();
        return diagram;
    }

    private void Build()
    {
        foreach (var parameter in Workflow.Parameters)
        {
            _nodes.Add(new DiagramNode(ParameterId(parameter.Name), DiagramNodeKind.Parameter, [$"{parameter.Name}: {parameter.Type}"]));
        }

        // Where a step's value comes out: the step, or each arm of a graph-level switch.
        var outputs = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var models = new List<(string From, string Model)>();
        foreach (var step in Workflow.Steps)
        {
            var id = StepId(step.Name);
            if (step.Value is SwitchExpr switchExpr && !ExprModelFacts.IsAsync(switchExpr.Subject))
            {
                _nodes.Add(new DiagramNode(id, DiagramNodeKind.Switch, [step.Name, "switch " + ExpressionText.Of(switchExpr.Subject)]));
                var arms = new List<string>();
                var results = switchExpr.Cases.Select(c => (Label: c.Value, Result: c.Result)).ToList();
                if (switchExpr.Default is { } fallback) results.Add(("_", fallback));
                for (var i = 0; i < results.Count; i++)
                {
                    var armId = id + "_" + i.ToString(CultureInfo.InvariantCulture);
                    var (kind, lines) = Describe(results[i].Result);
                    _nodes.Add(new DiagramNode(armId, kind == DiagramNodeKind.Value ? DiagramNodeKind.Arm : kind, lines));
                    _edges.Add(new DiagramEdge(id, armId, results[i].Label));
                    Models(results[i].Result, armId, models);
                    arms.Add(armId);
                }

                outputs[step.Name] = arms;
            }
            else
            {
                var (kind, lines) = Describe(step.Value);
                _nodes.Add(new DiagramNode(id, kind, [step.Name, .. lines]));
                Models(step.Value, id, models);
                outputs[step.Name] = [id];
            }

            foreach (var dependency in step.DependsOn)
            {
                foreach (var from in outputs.GetValueOrDefault(dependency) ?? [StepId(dependency)]) _edges.Add(new DiagramEdge(from, id));
            }

            foreach (var parameter in Parameters(step.Value)) _edges.Add(new DiagramEdge(ParameterId(parameter), id));
        }

        var returnLines = new List<string> { "return " + Workflow.Returns };
        if (ExprModelFacts.IsAsync(Workflow.Return))
        {
            returnLines.AddRange(Describe(Workflow.Return).Lines);
            Models(Workflow.Return, ReturnId, models);
        }
        else
        {
            returnLines.Add(ExpressionText.Of(Workflow.Return));
        }

        _nodes.Add(new DiagramNode(ReturnId, DiagramNodeKind.Return, returnLines));
        foreach (var dependency in Workflow.ReturnDependsOn)
        {
            foreach (var from in outputs.GetValueOrDefault(dependency) ?? [StepId(dependency)]) _edges.Add(new DiagramEdge(from, ReturnId));
        }

        foreach (var parameter in Parameters(Workflow.Return)) _edges.Add(new DiagramEdge(ParameterId(parameter), ReturnId));
        AddRoutes(models);
    }

    public const string ReturnId = "return_value";

    public static string ParameterId(string name) => "param_" + name;

    public static string StepId(string name) => "step_" + name;

    public static string RouteId(string name) => "route_" + name;

    public static string ProviderId(string name) => "provider_" + name;

    private (DiagramNodeKind Kind, IReadOnlyList<string> Lines) Describe(ExprModel expr)
    {
        switch (expr)
        {
            case CallExpr call:
            {
                var kind = call.Kind switch
                {
                    CallKind.Agent => DiagramNodeKind.Agent,
                    CallKind.Tool => DiagramNodeKind.Tool,
                    _ => DiagramNodeKind.Workflow,
                };
                var what = call.Kind switch
                {
                    CallKind.Agent => $"agent {call.Target} on {_model.Agents.FirstOrDefault(a => a.Name == call.Target)?.Model}",
                    CallKind.Tool => "tool " + call.Target,
                    _ => "workflow " + call.Target,
                };
                return (kind, Policy([what], call.Options));
            }

            case SearchExpr search:
                return (DiagramNodeKind.Search, Policy([$"search {search.Knowledge}, top {search.Top}"], search.Options));
            case ForExpr loop:
            {
                var body = Describe(loop.Body);
                var lines = new List<string> { $"for {loop.Variable} in {ExpressionText.Of(loop.Source)}, parallel {loop.Parallelism}" };
                lines.AddRange(body.Kind == DiagramNodeKind.Value ? ["→ " + ExpressionText.Of(loop.Body)] : body.Lines.Select((l, i) => i == 0 ? "→ " + l : l));
                return (DiagramNodeKind.For, lines);
            }

            case SwitchExpr switchExpr:
                return (DiagramNodeKind.Switch, ["switch " + ExpressionText.Of(switchExpr.Subject)]);
            default:
                return (DiagramNodeKind.Value, [ExpressionText.Of(expr)]);
        }
    }

    private static List<string> Policy(List<string> lines, CallOptions options)
    {
        var parts = new List<string>();
        if (options.Retry is { } retry) parts.Add("retry " + retry.ToString(CultureInfo.InvariantCulture));
        if (options.TimeoutMs is { } timeout) parts.Add("timeout " + ExpressionText.Duration(timeout));
        if (parts.Count > 0) lines.Add("with " + string.Join(", ", parts));
        return lines;
    }

    /// <summary>The provider or route of every agent <paramref name="expr"/> calls, with the node that calls it.</summary>
    /// <remarks>A called workflow's agents count too: their routes are where this step's calls go.</remarks>
    private void Models(ExprModel? expr, string from, List<(string From, string Model)> models, HashSet<string>? visited = null)
    {
        foreach (var call in ExpressionText.Calls(expr))
        {
            if (call.Kind == CallKind.Agent && _model.Agents.FirstOrDefault(a => a.Name == call.Target) is { } agent)
            {
                models.Add((from, agent.Model));
            }
            else if (call.Kind == CallKind.Workflow && _model.Workflows.FirstOrDefault(w => w.Name == call.Target) is { } workflow
                     && (visited ??= new HashSet<string>(StringComparer.Ordinal)).Add(workflow.Name))
            {
                foreach (var step in workflow.Steps) Models(step.Value, from, models, visited);
                Models(workflow.Return, from, models, visited);
            }
        }
    }

    private void AddRoutes(List<(string From, string Model)> models)
    {
        var providers = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in models.Select(m => m.Model).Distinct(StringComparer.Ordinal))
        {
            if (_model.Routes.FirstOrDefault(r => r.Name == name) is { } route)
            {
                var lines = new List<string> { "route " + route.Name, Display.Spellings.Strategy(route.Strategy) };
                var policy = new List<string>();
                if (route.Require.Count > 0) policy.Add("require " + string.Join(", ", route.Require));
                if (route.Retry > 0) policy.Add("retry " + route.Retry.ToString(CultureInfo.InvariantCulture));
                if (route.TimeoutMs is { } timeout) policy.Add("timeout " + ExpressionText.Duration(timeout));
                if (policy.Count > 0) lines.Add(string.Join(", ", policy));
                _routeNodes.Add(new DiagramNode(RouteId(route.Name), DiagramNodeKind.Route, lines));
                for (var i = 0; i < route.Use.Count; i++)
                {
                    providers.Add(route.Use[i]);
                    _routeEdges.Add(new DiagramEdge(RouteId(route.Name), ProviderId(route.Use[i]), (i + 1).ToString(CultureInfo.InvariantCulture)));
                }
            }
            else
            {
                providers.Add(name);
            }
        }

        foreach (var name in providers)
        {
            var provider = _model.Providers.FirstOrDefault(p => p.Name == name);
            var lines = new List<string> { name };
            if (provider is not null) lines.Add(Display.Spellings.Kind(provider.Kind) + (provider.Model is { } m ? " " + m : ""));
            _routeNodes.Add(new DiagramNode(ProviderId(name), DiagramNodeKind.Provider, lines));
        }

        foreach (var (from, model) in models.Distinct())
        {
            var target = _model.Routes.Any(r => r.Name == model) ? RouteId(model) : ProviderId(model);
            _edges.Add(new DiagramEdge(from, target, Dashed: true));
        }
    }

    private static IEnumerable<string> Parameters(ExprModel? expr) =>
        ExpressionText.References(expr).Where(r => r.Kind == RefKind.Parameter).Select(r => r.Name).Distinct(StringComparer.Ordinal);
}
