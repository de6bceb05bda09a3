using System.Linq;
using Atlas.Compiler.Model;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Lowering;

/// <summary>
/// A workflow as every back-end runs it: the generated C#, the interpreter and <c>atlas graph</c>
/// read this and decide nothing of their own. Made by <see cref="AtlasLowering"/> from a checked
/// model; equatable and free of positions.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Slots: one per parameter (from 0, in order), then one per node in <see cref="Nodes"/> order; each node
/// writes only its own slot (<see cref="PlanNode.Slot"/>).</item>
/// <item><see cref="Nodes"/> are the steps in declaration order, then a <see cref="ReturnNode"/> when the return
/// value calls something; <see cref="Outputs"/> are the nodes whose completion ends a run.</item>
/// <item>Expressions are the bound model's, normalized: a call or search with a non-empty <c>with</c> runs
/// under that policy itself; a step's own policy is on its node and a <c>for</c>'s per-item policy on
/// <see cref="ForExpr.ItemOptions"/>, never on the expression too.</item>
/// </list>
/// </remarks>
/// <param name="Name">The workflow's name.</param>
/// <param name="Parameters">Its parameters, in order (slots 0..n-1).</param>
/// <param name="Returns">Its declared result type.</param>
/// <param name="Budget">The <c>budget</c> of one run, if declared.</param>
/// <param name="Nodes">What runs, in order.</param>
/// <param name="Result">
/// The result, computed from the state once the run is done (it calls nothing); null when a
/// <see cref="ReturnNode"/> computes it into its slot.
/// </param>
/// <param name="Outputs">The nodes a run waits for: the return node, or the steps the result reads.</param>
/// <param name="Uses">The declarations its expressions reach (for what generated code depends on).</param>
/// <param name="Fingerprint">A stable hash of what the whole workflow computes (see <see cref="Fingerprints"/>).</param>
public sealed record WorkflowPlan(
    string Name,
    EquatableArray<ParameterModel> Parameters,
    TypeRef Returns,
    BudgetModel? Budget,
    EquatableArray<PlanNode> Nodes,
    ExprModel? Result,
    EquatableArray<string> Outputs,
    WorkflowUses Uses,
    string Fingerprint)
{
    /// <summary>The name of the node that computes a return value which calls agents, tools or workflows.</summary>
    public const string ReturnNodeName = "return";

    /// <summary>How many slots one run's state has: the parameters' and the nodes'.</summary>
    public int SlotCount => Parameters.Count + Nodes.Count;

    /// <summary>The node computing the result, if the result calls something.</summary>
    public ReturnNode? ReturnNode => Nodes.Count > 0 ? Nodes[Nodes.Count - 1] as ReturnNode : null;

    /// <summary>
    /// This plan with every fingerprint blank: for a host that prints the plan's shape but keeps its
    /// fingerprints elsewhere, so a change that only moves fingerprints leaves what it prints equal.
    /// </summary>
    public WorkflowPlan WithoutFingerprints() => this with
    {
        Fingerprint = "",
        Nodes = Nodes.Select(n => n with { Fingerprint = "" }).ToEquatableArray(),
    };
}

/// <summary>One node of a <see cref="WorkflowPlan"/>.</summary>
/// <param name="Name">The step's name (<see cref="WorkflowPlan.ReturnNodeName"/> for the return node).</param>
/// <param name="Slot">The slot it writes.</param>
/// <param name="Type">The type of the value it writes.</param>
/// <param name="DependsOn">The nodes it reads, which complete before it starts.</param>
/// <param name="Fingerprint">
/// A stable hash of what it computes and of the fingerprints of what it reads (the steps, and the
/// agents, tools, workflows and knowledge bases it calls); not of its own name.
/// </param>
public abstract record PlanNode(string Name, int Slot, TypeRef Type, EquatableArray<string> DependsOn, string Fingerprint);

/// <summary>
/// A step whose value is one expression. <paramref name="Policy"/> is the step's: the <c>with</c> of a
/// call or search that is the whole step (lowered off the call), empty otherwise.
/// </summary>
/// <param name="Name">The step's name.</param>
/// <param name="Slot">The slot it writes.</param>
/// <param name="Type">The type of its value.</param>
/// <param name="DependsOn">The steps it reads.</param>
/// <param name="Value">What it computes.</param>
/// <param name="Policy">Retries and a timeout per attempt for the whole step.</param>
/// <param name="Fingerprint">See <see cref="PlanNode.Fingerprint"/>.</param>
public sealed record StepNode(string Name, int Slot, TypeRef Type, EquatableArray<string> DependsOn, ExprModel Value, CallOptions Policy, string Fingerprint)
    : PlanNode(Name, Slot, Type, DependsOn, Fingerprint);

/// <summary>
/// A step that is a <c>switch</c> over a subject that calls nothing: the subject picks one arm and only
/// that arm runs. (A <c>switch</c> whose subject calls something is an expression of a <see cref="StepNode"/>.)
/// </summary>
/// <param name="Name">The step's name.</param>
/// <param name="Slot">The slot its chosen arm writes.</param>
/// <param name="Type">The type of the switch.</param>
/// <param name="DependsOn">The steps its subject and arms read.</param>
/// <param name="Subject">What is switched on.</param>
/// <param name="Arms">The cases in order, then the default if there is one.</param>
/// <param name="Fingerprint">See <see cref="PlanNode.Fingerprint"/>.</param>
public sealed record SwitchNode(string Name, int Slot, TypeRef Type, EquatableArray<string> DependsOn, ExprModel Subject, EquatableArray<SwitchArm> Arms, string Fingerprint)
    : PlanNode(Name, Slot, Type, DependsOn, Fingerprint);

/// <summary>One arm of a <see cref="SwitchNode"/>.</summary>
/// <param name="Case">The value it matches (an enum member's name or a literal's invariant text); null for the default <c>_</c>.</param>
/// <param name="Value">What the arm computes.</param>
public sealed record SwitchArm(string? Case, ExprModel Value);

/// <summary>The last node, when the return value calls agents, tools or workflows: it computes the result into its slot.</summary>
/// <param name="Slot">The slot of the result.</param>
/// <param name="Type">The workflow's result type.</param>
/// <param name="DependsOn">The steps the return value reads.</param>
/// <param name="Value">The return value.</param>
/// <param name="Fingerprint">See <see cref="PlanNode.Fingerprint"/>.</param>
public sealed record ReturnNode(int Slot, TypeRef Type, EquatableArray<string> DependsOn, ExprModel Value, string Fingerprint)
    : PlanNode(WorkflowPlan.ReturnNodeName, Slot, Type, DependsOn, Fingerprint);

/// <summary>
/// What a workflow's expressions reach into: records whose members it reads or which it builds, enums
/// whose members it names or switches over, and what it calls.
/// </summary>
/// <param name="Types">Records, by name.</param>
/// <param name="Enums">Enums, by name.</param>
/// <param name="Callees">Agents, tools and workflows it calls, by name then kind.</param>
/// <param name="NeedsTools">It calls a tool, directly or through a workflow it calls.</param>
public sealed record WorkflowUses(EquatableArray<TypeModel> Types, EquatableArray<EnumModel> Enums, EquatableArray<CalleeSignature> Callees, bool NeedsTools);

/// <summary>What a workflow needs to know about an agent, tool or workflow it calls.</summary>
/// <param name="Kind">Agent, tool or workflow.</param>
/// <param name="Name">Its name.</param>
/// <param name="Parameters">Its parameters, in order.</param>
/// <param name="Returns">Its result type.</param>
/// <param name="NeedsTools">Calling it needs the tool implementations (a tool, or a workflow that calls one).</param>
public sealed record CalleeSignature(CallKind Kind, string Name, EquatableArray<ParameterModel> Parameters, TypeRef Returns, bool NeedsTools);
