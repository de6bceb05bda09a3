// Written by hand the way Atlas's C# emitter writes workflows (see its snapshot tests), for:
//
//   workflow summarize(text: string) -> string {
//     o = outline(text)
//     d = draft(o)
//     p = polish(d)
//     return p
//   }
#nullable enable

using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;
using Atlas.Runtime;

namespace Atlas.Runtime.Benchmarks.Generated;

/// <summary>
/// The Atlas workflow <c>summarize(text: string) -&gt; string</c>: a graph of steps run on
/// <see cref="AtlasRuntime"/>, where steps that don't read each other run concurrently. Thread-safe: runs share nothing.
/// </summary>
public sealed partial class SummarizeWorkflow
{
    private static readonly WorkflowGraph<State> Graph = BuildGraph();

    private readonly AtlasRuntime _runtime;

    public SummarizeWorkflow(AtlasRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _runtime = runtime;
    }

    public Task<string> RunAsync(string text, CancellationToken cancellationToken = default) =>
        _runtime.RunAsync(Graph, new State(text), GetResult, cancellationToken);

    public IPropagatorBlock<string, WorkflowResult<string>> CreateBlock(WorkflowBlockOptions? options = null) =>
        _runtime.CreateBlock<string, State, string>(Graph, static text => new State(text), GetResult, options);

    private static WorkflowGraph<State> BuildGraph() =>
        new WorkflowGraphBuilder<State>("summarize")
            .Step("o", [], static async (state, step, cancellationToken) =>
            {
                state.O = await new OutlineAgent(step.Runtime).InvokeAsync(state.Text, step, cancellationToken).ConfigureAwait(false);
            })
            .Step("d", ["o"], static async (state, step, cancellationToken) =>
            {
                state.D = await new DraftAgent(step.Runtime).InvokeAsync(state.O, step, cancellationToken).ConfigureAwait(false);
            })
            .Step("p", ["d"], static async (state, step, cancellationToken) =>
            {
                state.P = await new PolishAgent(step.Runtime).InvokeAsync(state.D, step, cancellationToken).ConfigureAwait(false);
            })
            .Build(["p"]);

    private static string GetResult(State state) =>
        state.P;

    /// <summary>One run's data: its inputs, and each step's result once that step has run (a step writes only its own field).</summary>
    private sealed class State(string text)
    {
        public readonly string Text = text;
        public string O = null!;
        public string D = null!;
        public string P = null!;
    }
}
