using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atlas.Runtime;

/// <summary>
/// Executes what .atlas files declare: agents on providers and routes, knowledge search, and
/// workflows (directly for one input, in a TPL Dataflow block for a stream). One instance serves many concurrent runs (thread-safe);
/// it owns the chat clients it creates and disposes them (a host's own clients stay the host's).
/// </summary>
public sealed class AtlasRuntime : IAsyncDisposable, IDisposable
{
    private readonly ProviderRegistry _providers;
    private readonly ModelRouter _router;
    private readonly ToolRegistry _tools;
    private readonly KnowledgeRegistry _knowledge;
    private readonly AgentRunner _agents;
    private readonly WorkflowRunner _workflows;
    private readonly HumanRunner _humans;

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
        TimeProvider = options.TimeProvider ?? TimeProvider.System;
        Logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<AtlasRuntime>();
        Resilience = new ResilienceRunner(TimeProvider);
        _providers = new ProviderRegistry(options, Secrets, TimeProvider);
        try
        {
            _router = new ModelRouter(_providers, options.Routes, Resilience, Secrets, TimeProvider, options.RunStore);
            _knowledge = new KnowledgeRegistry(options, Secrets);
            _tools = new ToolRegistry(options);
        }
        catch
        {
            _providers.Dispose();
            throw;
        }

        _agents = new AgentRunner(_router, _tools, Secrets, TimeProvider);
        _workflows = new WorkflowRunner(this);
        RunStore = options.RunStore;
        _humans = new HumanRunner(this, options.HumanInput);
    }

    /// <summary>The declared providers and host clients, by name.</summary>
    public IReadOnlyCollection<string> ProviderNames => _providers.Names;

    /// <summary>The declared MCP servers by name.</summary>
    public IReadOnlyCollection<string> McpServerNames => _tools.McpServerNames;

    internal TimeProvider TimeProvider { get; }

    internal ResilienceRunner Resilience { get; }

    /// <summary>Where runs log their provider choices, retries and failed steps (see <see cref="RuntimeLog"/>).</summary>
    internal ILogger Logger { get; }

    /// <summary>Where runs are recorded; <see langword="null"/> for none.</summary>
    public IRunStore? RunStore { get; }

    /// <summary>The API keys this runtime read, kept only to blank them out of messages and events.</summary>
    internal SecretRedactor Secrets { get; } = new();

    /// <summary>Whether <paramref name="provider"/> can be used, and why not.</summary>
    /// <param name="provider">A declared provider's name, or the name of a host's client.</param>
    /// <returns>Its kind, availability and capabilities.</returns>
    /// <exception cref="ArgumentException">No provider has that name.</exception>
    public ProviderStatus GetProviderStatus(string provider) => _providers.Get(provider).Status;

    /// <summary>Runs an agent once. Text results come back as a JSON string value; structured ones as the validated JSON object.</summary>
    /// <remarks>
    /// The instructions (system message) and prompt (user message) are rendered with
    /// <paramref name="arguments"/>. A structured result is requested with the result type's JSON
    /// schema, parsed and validated; an invalid reply gets one repair attempt on the same provider (the
    /// error is sent back). Still invalid, that counts as the provider's failure: a route falls back to its
    /// next provider (the conversation starts over there), and when none is left the call fails with an
    /// <see cref="InvalidOperationException"/> naming the agent.
    /// With a <paramref name="step"/>, the reply is streamed as <see cref="TokenEmitted"/> events and
    /// its usage and cost are added to the step.
    /// </remarks>
    /// <param name="agent">The agent to run.</param>
    /// <param name="arguments">Its arguments as JSON values, by parameter name as declared.</param>
    /// <param name="step">The step the call belongs to (for events, usage and budgets); <see langword="null"/> for a call outside any run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A JSON string for a text agent, the validated JSON value for a structured one.</returns>
    /// <exception cref="BudgetExceededException">The agent's or the run's <c>budget</c> was exceeded.</exception>
    /// <exception cref="InvalidOperationException">
    /// No provider could answer (<c>No provider of route 'smart' could answer: ...</c>, each provider's error named), or the
    /// structured reply stayed invalid.
    /// </exception>
    public Task<JsonNode?> InvokeAgentAsync(AgentDescriptor agent, IReadOnlyDictionary<string, JsonNode?> arguments, StepContext? step, CancellationToken cancellationToken) =>
        _agents.InvokeAsync(agent, arguments, step, cancellationToken);

    /// <summary>Streams a text agent's output as it arrives.</summary>
    /// <remarks>
    /// A structured agent streams its JSON text (validated once complete). Once a chunk of a model
    /// reply has been yielded, an error of that reply ends the stream with that error: there is no
    /// retry or fallback that would repeat text the caller already has. (A later request of a tool
    /// loop, none of whose text the caller has, is retried as usual.)
    /// </remarks>
    /// <param name="agent">The agent to run.</param>
    /// <param name="arguments">Its arguments as JSON values, by parameter name as declared.</param>
    /// <param name="step">The step the call belongs to (for events, usage and budgets); <see langword="null"/> for a call outside any run.</param>
    /// <param name="cancellationToken">Cancels the call and ends the enumeration.</param>
    /// <returns>The reply's text in the pieces the provider streamed; the call's errors are thrown from the enumeration.</returns>
    public IAsyncEnumerable<string> StreamAgentAsync(AgentDescriptor agent, IReadOnlyDictionary<string, JsonNode?> arguments, StepContext? step, CancellationToken cancellationToken) =>
        _agents.StreamAsync(agent, arguments, step, cancellationToken);

    /// <summary>
    /// Asks a person (a <c>human</c> declaration): renders its prompt, takes the answer recorded for this step of the run,
    /// or asks <see cref="AtlasRuntimeOptions.HumanInput"/> (again while the answer is not valid for the result type); with
    /// no answer, records the question and throws <see cref="HumanInputRequiredException"/>, which stops the run in status
    /// <see cref="RunStatus.Waiting"/>. The answer comes back as JSON of the declared result type.
    /// </summary>
    /// <param name="human">The declaration.</param>
    /// <param name="arguments">Its arguments as JSON values, by parameter name as declared.</param>
    /// <param name="step">The step that asks; <see langword="null"/> outside a run (then only <see cref="AtlasRuntimeOptions.HumanInput"/> can answer).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The validated answer.</returns>
    /// <exception cref="HumanInputRequiredException">No answer yet: the run waits.</exception>
    /// <exception cref="TimeoutException">The human's <c>timeout</c> passed with no answer.</exception>
    /// <exception cref="InvalidOperationException">No one can answer: no <see cref="IHumanInput"/> and no run store.</exception>
    public Task<JsonNode?> AskHumanAsync(HumanDescriptor human, IReadOnlyDictionary<string, JsonNode?> arguments, StepContext? step, CancellationToken cancellationToken) =>
        _humans.AskAsync(human, arguments, step, cancellationToken);

    /// <summary>
    /// Calls the declared tool <paramref name="tool"/> directly (a workflow step that calls a tool), after checking
    /// <paramref name="arguments"/> against its parameters' schema. The result is the tool's value as JSON.
    /// </summary>
    /// <param name="tool">The tool's declared name.</param>
    /// <param name="arguments">Its arguments as JSON values, by parameter name as declared.</param>
    /// <param name="cancellationToken">Passed to the tool.</param>
    /// <returns>The tool's result serialized to JSON; <see langword="null"/> for a tool that returns nothing.</returns>
    /// <exception cref="AtlasToolException">No implementation is registered, or the arguments don't fit the parameters.</exception>
    public Task<JsonNode?> InvokeToolAsync(string tool, IReadOnlyDictionary<string, JsonNode?> arguments, CancellationToken cancellationToken) =>
        _tools.InvokeAsync(tool, arguments, cancellationToken);

    /// <summary>
    /// Searches a knowledge base: the host's <see cref="AtlasRuntimeOptions.Knowledge"/> entry, or the one
    /// <see cref="AtlasRuntimeOptions.KnowledgeFactory"/> built for its descriptor. With neither, the search fails saying
    /// so: there is no other store that would answer as <c>atlas run</c> does.
    /// </summary>
    /// <param name="knowledge">The knowledge base's declared name (or the name of a host's entry).</param>
    /// <param name="query">The text to search for.</param>
    /// <param name="options">How many passages, which ranking, the lowest score kept and the metadata filters.</param>
    /// <param name="step">The step that searches; <see langword="null"/> outside a run.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>At most <see cref="SearchOptions.Top"/> passages, best first.</returns>
    /// <exception cref="ArgumentException">No knowledge base has that name.</exception>
    /// <exception cref="InvalidOperationException">The knowledge base has no store (neither a host's entry nor a factory).</exception>
    public Task<IReadOnlyList<Passage>> SearchAsync(string knowledge, string query, SearchOptions options, StepContext? step, CancellationToken cancellationToken)
    {
        // A search has no events or usage of its own yet: the step is part of the signature for when it does.
        _ = step;
        return _knowledge.SearchAsync(knowledge, query, options, cancellationToken);
    }

    /// <summary>Runs a workflow for one input and returns its result (throws <see cref="WorkflowFailedException"/> on failure).</summary>
    /// <remarks>
    /// The run executes the graph directly: each step starts once the steps it reads are done, independent steps
    /// run at once, and steps that finish synchronously (cached tools, plain values) run on the caller's thread with
    /// no scheduling at all. Each call gets its own run, so concurrent calls share nothing but the runtime's
    /// providers; nothing is allocated for events (nobody observes this run). Cancelling throws
    /// <see cref="OperationCanceledException"/>; running steps see the same token.
    /// </remarks>
    /// <typeparam name="TState">The run's state: the workflow's inputs and one slot per step's result, written by the steps.</typeparam>
    /// <typeparam name="TResult">What the workflow returns.</typeparam>
    /// <param name="graph">The workflow, built once and shared by every run.</param>
    /// <param name="state">A fresh state holding this run's input; the run writes its steps' results into it.</param>
    /// <param name="result">Builds the workflow's return from the state once every step has finished.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What <paramref name="result"/> built.</returns>
    /// <exception cref="WorkflowFailedException">A step (or <paramref name="result"/>) failed; <see cref="WorkflowFailedException.Step"/> says which.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<TResult> RunAsync<TState, TResult>(WorkflowGraph<TState> graph, TState state, Func<TState, TResult> result, CancellationToken cancellationToken)
        where TState : class =>
        _workflows.RunAsync(graph, state, result, cancellationToken);

    /// <summary>
    /// Runs a workflow for one input as <paramref name="options"/> say: recorded in the run store, resumed from a recorded
    /// run (<see cref="RunOptions.ResumeRunId"/>, <see cref="RunOptions.FromStep"/>), or with every model and tool call
    /// answered from one (<see cref="RunOptions.ReplayRunId"/>).
    /// </summary>
    /// <typeparam name="TState">The run's state.</typeparam>
    /// <typeparam name="TResult">What the workflow returns.</typeparam>
    /// <param name="graph">The workflow.</param>
    /// <param name="state">A fresh state holding this run's input.</param>
    /// <param name="result">Builds the workflow's return from the state once every step has finished.</param>
    /// <param name="options">How the run is recorded and where it starts.</param>
    /// <param name="cancellationToken">Cancels the run (it is recorded as cancelled).</param>
    /// <returns>What <paramref name="result"/> built.</returns>
    /// <exception cref="WorkflowFailedException">A step (or <paramref name="result"/>) failed.</exception>
    /// <exception cref="HumanInputRequiredException">A human step waits for its answer: the run is recorded as waiting.</exception>
    /// <exception cref="RunResumeException">The run to resume or replay cannot be, or there is no run store for it.</exception>
    public Task<TResult> RunAsync<TState, TResult>(WorkflowGraph<TState> graph, TState state, Func<TState, TResult> result, RunOptions options, CancellationToken cancellationToken)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        return _workflows.RunRecordedAsync(graph, state, result, options, cancellationToken);
    }

    /// <summary>
    /// Resumes the recorded run <paramref name="runId"/> (failed, cancelled, waiting, or killed): its input is read from the
    /// run store; steps and <c>for</c> items that completed (and are unchanged) are reused, the rest run.
    /// </summary>
    /// <typeparam name="TState">The run's state.</typeparam>
    /// <typeparam name="TResult">What the workflow returns.</typeparam>
    /// <param name="graph">The workflow; its steps reuse recorded results only when it has checkpoints (generated code's and the interpreter's do).</param>
    /// <param name="runId">The run, or a prefix of its id that only it has.</param>
    /// <param name="loadInput">A new state from the input the run recorded (as JSON).</param>
    /// <param name="result">Builds the workflow's return.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What <paramref name="result"/> built.</returns>
    /// <exception cref="RunResumeException">No store, the run is not recorded, already succeeded, or is of another workflow.</exception>
    /// <exception cref="WorkflowFailedException">A step failed again.</exception>
    /// <exception cref="HumanInputRequiredException">A human step still waits for its answer.</exception>
    public Task<TResult> ResumeAsync<TState, TResult>(WorkflowGraph<TState> graph, string runId, Func<string, TState> loadInput, Func<TState, TResult> result, CancellationToken cancellationToken)
        where TState : class
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        return _workflows.ResumeAsync(graph, loadInput, result, new RunOptions { ResumeRunId = runId }, cancellationToken);
    }

    /// <summary>
    /// Records the answers to a waiting run's human steps (by step name, each JSON of the human's result type), then
    /// resumes it (see <see cref="ResumeAsync{TState, TResult}(WorkflowGraph{TState}, string, Func{string, TState}, Func{TState, TResult}, CancellationToken)"/>).
    /// </summary>
    /// <typeparam name="TState">The run's state.</typeparam>
    /// <typeparam name="TResult">What the workflow returns.</typeparam>
    /// <param name="graph">The workflow.</param>
    /// <param name="runId">The waiting run.</param>
    /// <param name="answers">The answers, by the step that asked; each is validated when the step takes it.</param>
    /// <param name="loadInput">A new state from the input the run recorded (as JSON).</param>
    /// <param name="result">Builds the workflow's return.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What <paramref name="result"/> built.</returns>
    /// <exception cref="RunResumeException">No store, the run is unknown, or it asked no such step.</exception>
    public async Task<TResult> ResumeAsync<TState, TResult>(WorkflowGraph<TState> graph, string runId, IReadOnlyDictionary<string, string> answers, Func<string, TState> loadInput, Func<TState, TResult> result, CancellationToken cancellationToken)
        where TState : class
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentNullException.ThrowIfNull(answers);
        var store = RunStore ?? throw new RunResumeException("answering a human step needs a run store (AtlasRuntimeOptions.RunStore)");
        var run = await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw new RunResumeException($"no run '{runId}' is recorded");
        foreach (var (step, answer) in answers)
        {
            if (!await store.AnswerHumanAsync(run.RunId, step, Secrets.Redact(answer), TimeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false))
                throw new RunResumeException($"run {run.RunId} asked no question at step '{step}'");
        }

        return await ResumeAsync(graph, run.RunId, loadInput, result, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a workflow for one input, yielding its events as they happen (ending with RunCompleted).</summary>
    /// <remarks>
    /// A failed run does not throw: its <see cref="StepFailed"/> event says where and why, and the final
    /// <see cref="RunCompleted"/> has <c>Succeeded = false</c>. Cancelling ends the enumeration with
    /// <see cref="OperationCanceledException"/>. Events are buffered unbounded between the run and the
    /// reader (one run's events are few).
    /// </remarks>
    /// <typeparam name="TState">The run's state.</typeparam>
    /// <param name="graph">The workflow.</param>
    /// <param name="state">A fresh state holding this run's input.</param>
    /// <param name="cancellationToken">Cancels the run and ends the enumeration.</param>
    /// <returns>The run's events, from <see cref="RunStarted"/> to <see cref="RunCompleted"/>.</returns>
    public IAsyncEnumerable<AtlasEvent> RunStreamingAsync<TState>(WorkflowGraph<TState> graph, TState state, CancellationToken cancellationToken)
        where TState : class =>
        _workflows.RunStreamingAsync(graph, state, options: null, cancellationToken);

    /// <summary>Runs a workflow for one input as <paramref name="options"/> say (recorded, resumed, replayed), yielding its events.</summary>
    /// <typeparam name="TState">The run's state.</typeparam>
    /// <param name="graph">The workflow.</param>
    /// <param name="state">A fresh state holding this run's input.</param>
    /// <param name="options">How the run is recorded and where it starts.</param>
    /// <param name="cancellationToken">Cancels the run and ends the enumeration.</param>
    /// <returns>The run's events; a run that waits for a human ends with a <see cref="RunCompleted"/> whose <c>Waiting</c> is true.</returns>
    /// <exception cref="RunResumeException">From the enumeration: the run to resume or replay cannot be.</exception>
    public IAsyncEnumerable<AtlasEvent> RunStreamingAsync<TState>(WorkflowGraph<TState> graph, TState state, RunOptions options, CancellationToken cancellationToken)
        where TState : class =>
        _workflows.RunStreamingAsync(graph, state, options, cancellationToken);

    /// <summary>A block for pushing many inputs through with bounded capacity; one failed input yields an error result and the others go on.</summary>
    /// <remarks>
    /// Results come out in <b>completion order</b> (not input order): a slow input does not hold back
    /// the ones behind it; match them by <see cref="WorkflowResult{T}.RunId"/> (reported in
    /// <see cref="RunStarted"/>) or carry a key in the state. At most
    /// <see cref="WorkflowBlockOptions.MaxConcurrentRuns"/> inputs run at once (each through the whole graph, as
    /// <see cref="RunAsync{TState, TResult}(WorkflowGraph{TState}, TState, Func{TState, TResult}, CancellationToken)"/> runs it), at most <see cref="WorkflowBlockOptions.MaxParallelismPerStep"/> of them in
    /// any one step, and at most <see cref="WorkflowBlockOptions.BoundedCapacity"/> more wait, so memory stays flat
    /// however long the stream. Use <c>SendAsync</c>, then <c>Complete()</c>, and read every result. Cancelling the
    /// token of the options cancels the block and every run in it.
    /// </remarks>
    /// <typeparam name="TInput">What is sent into the block, one per run.</typeparam>
    /// <typeparam name="TState">The run's state.</typeparam>
    /// <typeparam name="TResult">What the workflow returns.</typeparam>
    /// <param name="graph">The workflow.</param>
    /// <param name="createState">Makes a fresh state from one input; if it throws, that input's result is an error (step <c>input</c>).</param>
    /// <param name="result">Builds the workflow's return from a finished run's state.</param>
    /// <param name="options">Capacity, concurrency, the event observer and the token; <see langword="null"/> for the defaults.</param>
    /// <param name="runOptions">
    /// With a run store: each input's run options (its batch line, the run it resumes); <see langword="null"/> records each as a fresh run.
    /// </param>
    /// <returns>
    /// The block: send inputs to it and link or receive its results. It completes once <c>Complete()</c> was called
    /// and every result has been received.
    /// </returns>

    public IPropagatorBlock<TInput, WorkflowResult<TResult>> CreateBlock<TInput, TState, TResult>(
        WorkflowGraph<TState> graph, Func<TInput, TState> createState, Func<TState, TResult> result, WorkflowBlockOptions? options = null, Func<TInput, RunOptions?>? runOptions = null)
        where TState : class =>
        _workflows.CreateBlock(graph, createState, result, options, runOptions);

    /// <summary>A workflow a step calls (see <see cref="StepContext.RunWorkflowAsync"/>): its result and what it spent.</summary>
    internal Task<(TResult Value, Usage Usage)> RunCalledAsync<TState, TResult>(
        WorkflowGraph<TState> graph, TState state, Func<TState, TResult> result, Action<AtlasEvent>? onEvent, CancellationToken cancellationToken)
        where TState : class =>
        _workflows.RunCalledAsync(graph, state, result, onEvent, cancellationToken);

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
        await _tools.DisposeAsync().ConfigureAwait(false);
        _providers.Dispose();
        if (RunStore is not null) await RunStore.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the MCP servers it started, disposes the chat clients this runtime created (not the host's) and the providers' limiters.</summary>
    public void Dispose()
    {
        _tools.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _providers.Dispose();
        RunStore?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
