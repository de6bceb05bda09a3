using System.Text.Json.Nodes;
using Atlas.Compiler.Lowering;
using Atlas.Compiler.Model;
using Atlas.Runtime;

namespace Atlas.Equivalence.Tests.TestSupport;

/// <summary>What one side did for one input: the workflow's plan fingerprint and graph, a streamed run's events, and the result as JSON (declared names).</summary>
/// <param name="Fingerprint">The fingerprint of the plan the side runs (generated code's <c>Fingerprint</c>, the interpreter's plan's).</param>
/// <param name="Nodes">The graph the workflow runs (steps, dependencies, kinds, policies).</param>
/// <param name="Events">Every event of a <c>RunStreamingAsync</c> run, in the order it yielded them.</param>
/// <param name="Result">The result of a <c>RunAsync</c> run, as JSON text, or <see cref="Failure"/> of the error it threw.</param>
internal sealed record RunOutcome(string Fingerprint, IReadOnlyList<WorkflowNode> Nodes, IReadOnlyList<AtlasEvent> Events, string Result)
{
    /// <summary>A failed run's "result": the error's type and message, which both sides must throw alike.</summary>
    public static string Failure(Exception error) => $"error {error.GetType().FullName}: {error.Message}";

    /// <summary>
    /// Both sides run the workflow's lowered plan: the same fingerprint as the lowering gives, and a graph that is
    /// the plan's node for node (name, dependencies, step or switch, arms, the step's policy).
    /// </summary>
    public static void AssertSamePlan(WorkflowPlan plan, RunOutcome generated, RunOutcome interpreted)
    {
        Assert.Equal(plan.Fingerprint, generated.Fingerprint);
        Assert.Equal(plan.Fingerprint, interpreted.Fingerprint);
        var expected = plan.Nodes.Select(Describe).ToList();
        Assert.Equal(expected, generated.Nodes.Select(Describe));
        Assert.Equal(expected, interpreted.Nodes.Select(Describe));
    }

    private static string Describe(PlanNode node)
    {
        var policy = node is StepNode step ? step.Policy : CallOptions.None;
        return $"{node.Name} <- [{string.Join(", ", node.DependsOn)}] {(node is SwitchNode ? WorkflowNodeKind.Switch : WorkflowNodeKind.Step)} arms={(node is SwitchNode s ? s.Arms.Count : 0)} " +
               $"retry={policy.Retry ?? 0} timeout={(policy.TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms).ToString() : "-")}";
    }

    private static string Describe(WorkflowNode node) =>
        $"{node.Name} <- [{string.Join(", ", node.DependsOn)}] {node.Kind} arms={node.Arms} retry={node.Policy.Retry} timeout={node.Policy.Timeout?.ToString() ?? "-"}";
}

/// <summary>One run of a workflow on one input: a sample file of the example (or one item of it).</summary>
/// <param name="Project">A project of <see cref="Atlas.Emitter.Tests.TestSupport.AtlasProject.All"/>.</param>
/// <param name="Workflow">The workflow, as declared.</param>
/// <param name="InputFile">The input's path under the repository root ('/' separated).</param>
/// <param name="Item">When set, the input is this element of the file's JSON array.</param>
public sealed record EquivalenceCase(string Project, string Workflow, string InputFile, int? Item = null)
{
    public override string ToString() => $"{Project}/{Workflow} <- {InputFile}{(Item is { } i ? $"[{i}]" : "")}";

    public JsonNode? ReadInput()
    {
        var path = Path.Combine(Atlas.Emitter.Tests.TestSupport.Repository.Root, InputFile.Replace('/', Path.DirectorySeparatorChar));
        var node = JsonNode.Parse(File.ReadAllText(path));
        return Item is { } index ? node!.AsArray()[index]!.DeepClone() : node;
    }
}
