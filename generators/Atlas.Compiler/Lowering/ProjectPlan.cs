using System;
using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler.Model;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Lowering;

/// <summary>
/// A checked project as every back-end runs it: its declarations (providers, routes, knowledge bases
/// and MCP servers as bound), each agent, human and tool with what is decided about it once, and each workflow's
/// <see cref="WorkflowPlan"/>. Made by <see cref="AtlasLowering.Lower"/>; equatable.
/// </summary>
/// <param name="Model">The bound model it was lowered from (types, enums and the declarations that need no lowering).</param>
/// <param name="Agents">Every agent, by name.</param>
/// <param name="Humans">Every human, by name.</param>
/// <param name="Tools">Every tool, by name.</param>
/// <param name="Workflows">Every workflow, by name.</param>
public sealed record ProjectPlan(AtlasModel Model, EquatableArray<AgentPlan> Agents, EquatableArray<HumanPlan> Humans, EquatableArray<ToolPlan> Tools, EquatableArray<WorkflowPlan> Workflows)
{
    /// <summary>The agent named <paramref name="name"/>, or null.</summary>
    public AgentPlan? Agent(string name) => Agents.FirstOrDefault(a => string.Equals(a.Agent.Name, name, StringComparison.Ordinal));

    /// <summary>The human named <paramref name="name"/>, or null.</summary>
    public HumanPlan? Human(string name) => Humans.FirstOrDefault(h => string.Equals(h.Human.Name, name, StringComparison.Ordinal));

    /// <summary>The tool named <paramref name="name"/>, or null.</summary>
    public ToolPlan? Tool(string name) => Tools.FirstOrDefault(t => string.Equals(t.Tool.Name, name, StringComparison.Ordinal));

    /// <summary>The workflow named <paramref name="name"/>, or null.</summary>
    public WorkflowPlan? Workflow(string name) => Workflows.FirstOrDefault(w => string.Equals(w.Name, name, StringComparison.Ordinal));
}

/// <summary>How a model's answer becomes an agent's result.</summary>
public enum AgentResultKind
{
    /// <summary>A <c>string</c> (optional or not): the reply's text, streamable.</summary>
    Text,

    /// <summary>Anything else: JSON validated against <see cref="AgentPlan.ResultSchema"/>.</summary>
    Structured,
}

/// <summary>An agent with what every back-end needs decided about it.</summary>
/// <param name="Agent">The bound agent.</param>
/// <param name="Result">Text or structured.</param>
/// <param name="ResultSchema">The JSON schema of a structured result; null for text.</param>
/// <param name="IsDelegate">Some agent delegates to it, so it is offered to models as a function.</param>
/// <param name="ParametersSchema">The JSON schema of its parameters when it is a delegate (the function's arguments); else null.</param>
/// <param name="Fingerprint">
/// A stable hash of everything that shapes its answer: parameters, result, model and its route or provider, templates, settings,
/// tools and delegates. Not its <c>cache</c> (nor its route's): a cached reply is a recorded reply to the same request, so caching
/// changes where an answer comes from, never what it is.
/// </param>
public sealed record AgentPlan(AgentModel Agent, AgentResultKind Result, string? ResultSchema, bool IsDelegate, string? ParametersSchema, string Fingerprint);

/// <summary>A human with what every back-end needs decided about it.</summary>
/// <param name="Human">The bound human.</param>
/// <param name="ResultSchema">The JSON schema an answer is validated against; null for a <c>string</c> answer (any text), as for a text agent.</param>
/// <param name="Fingerprint">A stable hash of what shapes the question and its answer: parameters, result, prompt and timeout.</param>
public sealed record HumanPlan(HumanModel Human, string? ResultSchema, string Fingerprint);

/// <summary>A tool with the JSON schema of its arguments.</summary>
/// <param name="Tool">The bound tool.</param>
/// <param name="ParametersSchema">The JSON schema of its parameters, as offered to models and checked before a call.</param>
/// <param name="Fingerprint">A stable hash of its signature and whether it is read-only.</param>
public sealed record ToolPlan(ToolModel Tool, string ParametersSchema, string Fingerprint);
