using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Atlas.Compiler.Lowering;
using Atlas.Compiler.Model;

namespace Atlas.Cli.Graph;

/// <summary>What a node of a workflow diagram stands for (it decides the shape).</summary>
internal enum DiagramNodeKind
{
    Parameter,
    Agent,
    Human,
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
/// A workflow's plan drawn: parameters → nodes → return, each node with its kind (agent call, human, tool,
/// workflow, search, switch, for, value) and policy, a switch's arms on edges labelled with their
/// cases, a <c>for</c> with its parallelism and per-item policy; then, in a section of their own, the
/// routes and providers its agents call, and what those agents may call at the model's choice: the
/// tools they are offered and the agents they delegate to.
/// </summary>
/// <remarks>It reads the lowered <see cref="WorkflowPlan"/> and decides nothing about how the workflow runs.</remarks>
internal sealed class WorkflowDiagram
{
    private readonly ProjectPlan _project;
    private readonly List<DiagramNode> _nodes = new();
    private readonly List<DiagramEdge> _edges = new();
    private readonly List<DiagramNode> _routeNodes = new();
    private readonly List<DiagramEdge> _routeEdges = new();
    private readonly List<DiagramNode> _callNodes = new();
    private readonly List<DiagramEdge> _callEdges = new();

    private WorkflowDiagram(ProjectPlan project, WorkflowPlan workflow)
    {
        _project = project;
        Workflow = workflow;
    }

    public WorkflowPlan Workflow { get; }

    public IReadOnlyList<DiagramNode> Nodes => _nodes;

    public IReadOnlyList<DiagramEdge> Edges => _edges;

    /// <summary>The <c>route</c> section: routes and providers the workflow's agents use.</summary>
    public IReadOnlyList<DiagramNode> RouteNodes => _routeNodes;

    public IReadOnlyList<DiagramEdge> RouteEdges => _routeEdges;

    /// <summary>The <c>calls</c> section: the tools and delegate agents the workflow's agents may call.</summary>
    public IReadOnlyList<DiagramNode> CallNodes => _callNodes;

    public IReadOnlyList<DiagramEdge> CallEdges => _callEdges;

    public static WorkflowDiagram Build(ProjectPlan project, WorkflowPlan workflow)
    {
        var diagram = new WorkflowDiagram(project, workflow);
        diagram.Build();
        return diagram;
    }

    private void Build()
    {
        foreach (var parameter in Workflow.Parameters)
        {
            _nodes.Add(new DiagramNode(ParameterId(parameter.Name), DiagramNodeKind.Parameter, [$"{parameter.Name}: {parameter.Type}"]));
        }

        // Where a node's value comes out: the node, or each arm of a switch.
        var outputs = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var agents = new List<(string From, string Agent)>();
        foreach (var node in Workflow.Nodes)
        {
            var id = node is ReturnNode ? ReturnId : StepId(node.Name);
            switch (node)
            {
                case SwitchNode switchNode:
                {
                    _nodes.Add(new DiagramNode(id, DiagramNodeKind.Switch, [node.Name, "switch " + Text(switchNode.Subject)]));
                    var arms = new List<string>();
                    for (var i = 0; i < switchNode.Arms.Count; i++)
                    {
                        var arm = switchNode.Arms[i];
                        var armId = id + "_" + i.ToString(CultureInfo.InvariantCulture);
                        var (kind, lines) = Describe(arm.Value);
                        _nodes.Add(new DiagramNode(armId, kind == DiagramNodeKind.Value ? DiagramNodeKind.Arm : kind, lines));
                        _edges.Add(new DiagramEdge(id, armId, arm.Case ?? "_"));
                        Agents(arm.Value, armId, agents);
                        arms.Add(armId);
                    }

                    outputs[node.Name] = arms;
                    break;
                }

                case StepNode step:
                {
                    var (kind, lines) = Describe(step.Value);
                    _nodes.Add(new DiagramNode(id, kind, [step.Name, .. lines, .. Policy(step.Policy)]));
                    Agents(step.Value, id, agents);
                    outputs[node.Name] = [id];
                    break;
                }

                case ReturnNode returnNode:
                    _nodes.Add(new DiagramNode(id, DiagramNodeKind.Return, ["return " + Workflow.Returns, .. Describe(returnNode.Value).Lines]));
                    Agents(returnNode.Value, id, agents);
                    break;
            }

            Connect(node.DependsOn, id, outputs);
            foreach (var parameter in Parameters(Reads(node))) _edges.Add(new DiagramEdge(ParameterId(parameter), id));
        }

        if (Workflow.Result is { } result)
        {
            _nodes.Add(new DiagramNode(ReturnId, DiagramNodeKind.Return, ["return " + Workflow.Returns, Text(result)]));
            Connect(Workflow.Outputs, ReturnId, outputs);
            foreach (var parameter in Parameters(result)) _edges.Add(new DiagramEdge(ParameterId(parameter), ReturnId));
        }

        var delegates = AddCalls(agents);
        AddRoutes(agents, delegates);
    }

    public const string ReturnId = "return_value";

    public static string ParameterId(string name) => "param_" + name;

    public static string StepId(string name) => "step_" + name;

    public static string RouteId(string name) => "route_" + name;

    public static string ProviderId(string name) => "provider_" + name;

    public static string AgentId(string name) => "agent_" + name;

    public static string ToolId(string name) => "tool_" + name;

    private void Connect(IEnumerable<string> dependsOn, string to, Dictionary<string, List<string>> outputs)
    {
        foreach (var dependency in dependsOn)
        {
            foreach (var from in outputs.GetValueOrDefault(dependency) ?? [StepId(dependency)]) _edges.Add(new DiagramEdge(from, to));
        }
    }

    /// <summary>Every expression a node evaluates: its value, or a switch's subject and arms.</summary>
    private static IEnumerable<ExprModel> Reads(PlanNode node) => node switch
    {
        StepNode step => [step.Value],
        ReturnNode returnNode => [returnNode.Value],
        SwitchNode switchNode => switchNode.Arms.Select(a => a.Value).Prepend(switchNode.Subject),
        _ => [],
    };

    private (DiagramNodeKind Kind, IReadOnlyList<string> Lines) Describe(ExprModel expr)
    {
        switch (expr)
        {
            case CallExpr call:
            {
                var kind = call.Kind switch
                {
                    CallKind.Agent => DiagramNodeKind.Agent,
                    CallKind.Human => DiagramNodeKind.Human,
                    CallKind.Tool => DiagramNodeKind.Tool,
                    _ => DiagramNodeKind.Workflow,
                };
                return (kind, [Callee(call.Kind, call.Target), .. Policy(call.Options)]);
            }

            case SearchExpr search:
                return (DiagramNodeKind.Search, [$"search {search.Knowledge}, top {search.Top}", .. Policy(search.Options)]);
            case ForExpr loop:
            {
                var body = Describe(loop.Body);
                var lines = new List<string> { $"for {loop.Variable} in {Text(loop.Source)}, parallel {loop.Parallelism}" };
                lines.AddRange(body.Kind == DiagramNodeKind.Value ? ["→ " + Text(loop.Body)] : body.Lines.Select((l, i) => i == 0 ? "→ " + l : l));
                lines.AddRange(Policy(loop.ItemOptions));
                return (DiagramNodeKind.For, lines);
            }

            case SwitchExpr switchExpr:
                return (DiagramNodeKind.Switch, ["switch " + Text(switchExpr.Subject)]);
            default:
                return (DiagramNodeKind.Value, [Text(expr)]);
        }
    }

    private string Callee(CallKind kind, string name) => kind switch
    {
        CallKind.Agent => $"agent {name} on {_project.Agent(name)?.Agent.Model}",
        CallKind.Tool => "tool " + name,
        CallKind.Human => "human " + name + (_project.Human(name)?.Human.TimeoutMs is { } timeout ? ", timeout " + PlanText.Duration(timeout) : ""),
        _ => "workflow " + name,
    };

    /// <summary>A label's text: the expression as written, cut at 60 characters.</summary>
    private static string Text(ExprModel expr)
    {
        const int MaxLength = 60;
        var text = PlanText.Readable.Expression(expr);
        return text.Length <= MaxLength ? text : text[..(MaxLength - 1)] + "…";
    }

    private static IEnumerable<string> Policy(CallOptions options)
    {
        var parts = new List<string>();
        if (options.Retry is { } retry) parts.Add("retry " + retry.ToString(CultureInfo.InvariantCulture));
        if (options.TimeoutMs is { } timeout) parts.Add("timeout " + PlanText.Duration(timeout));
        return parts.Count > 0 ? ["with " + string.Join(", ", parts)] : [];
    }

    /// <summary>Every agent <paramref name="expr"/> calls, with the node that calls it.</summary>
    /// <remarks>A called workflow's agents count too: their routes and tools are where this node's calls go.</remarks>
    private void Agents(ExprModel? expr, string from, List<(string From, string Agent)> agents, HashSet<string>? visited = null)
    {
        foreach (var call in ExprWalker.DescendantsAndSelf(expr).OfType<CallExpr>())
        {
            if (call.Kind == CallKind.Agent && _project.Agent(call.Target) is not null)
            {
                agents.Add((from, call.Target));
            }
            else if (call.Kind == CallKind.Workflow && _project.Workflow(call.Target) is { } workflow
                     && (visited ??= new HashSet<string>(StringComparer.Ordinal)).Add(workflow.Name))
            {
                foreach (var read in workflow.Nodes.SelectMany(Reads)) Agents(read, from, agents, visited);

                Agents(workflow.Result, from, agents, visited);
            }
        }
    }

    /// <summary>
    /// The <c>calls</c> section: for each agent a node calls, the tools it is offered and the agents it may delegate to
    /// (and theirs, in turn), as dashed edges the model may take.
    /// </summary>
    /// <returns>The delegates drawn, each with its node, whose models the route section shows too.</returns>
    private List<(string From, string Agent)> AddCalls(List<(string From, string Agent)> agents)
    {
        var drawn = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<(string From, string Agent)>(agents.Distinct());
        var delegates = new List<string>();
        while (pending.Count > 0)
        {
            var (from, name) = pending.Dequeue();
            var agent = _project.Agent(name)!.Agent;
            foreach (var tool in agent.Tools)
            {
                if (drawn.Add(ToolId(tool)))
                {
                    var kind = _project.Tool(tool) is null ? "mcp " : "tool ";
                    _callNodes.Add(new DiagramNode(ToolId(tool), DiagramNodeKind.Tool, [kind + tool]));
                }

                _callEdges.Add(new DiagramEdge(from, ToolId(tool), "may call", Dashed: true));
            }

            foreach (var delegated in agent.Delegates)
            {
                if (_project.Agent(delegated) is not { } target) continue;
                _callEdges.Add(new DiagramEdge(from, AgentId(delegated), "delegates", Dashed: true));
                if (!drawn.Add(AgentId(delegated))) continue;
                _callNodes.Add(new DiagramNode(AgentId(delegated), DiagramNodeKind.Agent, [Callee(CallKind.Agent, delegated)]));
                delegates.Add(delegated);
                pending.Enqueue((AgentId(delegated), delegated));
            }
        }

        // A delegate calls a model too: its route belongs in the route section.
        return delegates.Select(d => (AgentId(d), d)).ToList();
    }

    private void AddRoutes(List<(string From, string Agent)> agents, List<(string From, string Agent)> delegates)
    {
        (string From, string Model, List<DiagramEdge> Section) Model((string From, string Agent) call, List<DiagramEdge> section) =>
            (call.From, _project.Agent(call.Agent)!.Agent.Model, section);
        var models = agents.Select(a => Model(a, _edges)).Concat(delegates.Select(d => Model(d, _callEdges))).ToList();
        var providers = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in models.Select(m => m.Model).Distinct(StringComparer.Ordinal))
        {
            if (_project.Model.Routes.FirstOrDefault(r => r.Name == name) is { } route)
            {
                var lines = new List<string> { "route " + route.Name, Display.Spellings.Strategy(route.Strategy) };
                var policy = new List<string>();
                if (route.Require.Count > 0) policy.Add("require " + string.Join(", ", route.Require));
                if (route.Retry > 0) policy.Add("retry " + route.Retry.ToString(CultureInfo.InvariantCulture));
                if (route.TimeoutMs is { } timeout) policy.Add("timeout " + PlanText.Duration(timeout));
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
            var provider = _project.Model.Providers.FirstOrDefault(p => p.Name == name);
            var lines = new List<string> { name };
            if (provider is not null) lines.Add(Display.Spellings.Kind(provider.Kind) + (provider.Model is { } m ? " " + m : ""));
            _routeNodes.Add(new DiagramNode(ProviderId(name), DiagramNodeKind.Provider, lines));
        }

        foreach (var (from, model, section) in models.Distinct())
        {
            var target = _project.Model.Routes.Any(r => r.Name == model) ? RouteId(model) : ProviderId(model);
            section.Add(new DiagramEdge(from, target, Dashed: true));
        }
    }

    private static IEnumerable<string> Parameters(ExprModel? expr) => Parameters(expr is null ? [] : [expr]);

    private static IEnumerable<string> Parameters(IEnumerable<ExprModel> exprs) =>
        exprs.SelectMany(ExprWalker.DescendantsAndSelf).OfType<RefExpr>().Where(r => r.Kind == RefKind.Parameter).Select(r => r.Name).Distinct(StringComparer.Ordinal);
}
