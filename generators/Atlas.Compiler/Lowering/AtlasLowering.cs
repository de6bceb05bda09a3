using System;
using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler.Binding;
using Atlas.Compiler.Model;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Lowering;

/// <summary>
/// Lowers a checked <see cref="AtlasModel"/> into a <see cref="ProjectPlan"/>: the one place that decides
/// how a workflow runs (which step is a switch, where the return is computed, which policy applies
/// where) and what is settled about each agent and tool. Deterministic and pure; thread-safe.
/// </summary>
/// <remarks>
/// Only a model without errors is lowered by the back-ends; a model with errors still lowers without
/// throwing (unknown names read as <c>?name</c> in fingerprints), so a host may show what it can.
/// </remarks>
public static class AtlasLowering
{
    /// <summary>Lowers every declaration and workflow of <paramref name="model"/>.</summary>
    public static ProjectPlan Lower(AtlasModel model)
    {
        if (model is null) throw new ArgumentNullException(nameof(model));
        var schemas = new JsonSchemas(model);
        var declarations = new DeclarationLowering(model, schemas);
        var workflows = new WorkflowLowering(model, schemas, declarations);
        return new ProjectPlan(model, declarations.Agents, declarations.Humans, declarations.Tools, workflows.Plans);
    }

    /// <summary>
    /// Every node once, each after the nodes it depends on; <paramref name="dependsOn"/> lists a node's
    /// dependencies by name (names that are not nodes are ignored). Iterative, so long chains are fine.
    /// </summary>
    internal static IEnumerable<T> InDependencyOrder<T>(IReadOnlyList<T> nodes, Func<T, string> name, Func<T, IEnumerable<string>> dependsOn)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++) index[name(nodes[i])] = i;
        var edges = nodes
            .Select(n => (IReadOnlyList<int>)dependsOn(n).Where(index.ContainsKey).Select(d => index[d]).ToList())
            .ToList();
        return WorkflowGraph.DependencyOrder(edges).Select(i => nodes[i]);
    }
}

/// <summary>
/// Agents, humans and tools lowered once: text or structured result, the result and parameter schemas, whether an
/// agent is a delegate, and a fingerprint for each declaration that a workflow step can reach.
/// </summary>
internal sealed class DeclarationLowering
{
    private readonly Dictionary<string, string> _providers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _routes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _knowledge = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _mcp = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ToolPlan> _tools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AgentPlan> _agents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HumanPlan> _humans = new(StringComparer.Ordinal);

    public DeclarationLowering(AtlasModel model, JsonSchemas schemas)
    {
        foreach (var provider in model.Providers) _providers[provider.Name] = Fingerprints.Provider(provider);
        foreach (var route in model.Routes) _routes[route.Name] = Fingerprints.Route(route, _providers);
        foreach (var knowledge in model.KnowledgeBases) _knowledge[knowledge.Name] = Fingerprints.Knowledge(knowledge, _providers);
        foreach (var server in model.McpServers) _mcp[server.Name] = Fingerprints.Mcp(server);
        foreach (var tool in model.Tools) _tools[tool.Name] = new ToolPlan(tool, schemas.ForParameters(tool.Parameters), Fingerprints.Tool(tool, schemas));

        // A delegate is offered to its callers' models as a function, whose arguments need a schema;
        // delegates are fingerprinted before the agents that delegate to them (a checked model has no cycle).
        var delegates = new HashSet<string>(model.Agents.SelectMany(a => a.Delegates), StringComparer.Ordinal);
        foreach (var agent in AtlasLowering.InDependencyOrder(model.Agents, a => a.Name, a => a.Delegates))
        {
            bool isText = IsText(agent.Returns);
            var resultSchema = isText ? null : schemas.For(agent.Returns);
            bool isDelegate = delegates.Contains(agent.Name);
            var target = agent.ModelKind == ModelTargetKind.Route ? "route#" + Lookup(_routes, agent.Model) : "provider#" + Lookup(_providers, agent.Model);
            var tools = agent.Tools.Select(t => t + "#" + (_tools.TryGetValue(t, out var tool) ? tool.Fingerprint : Lookup(_mcp, t)));
            var delegated = agent.Delegates.Select(d => d + "#" + (_agents.TryGetValue(d, out var done) ? done.Fingerprint : "?"));
            _agents[agent.Name] = new AgentPlan(
                agent,
                isText ? AgentResultKind.Text : AgentResultKind.Structured,
                resultSchema,
                isDelegate,
                isDelegate ? schemas.ForParameters(agent.Parameters) : null,
                Fingerprints.Agent(agent, schemas, target, tools, delegated));
        }

        foreach (var human in model.Humans)
        {
            _humans[human.Name] = new HumanPlan(human, IsText(human.Returns) ? null : schemas.For(human.Returns), Fingerprints.Human(human, schemas));
        }

        Agents = model.Agents.Select(a => _agents[a.Name]).ToEquatableArray();
        Humans = model.Humans.Select(h => _humans[h.Name]).ToEquatableArray();
        Tools = model.Tools.Select(t => _tools[t.Name]).ToEquatableArray();
    }

    public EquatableArray<AgentPlan> Agents { get; }

    public EquatableArray<HumanPlan> Humans { get; }

    public EquatableArray<ToolPlan> Tools { get; }

    /// <summary>A <c>string</c> (optional or not) result is text, taken as it is; any other is JSON checked against its schema.</summary>
    private static bool IsText(TypeRef type) => type.Kind == TypeKind.String && !type.IsList;

    public string AgentFingerprint(string name) => _agents.TryGetValue(name, out var agent) ? agent.Fingerprint : "?" + name;

    public string HumanFingerprint(string name) => _humans.TryGetValue(name, out var human) ? human.Fingerprint : "?" + name;

    public string ToolFingerprint(string name) => _tools.TryGetValue(name, out var tool) ? tool.Fingerprint : "?" + name;

    public string KnowledgeFingerprint(string name) => Lookup(_knowledge, name);

    private static string Lookup(Dictionary<string, string> fingerprints, string name) =>
        fingerprints.TryGetValue(name, out var fingerprint) ? fingerprint : "?" + name;
}

/// <summary>Each workflow lowered to its <see cref="WorkflowPlan"/>, callees before callers (their fingerprints feed the callers').</summary>
internal sealed class WorkflowLowering
{
    private readonly AtlasModel _model;
    private readonly DeclarationLowering _declarations;
    private readonly JsonSchemas _schemas;
    private readonly Dictionary<string, TypeModel> _types;
    private readonly Dictionary<string, EnumModel> _enums;
    private readonly Dictionary<string, WorkflowPlan> _plans = new(StringComparer.Ordinal);

    public WorkflowLowering(AtlasModel model, JsonSchemas schemas, DeclarationLowering declarations)
    {
        _model = model;
        _schemas = schemas;
        _declarations = declarations;
        _types = model.Types.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _enums = model.Enums.ToDictionary(e => e.Name, StringComparer.Ordinal);
        foreach (var workflow in AtlasLowering.InDependencyOrder(model.Workflows, w => w.Name, w => Calls(w).Where(c => c.Kind == CallKind.Workflow).Select(c => c.Target)))
        {
            _plans[workflow.Name] = Lower(workflow);
        }

        Plans = model.Workflows.Select(w => _plans[w.Name]).ToEquatableArray();
    }

    public EquatableArray<WorkflowPlan> Plans { get; }

    private WorkflowPlan Lower(WorkflowModel workflow)
    {
        int parameters = workflow.Parameters.Count;
        var nodes = new List<PlanNode>(workflow.Steps.Count + 1);
        for (int i = 0; i < workflow.Steps.Count; i++)
        {
            var step = workflow.Steps[i];
            int slot = parameters + i;
            if (step.Value is SwitchExpr switchExpr && !ExprModelFacts.IsAsync(switchExpr.Subject))
            {
                // A switch on a value already at hand is a graph-level branch: only the chosen arm runs.
                var arms = switchExpr.Cases.Select(c => new SwitchArm(c.Value, Normalize(c.Result))).ToList();
                if (switchExpr.Default is not null) arms.Add(new SwitchArm(null, Normalize(switchExpr.Default)));
                nodes.Add(new SwitchNode(step.Name, slot, step.Value.Type, step.DependsOn, Normalize(switchExpr.Subject), arms.ToEquatableArray(), ""));
                continue;
            }

            // A call or search with `with { ... }` that is the whole step: its policy is the step's.
            var policy = ExprModelFacts.OptionsOf(step.Value) ?? CallOptions.None;
            var value = policy.IsEmpty ? step.Value : WithoutPolicy(step.Value);
            nodes.Add(new StepNode(step.Name, slot, step.Value.Type, step.DependsOn, Normalize(value), policy, ""));
        }

        ExprModel? result = Normalize(workflow.Return);
        var outputs = workflow.ReturnDependsOn;
        if (ExprModelFacts.IsAsync(workflow.Return))
        {
            // A return that calls something runs as a last node; the run's result is read from its slot.
            nodes.Add(new ReturnNode(parameters + workflow.Steps.Count, workflow.Returns, workflow.ReturnDependsOn, result, ""));
            result = null;
            outputs = new[] { WorkflowPlan.ReturnNodeName }.ToEquatableArray();
        }

        var fingerprints = NodeFingerprints(nodes);
        var fingerprinted = nodes.Select(n => n with { Fingerprint = fingerprints[n.Name] }).ToEquatableArray();
        var canonical = Canonical(fingerprints);
        var planFingerprint = Fingerprints.Of(Fingerprints.Join(
            "workflow",
            _schemas.ForParameters(workflow.Parameters),
            _schemas.For(workflow.Returns),
            Fingerprints.Budget(workflow.Budget),
            result is null ? "node " + fingerprints[WorkflowPlan.ReturnNodeName] : "value " + canonical.Expression(result),
            string.Join(",", fingerprints.Values.OrderBy(f => f, StringComparer.Ordinal))));

        return new WorkflowPlan(workflow.Name, workflow.Parameters, workflow.Returns, workflow.Budget, fingerprinted, result, outputs, Uses(workflow), planFingerprint);
    }

    /// <summary>
    /// Each node's fingerprint, computed after those of the nodes it reads; its type counts by its schema,
    /// since a value stored under the old shape may not read under the new one.
    /// </summary>
    private Dictionary<string, string> NodeFingerprints(List<PlanNode> nodes)
    {
        var fingerprints = new Dictionary<string, string>(StringComparer.Ordinal);
        var canonical = Canonical(fingerprints);
        foreach (var node in AtlasLowering.InDependencyOrder(nodes, n => n.Name, n => n.DependsOn))
        {
            var text = node switch
            {
                StepNode step => Fingerprints.Join("step", _schemas.For(step.Type), PlanText.Policy(step.Policy), canonical.Expression(step.Value)),
                SwitchNode switchNode => Fingerprints.Join(
                    new[] { "switch", _schemas.For(switchNode.Type), canonical.Expression(switchNode.Subject) }
                        .Concat(switchNode.Arms.Select(a => (a.Case is null ? "_" : PlanText.Quote(a.Case)) + " => " + canonical.Expression(a.Value)))
                        .ToArray()),
                ReturnNode returnNode => Fingerprints.Join("return", _schemas.For(returnNode.Type), canonical.Expression(returnNode.Value)),
                _ => "?",
            };
            fingerprints[node.Name] = Fingerprints.Of(text);
        }

        return fingerprints;
    }

    private PlanText Canonical(Dictionary<string, string> steps) => PlanText.Canonical(
        step => steps.TryGetValue(step, out var fingerprint) ? fingerprint : "?" + step,
        (kind, name) => kind switch
        {
            CallKind.Agent => _declarations.AgentFingerprint(name),
            CallKind.Tool => _declarations.ToolFingerprint(name),
            CallKind.Human => _declarations.HumanFingerprint(name),
            _ => _plans.TryGetValue(name, out var plan) ? plan.Fingerprint : "?" + name,
        },
        _declarations.KnowledgeFingerprint);

    /// <summary>The expression with a <c>for</c> body's own <c>with</c> moved onto the loop, as its per-item policy.</summary>
    private static ExprModel Normalize(ExprModel expr) => ExprWalker.Rewrite(expr, node =>
        node is ForExpr loop && ExprModelFacts.OptionsOf(loop.Body) is { } itemOptions
            ? loop with { Body = WithoutPolicy(loop.Body), ItemOptions = itemOptions }
            : node);

    private static ExprModel WithoutPolicy(ExprModel expr) => expr switch
    {
        CallExpr call => call with { Options = CallOptions.None },
        SearchExpr search => search with { Options = CallOptions.None },
        _ => expr,
    };

    // ---------- what the workflow uses ----------

    private IEnumerable<CallExpr> Calls(WorkflowModel workflow) => Expressions(workflow).SelectMany(ExprWalker.DescendantsAndSelf).OfType<CallExpr>();

    private static IEnumerable<ExprModel> Expressions(WorkflowModel workflow) => workflow.Steps.Select(s => s.Value).Append(workflow.Return);

    private WorkflowUses Uses(WorkflowModel workflow)
    {
        var types = new SortedSet<string>(StringComparer.Ordinal);
        var enums = new SortedSet<string>(StringComparer.Ordinal);
        var calls = new HashSet<(CallKind Kind, string Name)>();
        foreach (var expr in Expressions(workflow).SelectMany(ExprWalker.DescendantsAndSelf))
        {
            switch (expr)
            {
                case MemberExpr member when member.Target.Type.Kind == TypeKind.Record:
                    types.Add(member.Target.Type.Name);
                    break;
                case ObjectExpr obj:
                    types.Add(obj.TypeName);
                    break;
                case EnumValueExpr value:
                    enums.Add(value.Enum);
                    break;
                case SwitchExpr switchExpr when switchExpr.Subject.Type.Kind == TypeKind.Enum:
                    enums.Add(switchExpr.Subject.Type.Name);
                    break;
                case CallExpr call:
                    calls.Add((call.Kind, call.Target));
                    break;
            }
        }

        var callees = calls
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ThenBy(c => c.Kind)
            .Select(c => Callee(c.Kind, c.Name))
            .Where(c => c is not null)
            .Select(c => c!)
            .ToEquatableArray();
        return new WorkflowUses(
            types.Where(_types.ContainsKey).Select(n => _types[n]).ToEquatableArray(),
            enums.Where(_enums.ContainsKey).Select(n => _enums[n]).ToEquatableArray(),
            callees,
            callees.Any(c => c.NeedsTools));
    }

    private CalleeSignature? Callee(CallKind kind, string name)
    {
        switch (kind)
        {
            case CallKind.Agent:
                var agent = _model.Agents.FirstOrDefault(a => a.Name == name);
                return agent is null ? null : new CalleeSignature(kind, name, agent.Parameters, agent.Returns, false);
            case CallKind.Human:
                var human = _model.Humans.FirstOrDefault(h => h.Name == name);
                return human is null ? null : new CalleeSignature(kind, name, human.Parameters, human.Returns, false);
            case CallKind.Tool:
                var tool = _model.Tools.FirstOrDefault(t => t.Name == name);
                return tool is null ? null : new CalleeSignature(kind, name, tool.Parameters, tool.Returns, true);
            default:
                // Callees are lowered first; on a cycle (a model with errors) the callee is not known yet.
                return _plans.TryGetValue(name, out var plan) ? new CalleeSignature(kind, name, plan.Parameters, plan.Returns, plan.Uses.NeedsTools) : null;
        }
    }
}
