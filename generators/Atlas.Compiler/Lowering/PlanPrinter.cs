using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Atlas.Compiler.Model;

namespace Atlas.Compiler.Lowering;

/// <summary>
/// A <see cref="ProjectPlan"/> as readable text: each agent, human and tool with what was decided about it, and
/// each workflow node by node with its slot, dependencies, policy and fingerprint. For review (the plan
/// snapshots beside the generated C#) and for <c>atlas graph --plan</c>. Deterministic; thread-safe.
/// </summary>
public static class PlanPrinter
{
    /// <summary>The whole project: agents, humans, tools, then workflows, each in name order.</summary>
    public static string Print(ProjectPlan plan)
    {
        var text = new StringBuilder();
        foreach (var agent in plan.Agents)
        {
            var a = agent.Agent;
            text.Append("agent ").Append(a.Name).Append(Signature(a.Parameters, a.Returns))
                .Append(" on ").Append(a.ModelKind == ModelTargetKind.Route ? "route " : "provider ").Append(a.Model)
                .Append(" · ").Append(agent.Result == AgentResultKind.Text ? "text" : "structured")
                .Append(agent.IsDelegate ? " · delegate" : "")
                .Append(Cache(a.Cache))
                .Append(" · fingerprint ").Append(agent.Fingerprint).Append('\n');
            if (a.Tools.Count > 0) text.Append("  tools ").Append(string.Join(", ", a.Tools)).Append('\n');
            if (a.Delegates.Count > 0) text.Append("  delegates ").Append(string.Join(", ", a.Delegates)).Append('\n');
        }

        foreach (var human in plan.Humans)
        {
            var h = human.Human;
            text.Append("human ").Append(h.Name).Append(Signature(h.Parameters, h.Returns))
                .Append(" · ").Append(human.ResultSchema is null ? "text" : "structured")
                .Append(h.TimeoutMs is { } timeout ? " · timeout " + PlanText.Duration(timeout) : "")
                .Append(" · fingerprint ").Append(human.Fingerprint).Append('\n');
        }

        foreach (var tool in plan.Tools)
        {
            var t = tool.Tool;
            text.Append("tool ").Append(t.Name).Append(Signature(t.Parameters, t.Returns))
                .Append(t.ReadOnly ? " · read-only" : "")
                .Append(" · fingerprint ").Append(tool.Fingerprint).Append('\n');
        }

        foreach (var workflow in plan.Workflows)
        {
            if (text.Length > 0) text.Append('\n');
            Print(text, workflow);
        }

        return text.ToString();
    }

    /// <summary>One workflow, node by node.</summary>
    public static string Print(WorkflowPlan workflow)
    {
        var text = new StringBuilder();
        Print(text, workflow);
        return text.ToString();
    }

    private static void Print(StringBuilder text, WorkflowPlan workflow)
    {
        var readable = PlanText.Readable;
        text.Append("workflow ").Append(workflow.Name).Append(Signature(workflow.Parameters, workflow.Returns))
            .Append(" · fingerprint ").Append(workflow.Fingerprint).Append('\n');
        if (workflow.Budget is { } budget)
        {
            var parts = new List<string>();
            if (budget.Usd is { } usd) parts.Add("usd = " + usd.ToString(CultureInfo.InvariantCulture));
            if (budget.Tokens is { } tokens) parts.Add("tokens = " + tokens.ToString(CultureInfo.InvariantCulture));
            text.Append("  budget { ").Append(string.Join(", ", parts)).Append(" }\n");
        }

        var slots = workflow.Parameters.Select((p, i) => Slot(i) + " " + p.Name).Concat(workflow.Nodes.Select(n => Slot(n.Slot) + " " + n.Name));
        text.Append("  slots ").Append(string.Join(" · ", slots)).Append('\n');
        var uses = workflow.Uses;
        var used = new List<string>();
        if (uses.Types.Count > 0) used.Add("types " + string.Join(", ", uses.Types.Select(t => t.Name)));
        if (uses.Enums.Count > 0) used.Add("enums " + string.Join(", ", uses.Enums.Select(e => e.Name)));
        if (uses.Callees.Count > 0) used.Add("calls " + string.Join(", ", uses.Callees.Select(c => c.Kind.ToString().ToLowerInvariant() + " " + c.Name)));
        if (uses.NeedsTools) used.Add("needs the tools");
        if (used.Count > 0) text.Append("  uses ").Append(string.Join("; ", used)).Append('\n');

        foreach (var node in workflow.Nodes)
        {
            var kind = node switch
            {
                SwitchNode => "switch",
                ReturnNode => "return",
                _ => "step",
            };
            text.Append("  ").Append(kind).Append(' ').Append(node.Name).Append(": ").Append(node.Type)
                .Append(" → ").Append(Slot(node.Slot))
                .Append(node.DependsOn.Count == 0 ? "" : " after " + string.Join(", ", node.DependsOn))
                .Append(" · fingerprint ").Append(node.Fingerprint).Append('\n');
            switch (node)
            {
                case StepNode step:
                    text.Append("    ").Append(readable.Expression(step.Value)).Append('\n');
                    if (!step.Policy.IsEmpty) text.Append("    policy ").Append(PlanText.Policy(step.Policy)).Append('\n');
                    break;
                case SwitchNode switchNode:
                    text.Append("    on ").Append(readable.Expression(switchNode.Subject)).Append('\n');
                    foreach (var arm in switchNode.Arms)
                    {
                        var label = arm.Case is null ? "_" : switchNode.Subject.Type.Kind == TypeKind.String ? PlanText.Quote(arm.Case) : arm.Case;
                        text.Append("    ").Append(label).Append(" => ").Append(readable.Expression(arm.Value)).Append('\n');
                    }

                    break;
                case ReturnNode returnNode:
                    text.Append("    ").Append(readable.Expression(returnNode.Value)).Append('\n');
                    break;
            }
        }

        text.Append("  result ").Append(workflow.Result is { } result ? readable.Expression(result) : "from " + Slot(workflow.ReturnNode!.Slot))
            .Append(workflow.Outputs.Count == 0 ? "" : " after " + string.Join(", ", workflow.Outputs)).Append('\n');
    }

    private static string Signature(IEnumerable<ParameterModel> parameters, TypeRef returns) =>
        "(" + string.Join(", ", parameters.Select(p => p.Name + ": " + p.Type)) + ") -> " + returns;

    /// <summary><c> · cache</c>, <c> · cache ttl 24h</c>, or nothing for an agent that sets no cache of its own.</summary>
    private static string Cache(CacheModel? cache) =>
        cache is null ? "" : " · cache" + (cache.TtlMs is { } ttl ? " ttl " + PlanText.Duration(ttl) : "");

    private static string Slot(int slot) => "#" + slot.ToString(CultureInfo.InvariantCulture);
}
