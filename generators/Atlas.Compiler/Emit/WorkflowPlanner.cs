using System;
using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler.Model;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Emit;

/// <summary>
/// Finds what each workflow's file depends on: the records and enums its expressions use, the
/// signatures of what it calls, and whether it needs the tools (directly or through a workflow
/// it calls), so a workflow's unit changes only when something it uses changes.
/// </summary>
internal sealed class WorkflowPlanner
{
    private readonly Dictionary<string, TypeModel> _types;
    private readonly Dictionary<string, EnumModel> _enums;
    private readonly Dictionary<string, AgentModel> _agents;
    private readonly Dictionary<string, ToolModel> _tools;
    private readonly Dictionary<string, WorkflowModel> _workflows;
    private readonly Dictionary<string, bool> _needsTools = new(StringComparer.Ordinal);

    public WorkflowPlanner(AtlasModel model)
    {
        _types = model.Types.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _enums = model.Enums.ToDictionary(e => e.Name, StringComparer.Ordinal);
        _agents = model.Agents.ToDictionary(a => a.Name, StringComparer.Ordinal);
        _tools = model.Tools.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _workflows = model.Workflows.ToDictionary(w => w.Name, StringComparer.Ordinal);
    }

    public WorkflowUnit Unit(WorkflowModel workflow, string hintName, EmitOptions options)
    {
        var uses = new Uses();
        foreach (var step in workflow.Steps) Visit(step.Value, uses);
        Visit(workflow.Return, uses);

        var callees = uses.Calls
            .OrderBy(c => c.Key.Name, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Kind)
            .Select(c => Callee(c.Key.Kind, c.Key.Name))
            .ToEquatableArray();
        return new WorkflowUnit(
            hintName,
            options,
            workflow,
            uses.Types.OrderBy(n => n, StringComparer.Ordinal).Where(_types.ContainsKey).Select(n => _types[n]).ToEquatableArray(),
            uses.Enums.OrderBy(n => n, StringComparer.Ordinal).Where(_enums.ContainsKey).Select(n => _enums[n]).ToEquatableArray(),
            callees,
            NeedsTools(workflow.Name));
    }

    private CalleeModel Callee(CallKind kind, string name) => kind switch
    {
        CallKind.Agent => new CalleeModel(kind, name, _agents[name].Parameters, _agents[name].Returns, false),
        CallKind.Tool => new CalleeModel(kind, name, _tools[name].Parameters, _tools[name].Returns, true),
        _ => new CalleeModel(kind, name, _workflows[name].Parameters, _workflows[name].Returns, NeedsTools(name)),
    };

    /// <summary>Whether a workflow calls a tool, directly or through the workflows it calls (which form no cycle).</summary>
    private bool NeedsTools(string workflow)
    {
        if (_needsTools.TryGetValue(workflow, out bool known)) return known;
        _needsTools[workflow] = false; // a cycle cannot occur in a checked model; this keeps a bad one finite
        var uses = new Uses();
        var model = _workflows[workflow];
        foreach (var step in model.Steps) Visit(step.Value, uses);
        Visit(model.Return, uses);
        bool needs = uses.Calls.Keys.Any(c => c.Kind == CallKind.Tool || (c.Kind == CallKind.Workflow && _workflows.ContainsKey(c.Name) && NeedsTools(c.Name)));
        _needsTools[workflow] = needs;
        return needs;
    }

    private sealed class Uses
    {
        public HashSet<string> Types { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Enums { get; } = new(StringComparer.Ordinal);

        public Dictionary<(CallKind Kind, string Name), bool> Calls { get; } = new();
    }

    private static void Visit(ExprModel? expr, Uses uses)
    {
        switch (expr)
        {
            case null:
                return;
            case MemberExpr member:
                if (member.Target.Type.Kind == TypeKind.Record) uses.Types.Add(member.Target.Type.Name);
                Visit(member.Target, uses);
                return;
            case CallExpr call:
                uses.Calls[(call.Kind, call.Target)] = true;
                foreach (var argument in call.Arguments) Visit(argument, uses);
                return;
            case SearchExpr search:
                Visit(search.Query, uses);
                return;
            case EnumValueExpr value:
                uses.Enums.Add(value.Enum);
                return;
            case ListExpr list:
                foreach (var item in list.Items) Visit(item, uses);
                return;
            case ObjectExpr obj:
                uses.Types.Add(obj.TypeName);
                foreach (var field in obj.Fields) Visit(field.Value, uses);
                return;
            case SwitchExpr switchExpr:
                if (switchExpr.Subject.Type.Kind == TypeKind.Enum) uses.Enums.Add(switchExpr.Subject.Type.Name);
                Visit(switchExpr.Subject, uses);
                foreach (var arm in switchExpr.Cases) Visit(arm.Result, uses);
                Visit(switchExpr.Default, uses);
                return;
            case ForExpr loop:
                Visit(loop.Source, uses);
                Visit(loop.Body, uses);
                return;
        }
    }
}
