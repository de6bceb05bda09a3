using System.Text.Json.Nodes;
using Atlas.Runtime;

namespace Atlas.Equivalence.Tests.TestSupport;

/// <summary>What one side did for one input: the workflow's graph, a streamed run's events, and the result as JSON (declared names).</summary>
/// <param name="Nodes">The graph the workflow runs (steps, dependencies, kinds, policies).</param>
/// <param name="Events">Every event of a <c>RunStreamingAsync</c> run, in the order it yielded them.</param>
/// <param name="Result">The result of a <c>RunAsync</c> run, as JSON text, or <see cref="Failure"/> of the error it threw.</param>
internal sealed record RunOutcome(IReadOnlyList<WorkflowNode> Nodes, IReadOnlyList<AtlasEvent> Events, string Result)
{
    /// <summary>A failed run's "result": the error's type and message, which both sides must throw alike.</summary>
    public static string Failure(Exception error) => $"error {error.GetType().FullName}: {error.Message}";
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
