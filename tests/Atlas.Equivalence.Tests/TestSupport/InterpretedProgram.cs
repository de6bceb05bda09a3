using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using Atlas.Compiler.Model;
using Atlas.Embeddings.MiniLM;
using Atlas.Interpreter;
using Atlas.Knowledge;
using Atlas.Runtime;

namespace Atlas.Equivalence.Tests.TestSupport;

/// <summary>
/// A project run by the CLI's interpreter in process, wired the way <c>atlas run</c> wires it: an
/// <see cref="AtlasProgram"/> over the checked model, a runtime with its declarations, the input
/// checked with <see cref="WorkflowInterpreter.ConformInput"/>, and the graph run on the runtime.
/// </summary>
internal static class InterpretedProgram
{
    /// <summary>Runs <paramref name="workflow"/> once streaming (events, and the result read from the run's state, as <c>atlas run</c> does) and once with <c>RunAsync</c> (its result, or the error it throws).</summary>
    public static async Task<RunOutcome> RunAsync(AtlasModel model, WorkflowModel workflow, JsonNode? input, Action<AtlasRuntimeOptions> configure, JsonSerializerOptions resultOptions)
    {
        var program = new AtlasProgram(model);
        var interpreter = program.Workflow(workflow.Name);
        await using var runtime = CreateRuntime(model, configure);
        // A state takes its conformed input over (a parameter's value is detached from it): one input per run.
        var state = interpreter.CreateState(interpreter.ConformInput(input?.DeepClone()));
        var events = new List<AtlasEvent>();
        await foreach (var atlasEvent in runtime.RunStreamingAsync(interpreter.Graph, state, CancellationToken.None)) events.Add(atlasEvent);
        var streamed = events.LastOrDefault() is RunCompleted { Succeeded: true } ? interpreter.GetResult(state) : null;

        JsonNode? result;
        try
        {
            result = await runtime.RunAsync(interpreter.Graph, interpreter.CreateState(interpreter.ConformInput(input?.DeepClone())), interpreter.GetResult, CancellationToken.None);
        }
        catch (Exception e)
        {
            return new RunOutcome(interpreter.Fingerprint, interpreter.Graph.Nodes, events, RunOutcome.Failure(e));
        }

        var json = Serialize(result, resultOptions);
        if (streamed is not null)
            Assert.True(json == Serialize(streamed, resultOptions), $"The interpreter's streamed run and RunAsync give different results:\n{Serialize(streamed, resultOptions)}\n{json}");
        return new RunOutcome(interpreter.Fingerprint, interpreter.Graph.Nodes, events, json);
    }

    /// <summary>
    /// The runtime <c>atlas run</c> builds: the declarations, every provider kind's client and MCP's, <paramref name="configure"/>, and the knowledge bases on their
    /// real stores, MiniLM loaded on the first search and a SQLite store brought up to date first (what
    /// <c>CliKnowledge</c> and its <c>PrepareAsync</c> do).
    /// </summary>
    public static AtlasRuntime CreateRuntime(AtlasModel model, Action<AtlasRuntimeOptions> configure)
    {
        var options = new AtlasRuntimeOptions();
        new AtlasProgram(model).AddDeclarationsTo(options);
        options.UseOpenAI().UseAnthropic().UseOllama().UseMcp();
        configure(options);
        options.KnowledgeFactory ??= new KnowledgeBaseFactory { IngestBeforeFirstSearch = true }
            .AddEmbedder("minilm", () => MiniLmEmbeddingGenerator.Shared, MiniLmEmbeddingGenerator.SharedTokenizer)
            .AddProviders(options);
        return new AtlasRuntime(options);
    }

    private static string Serialize(JsonNode? node, JsonSerializerOptions options) => node?.ToJsonString(options) ?? "null";
}
