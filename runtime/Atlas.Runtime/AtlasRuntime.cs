using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>A provider's state: usable, or why not (e.g. "OPENAI_API_KEY is not set").</summary>
/// <param name="Name">The provider's name.</param>
/// <param name="Kind">Which client it has.</param>
/// <param name="Available">Whether calls can be made to it (its client could be created, its API key is set).</param>
/// <param name="Reason">Why it is unavailable; <see langword="null"/> when <paramref name="Available"/>.</param>
/// <param name="Capabilities">What it supports: the declared <c>supports</c>, or its kind's defaults.</param>
public sealed record ProviderStatus(string Name, ProviderKind Kind, bool Available, string? Reason, IReadOnlyList<string> Capabilities);

/// <summary>Options of a workflow block that many inputs are pushed through.</summary>
/// <param name="BoundedCapacity">How many inputs (and how many results) the block buffers before <c>SendAsync</c> waits.</param>
/// <param name="MaxConcurrentRuns">How many inputs run at once; each step runs up to this many in parallel.</param>
/// <param name="OnEvent">Receives every run's events, from many threads at once; exceptions it throws are ignored.</param>
/// <param name="CancellationToken">Cancels the block and every run in it.</param>
public sealed record WorkflowBlockOptions(int BoundedCapacity = 64, int MaxConcurrentRuns = 16, Action<AtlasEvent>? OnEvent = null, System.Threading.CancellationToken CancellationToken = default)
{
    /// <summary>
    /// How many runs each step executes at once; null (the default) means <see cref="MaxConcurrentRuns"/>.
    /// Set <see cref="MaxConcurrentRuns"/> to this times the depth of the graph, plus some slack, to keep every
    /// step busy: with 3 steps in a row at 64 each, admit 256 runs.
    /// </summary>
    public int? MaxParallelismPerStep { get; init; }
}

/// <summary>
/// Executes what .atlas files declare: agents on providers and routes, knowledge search, and
/// workflows (directly for one input, in a TPL Dataflow block for a stream). One instance serves many concurrent runs (thread-safe);
/// it owns the chat clients it creates and disposes them (a host's own clients stay the host's).
/// </summary>
public sealed partial class AtlasRuntime : IAsyncDisposable, IDisposable
{
    private readonly AtlasRuntimeOptions _options;
    private readonly ProviderRegistry _providers;
    private readonly ModelRouter _router;

    /// <summary>
    /// Creates a runtime for the declarations in <paramref name="options"/>: one client per provider (unless the host
    /// supplied one), each in its pipeline of middleware, the routes, knowledge bases, tools and MCP servers. Nothing is
    /// called yet: API keys are read now, MCP servers start on first use.
    /// </summary>
    /// <param name="options">
    /// The declarations and the host's own clients, middleware, tools and knowledge bases. The runtime keeps them: finish
    /// setting them up before creating it.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// Two providers have one name, a route has the name of a provider or another route, an MCP server has the name
    /// of another MCP server or of a tool, or <see cref="AtlasRuntimeOptions.ConfigureChatClient"/> names no provider.
    /// </exception>
    public AtlasRuntime(AtlasRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        TimeProvider = options.TimeProvider ?? TimeProvider.System;
        Resilience = new ResilienceRunner(TimeProvider);
        _providers = new ProviderRegistry(options, Secrets, TimeProvider);
        try
        {
            _router = new ModelRouter(_providers, options.Routes, Resilience, Secrets, TimeProvider);
        }
        catch
        {
            _providers.Dispose();
            throw;
        }

        InitializeKnowledge(options);
        InitializeTools(options);
    }

    /// <summary>The declared providers and host clients, by name.</summary>
    public IReadOnlyCollection<string> ProviderNames => _providers.Names;

    internal TimeProvider TimeProvider { get; }

    internal ResilienceRunner Resilience { get; }

    /// <summary>The API keys this runtime read, kept only to blank them out of messages and events.</summary>
    internal SecretRedactor Secrets { get; } = new();

    internal AtlasRuntimeOptions Options => _options;

    /// <summary>Whether <paramref name="provider"/> can be used, and why not.</summary>
    /// <param name="provider">A declared provider's name, or the name of a host's client.</param>
    /// <returns>Its kind, availability and capabilities.</returns>
    /// <exception cref="ArgumentException">No provider has that name.</exception>
    public ProviderStatus GetProviderStatus(string provider) => _providers.Get(provider).Status;

    /// <summary>
    /// A step context outside any workflow (e.g. for <c>atlas chat</c> or a generated agent class), so that
    /// an agent call streams <see cref="TokenEmitted"/> and reports <see cref="ProviderSelected"/> to <paramref name="onEvent"/>.
    /// </summary>
    /// <param name="step">The name the events carry as their step.</param>
    /// <param name="onEvent">Receives the events, on the thread that produced them; <see langword="null"/> for none (calls then do not stream).</param>
    /// <param name="runId">The run id the events carry; <see langword="null"/> for a new one.</param>
    /// <returns>A context to pass to <see cref="InvokeAgentAsync"/> or <see cref="StreamAgentAsync"/>; it adds up the usage of the calls made with it.</returns>
    /// <exception cref="ArgumentException"><paramref name="step"/> is <see langword="null"/>, empty or white space.</exception>
    public StepContext CreateStepContext(string step, Action<AtlasEvent>? onEvent = null, string? runId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(step);
        return new StepContext(new RunContext(this, step, onEvent, runId), step);
    }

    /// <summary>Stops the MCP servers it started, waiting for them asynchronously, then releases what <see cref="Dispose"/> releases.</summary>
    /// <returns>A task that completes once everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        await DisposeToolsAsync().ConfigureAwait(false);
        Dispose();
    }

    /// <summary>Stops the MCP servers it started, disposes the chat clients this runtime created (not the host's) and the providers' limiters.</summary>
    public void Dispose()
    {
        DisposeToolsAsync().AsTask().GetAwaiter().GetResult();
        _providers.Dispose();
    }

}

/// <summary>A workflow run failed; <see cref="Step"/> is where.</summary>
/// <remarks>Thrown by <see cref="AtlasRuntime.RunAsync"/> and <see cref="StepContext.RunWorkflowAsync"/>; the message says which workflow, which step and why.</remarks>
public sealed class WorkflowFailedException : Exception
{
    /// <summary>Creates the exception for a failed run.</summary>
    /// <param name="runId">The failed run's id.</param>
    /// <param name="step">The step that failed; <see langword="null"/> when no step did (the run as a whole failed).</param>
    /// <param name="message">The workflow, the step and why, in one line.</param>
    /// <param name="inner">The step's exception.</param>
    public WorkflowFailedException(string runId, string? step, string message, Exception? inner = null)
        : base(message, inner)
    {
        RunId = runId;
        Step = step;
    }

    /// <summary>The failed run's id, as its events carry it.</summary>
    public string RunId { get; }

    /// <summary>The step that failed (<c>input</c> or <c>return</c> for those phases); <see langword="null"/> when no step did.</summary>
    public string? Step { get; }
}
