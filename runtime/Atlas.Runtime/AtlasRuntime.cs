using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;

namespace Atlas.Runtime;

/// <summary>A provider's state: usable, or why not (e.g. "OPENAI_API_KEY is not set").</summary>
public sealed record ProviderStatus(string Name, string Kind, bool Available, string? Reason, IReadOnlyList<string> Capabilities);

/// <summary>Options of a workflow block that many inputs are pushed through.</summary>
public sealed record WorkflowBlockOptions(int BoundedCapacity = 64, int MaxConcurrentRuns = 16, Action<AtlasEvent>? OnEvent = null, CancellationToken CancellationToken = default);

/// <summary>
/// Executes what .atlas files declare: agents on providers and routes, knowledge search, and
/// workflows as TPL Dataflow graphs. One instance serves many concurrent runs (thread-safe);
/// it owns the chat clients it creates and disposes them. (Contract: being implemented.)
/// </summary>
public sealed partial class AtlasRuntime : IAsyncDisposable
{
    public AtlasRuntime(AtlasRuntimeOptions options) => throw new NotSupportedException(Building);

    public ProviderStatus GetProviderStatus(string provider) => throw new NotSupportedException(Building);

    /// <summary>Runs an agent once. Text results come back as a JSON string value; structured ones as the validated JSON object.</summary>
    public Task<JsonNode?> InvokeAgentAsync(AgentDescriptor agent, IReadOnlyDictionary<string, JsonNode?> arguments, StepContext? step, CancellationToken cancellationToken) =>
        throw new NotSupportedException(Building);

    /// <summary>Streams a text agent's output as it arrives.</summary>
    public IAsyncEnumerable<string> StreamAgentAsync(AgentDescriptor agent, IReadOnlyDictionary<string, JsonNode?> arguments, StepContext? step, CancellationToken cancellationToken) =>
        throw new NotSupportedException(Building);

    public Task<IReadOnlyList<Passage>> SearchAsync(string knowledge, string query, SearchOptions options, StepContext? step, CancellationToken cancellationToken) =>
        throw new NotSupportedException(Building);

    /// <summary>Runs a workflow for one input and returns its result (throws <see cref="WorkflowFailedException"/> on failure).</summary>
    public Task<TResult> RunAsync<TState, TResult>(WorkflowGraph<TState> graph, TState state, Func<TState, TResult> result, CancellationToken cancellationToken)
        where TState : class => throw new NotSupportedException(Building);

    /// <summary>Runs a workflow for one input, yielding its events as they happen (ending with RunCompleted).</summary>
    public IAsyncEnumerable<AtlasEvent> RunStreamingAsync<TState>(WorkflowGraph<TState> graph, TState state, CancellationToken cancellationToken)
        where TState : class => throw new NotSupportedException(Building);

    /// <summary>A block for pushing many inputs through with bounded capacity; one failed input yields an error result and the others go on.</summary>
    public IPropagatorBlock<TInput, WorkflowResult<TResult>> CreateBlock<TInput, TState, TResult>(
        WorkflowGraph<TState> graph, Func<TInput, TState> createState, Func<TState, TResult> result, WorkflowBlockOptions? options = null)
        where TState : class => throw new NotSupportedException(Building);

    public ValueTask DisposeAsync() => default;

    private const string Building = "Atlas.Runtime is being built.";
}

/// <summary>A workflow run failed; <see cref="Step"/> is where.</summary>
public sealed class WorkflowFailedException : Exception
{
    public WorkflowFailedException(string runId, string? step, string message, Exception? inner = null)
        : base(message, inner)
    {
        RunId = runId;
        Step = step;
    }

    public string RunId { get; }

    public string? Step { get; }
}
