using System;
using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler.Model;

namespace Atlas.Cli.Tools;

/// <summary>
/// Which declared <c>tool</c>s a run can reach, and how: called directly by a step (of the workflow
/// or of one it calls), or offered to an agent that may run (called by a step, or delegated to).
/// Worked out before the run, so a missing implementation is reported up front rather than mid-run.
/// </summary>
internal sealed class ToolRequirements
{
    private readonly AtlasModel _model;
    private readonly HashSet<string> _declared;
    private readonly HashSet<string> _visitedWorkflows = new(StringComparer.Ordinal);
    private readonly HashSet<string> _visitedAgents = new(StringComparer.Ordinal);

    private ToolRequirements(AtlasModel model)
    {
        _model = model;
        _declared = model.Tools.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Tool name → the steps that call it (as <c>workflow.step</c>).</summary>
    public SortedDictionary<string, SortedSet<string>> CalledBySteps { get; } = new(StringComparer.Ordinal);

    /// <summary>Tool name → the agents it is offered to.</summary>
    public SortedDictionary<string, SortedSet<string>> OfferedToAgents { get; } = new(StringComparer.Ordinal);

    public static ToolRequirements ForWorkflow(AtlasModel model, WorkflowModel workflow)
    {
        var requirements = new ToolRequirements(model);
        requirements.VisitWorkflow(workflow);
        return requirements;
    }

    public static ToolRequirements ForAgent(AtlasModel model, AgentModel agent)
    {
        var requirements = new ToolRequirements(model);
        requirements.VisitAgent(agent);
        return requirements;
    }

    private void VisitWorkflow(WorkflowModel workflow)
    {
        if (!_visitedWorkflows.Add(workflow.Name)) return;
        foreach (var step in workflow.Steps) Visit(step.Value, workflow.Name + "." + step.Name);
        Visit(workflow.Return, workflow.Name + ".return");
    }

    private void VisitAgent(AgentModel agent)
    {
        if (!_visitedAgents.Add(agent.Name)) return;
        foreach (var tool in agent.Tools.Where(_declared.Contains)) Add(OfferedToAgents, tool, agent.Name);
        foreach (var delegated in agent.Delegates)
        {
            if (_model.Agents.FirstOrDefault(a => a.Name == delegated) is { } target) VisitAgent(target);
        }
    }

    private void Visit(ExprModel? expr, string where)
    {
        foreach (var call in ExprWalker.DescendantsAndSelf(expr).OfType<CallExpr>())
        {
            if (call.Kind == CallKind.Tool) Add(CalledBySteps, call.Target, where);
            else if (call.Kind == CallKind.Agent && _model.Agents.FirstOrDefault(a => a.Name == call.Target) is { } agent) VisitAgent(agent);
            else if (call.Kind == CallKind.Workflow && _model.Workflows.FirstOrDefault(w => w.Name == call.Target) is { } workflow) VisitWorkflow(workflow);
        }
    }

    private static void Add(SortedDictionary<string, SortedSet<string>> map, string tool, string user)
    {
        if (!map.TryGetValue(tool, out var users)) map[tool] = users = new SortedSet<string>(StringComparer.Ordinal);
        users.Add(user);
    }
}
