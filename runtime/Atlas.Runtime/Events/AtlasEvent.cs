using System;
using System.Text.Json.Serialization;

namespace Atlas.Runtime;

/// <summary>Token usage and cost of one call, one step or one run.</summary>
/// <param name="InputTokens">Tokens the provider counted in the prompts sent (as the provider reported them).</param>
/// <param name="OutputTokens">Tokens the provider counted in the replies.</param>
/// <param name="CostUsd">
/// What the tokens cost in US dollars, priced with the provider's declared <c>input_cost_per_million</c> and
/// <c>output_cost_per_million</c>; 0 for a provider that declares no price.
/// </param>
public readonly record struct Usage(long InputTokens, long OutputTokens, decimal CostUsd)
{
    /// <summary>No tokens and no cost: what a step that calls no model has used.</summary>
    public static readonly Usage Zero = default;

    /// <summary><see cref="InputTokens"/> plus <see cref="OutputTokens"/>: what a <c>budget</c>'s token limit is checked against.</summary>
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>Adds two usages field by field, e.g. a step's calls into the step's total.</summary>
    /// <param name="a">The first usage.</param>
    /// <param name="b">The usage to add to it.</param>
    /// <returns>The sums of the tokens and of the costs.</returns>
    public static Usage operator +(Usage a, Usage b) =>
        new(a.InputTokens + b.InputTokens, a.OutputTokens + b.OutputTokens, a.CostUsd + b.CostUsd);
}

/// <summary>
/// Something that happened in a run. Every event carries the run id, the step (null for run-level
/// events) and a timestamp; serialized as JSON lines with a <c>"type"</c> discriminator. Never holds secrets.
/// </summary>
/// <remarks>
/// Events are immutable. A run's events reach its observer (<see cref="WorkflowBlockOptions.OnEvent"/>, the stream of
/// <c>AtlasRuntime.RunStreamingAsync</c>) as they happen, from whichever thread produced them: the steps of one run
/// execute concurrently, so events of different steps may interleave.
/// </remarks>
/// <param name="RunId">The run the event belongs to: 12 hex digits, unique among concurrent runs.</param>
/// <param name="Step">The step it happened in; <see langword="null"/> for an event of the whole run.</param>
/// <param name="Timestamp">When it happened, on the runtime's <see cref="TimeProvider"/> (UTC).</param>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(RunStarted), "run_started")]
[JsonDerivedType(typeof(StepStarted), "step_started")]
[JsonDerivedType(typeof(TokenEmitted), "token")]
[JsonDerivedType(typeof(StepCompleted), "step_completed")]
[JsonDerivedType(typeof(StepFailed), "step_failed")]
[JsonDerivedType(typeof(RetryScheduled), "retry_scheduled")]
[JsonDerivedType(typeof(ProviderSelected), "provider_selected")]
[JsonDerivedType(typeof(RunCompleted), "run_completed")]
[JsonDerivedType(typeof(DelegationStarted), "delegation_started")]
[JsonDerivedType(typeof(DelegationCompleted), "delegation_completed")]
[JsonDerivedType(typeof(ToolCalled), "tool_called")]
[JsonDerivedType(typeof(HumanRequested), "human_requested")]
[JsonDerivedType(typeof(HumanAnswered), "human_answered")]
[JsonDerivedType(typeof(CacheHit), "cache_hit")]
[JsonDerivedType(typeof(ModelCalled), "model_called")]
public abstract record AtlasEvent(string RunId, string? Step, DateTimeOffset Timestamp);

/// <summary>A run of a workflow began: the first event of every run.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Workflow">The name of the workflow that runs.</param>
/// <param name="Timestamp">When the run began.</param>
public sealed record RunStarted(string RunId, string Workflow, DateTimeOffset Timestamp) : AtlasEvent(RunId, null, Timestamp);

/// <summary>
/// A step began, once every step it depends on had finished. Followed by <see cref="StepCompleted"/> or
/// <see cref="StepFailed"/> for the same step; a retried step starts once.
/// </summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Step">The step's name.</param>
/// <param name="Timestamp">When the step began.</param>
public sealed record StepStarted(string RunId, string Step, DateTimeOffset Timestamp) : AtlasEvent(RunId, Step, Timestamp);

/// <summary>A streamed piece of model output.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Step">The step whose agent streamed it.</param>
/// <param name="Timestamp">When it arrived.</param>
/// <param name="Text">The piece of text, as the provider streamed it (often part of a word).</param>
public sealed record TokenEmitted(string RunId, string Step, DateTimeOffset Timestamp, string Text) : AtlasEvent(RunId, Step, Timestamp)
{
    /// <summary>
    /// In a <c>for</c> step, which item (1-based) streamed this piece; <see langword="null"/> otherwise.
    /// Items run in parallel, so their pieces arrive interleaved: this is how to tell them apart.
    /// </summary>
    public int? Item { get; init; }
}

/// <summary>A step finished without error.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Step">The step's name.</param>
/// <param name="Timestamp">When it finished.</param>
/// <param name="Duration">How long its body ran, retries and their delays included.</param>
/// <param name="Usage">The tokens and cost of the model calls the step made, those of workflows it called included.</param>
public sealed record StepCompleted(string RunId, string Step, DateTimeOffset Timestamp, TimeSpan Duration, Usage Usage) : AtlasEvent(RunId, Step, Timestamp)
{
    /// <summary>Whether a resumed run took the step's result from the run store instead of running it (then it cost nothing).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Reused { get; init; }
}

/// <summary>
/// A step failed after its last retry, and with it the run: the steps after it are passed by and the run ends with
/// <see cref="RunCompleted"/> whose <see cref="RunCompleted.Succeeded"/> is <see langword="false"/>.
/// </summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Step">
/// The step's name; <c>input</c> when the run's input could not be read, <c>return</c> when the workflow's return
/// could not be built.
/// </param>
/// <param name="Timestamp">When it failed.</param>
/// <param name="Error">Why, in one line (e.g. <c>timed out after 30s</c>), with API keys blanked out.</param>
public sealed record StepFailed(string RunId, string Step, DateTimeOffset Timestamp, string Error) : AtlasEvent(RunId, Step, Timestamp);

/// <summary>A retry is about to happen after <see cref="Delay"/>; <see cref="Attempt"/> is 1 for the first retry.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Step">The step whose attempt failed.</param>
/// <param name="Timestamp">When the retry was scheduled.</param>
/// <param name="Attempt">Which retry this is, from 1.</param>
/// <param name="Delay">How long the step waits before it: backoff with jitter, or what the provider's <c>Retry-After</c> asked for.</param>
/// <param name="Reason">Why the attempt failed, in one line.</param>
public sealed record RetryScheduled(string RunId, string Step, DateTimeOffset Timestamp, int Attempt, TimeSpan Delay, string Reason) : AtlasEvent(RunId, Step, Timestamp);

/// <summary>A route (or an agent's model) chose a provider, with why.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Step">The step whose model call it is; <see langword="null"/> for a call outside any step.</param>
/// <param name="Timestamp">When the choice was made.</param>
/// <param name="Provider">The chosen provider's name.</param>
/// <param name="Reason">Why it was chosen, or why the ones before it were skipped (e.g. <c>skipped flaky: circuit open ...</c>).</param>
public sealed record ProviderSelected(string RunId, string? Step, DateTimeOffset Timestamp, string Provider, string Reason) : AtlasEvent(RunId, Step, Timestamp);

/// <summary>A run ended, successfully or not: the last event of every run.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Timestamp">When it ended.</param>
/// <param name="Duration">How long the run took, from <see cref="RunStarted"/>.</param>
/// <param name="Usage">The tokens and cost of every model call of the run.</param>
/// <param name="Succeeded">Whether every step succeeded and the return was built.</param>
/// <param name="Error">On failure, <c>step 'name' failed: why</c>; <see langword="null"/> on success.</param>
public sealed record RunCompleted(string RunId, DateTimeOffset Timestamp, TimeSpan Duration, Usage Usage, bool Succeeded, string? Error) : AtlasEvent(RunId, null, Timestamp)
{
    /// <summary>Whether the run stopped because a human step waits for its answer (not a failure: answer it and resume the run).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Waiting { get; init; }
}

/// <summary>
/// An agent handed a sub-task to one of its delegates: who asked whom, with what arguments (compact JSON,
/// shortened to a few hundred characters), and how deep (1 when a step's own agent delegates).
/// </summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Step">The step whose agent (or one of its delegates) delegated.</param>
/// <param name="Timestamp">When the delegation began.</param>
/// <param name="From">The agent that delegated.</param>
/// <param name="To">The delegate agent it called.</param>
/// <param name="Arguments">The arguments the model gave, as compact JSON shortened to a few hundred characters.</param>
/// <param name="Depth">How deep in the delegation chain: 1 for the step's own agent delegating, 2 for its delegate's delegate.</param>
public sealed record DelegationStarted(string RunId, string Step, DateTimeOffset Timestamp, string From, string To, string Arguments, int Depth) : AtlasEvent(RunId, Step, Timestamp);

/// <summary>
/// A delegation ended: how long it took and what the delegate (with its own delegations) used; on
/// failure (or when it was refused, e.g. beyond <c>max_depth</c>) <see cref="Error"/> says why, and that is what the model was told.
/// </summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Step">The step the delegation happened in.</param>
/// <param name="Timestamp">When it ended.</param>
/// <param name="From">The agent that delegated.</param>
/// <param name="To">The delegate agent.</param>
/// <param name="Depth">The same depth as its <see cref="DelegationStarted"/>.</param>
/// <param name="Duration">How long the delegate took.</param>
/// <param name="Usage">The tokens and cost of the delegate's model calls, those of its own delegations included.</param>
/// <param name="Succeeded">Whether the delegate returned a result.</param>
/// <param name="Error">Why it did not; <see langword="null"/> on success.</param>
public sealed record DelegationCompleted(string RunId, string Step, DateTimeOffset Timestamp, string From, string To, int Depth, TimeSpan Duration, Usage Usage, bool Succeeded, string? Error) : AtlasEvent(RunId, Step, Timestamp)
{
    /// <summary>What the delegate answered, as compact JSON capped at <see cref="EventContent.MaxChars"/>; <see langword="null"/> when it failed.</summary>
    public string? Answer { get; init; }
}

/// <summary>
/// The model of <see cref="Agent"/> called the tool <see cref="Tool"/>; on failure <see cref="Error"/> says why.
/// <see cref="Called"/> is false for a call that was only recorded, never made (the offline mock's call of a tool
/// that is not read-only): then <see cref="Succeeded"/> is false and <see cref="Error"/> says why it was not made.
/// </summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Step">The step the call happened in.</param>
/// <param name="Timestamp">When the call ended.</param>
/// <param name="Agent">The agent whose model asked for the call.</param>
/// <param name="Tool">The tool's name as offered to the model (for an MCP tool, the name its server gives it).</param>
/// <param name="Arguments">The arguments the model gave, as compact JSON shortened to a few hundred characters.</param>
/// <param name="Duration">How long the tool ran.</param>
/// <param name="Succeeded">Whether the tool returned a result; <see langword="false"/> too when its arguments were refused.</param>
/// <param name="Error">Why it did not (what the model was told); <see langword="null"/> on success.</param>
/// <param name="Called">Whether the tool was actually invoked; <see langword="false"/> for a call the offline mock only recorded.</param>
public sealed record ToolCalled(string RunId, string Step, DateTimeOffset Timestamp, string Agent, string Tool, string Arguments, TimeSpan Duration, bool Succeeded, string? Error, bool Called = true) : AtlasEvent(RunId, Step, Timestamp)
{
    /// <summary>What the tool returned, as compact JSON capped at <see cref="EventContent.MaxChars"/>; <see langword="null"/> when it failed.</summary>
    public string? Result { get; init; }
}

/// <summary>A human step asks its question: shown on a terminal, or recorded for <c>atlas runs answer</c> (the run then waits).</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Step">The step that asks.</param>
/// <param name="Timestamp">When it asked.</param>
/// <param name="Human">The <c>human</c> declaration.</param>
/// <param name="Prompt">The rendered question.</param>
public sealed record HumanRequested(string RunId, string Step, DateTimeOffset Timestamp, string Human, string Prompt) : AtlasEvent(RunId, Step, Timestamp);

/// <summary>A human step got a valid answer.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Step">The step that asked.</param>
/// <param name="Timestamp">When the answer was taken.</param>
/// <param name="Human">The <c>human</c> declaration.</param>
/// <param name="Answer">The answer as JSON.</param>
public sealed record HumanAnswered(string RunId, string Step, DateTimeOffset Timestamp, string Human, string Answer) : AtlasEvent(RunId, Step, Timestamp);

/// <summary>A model request was answered from the run store, without a model call and costing nothing.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Step">The step whose agent sent it; <see langword="null"/> outside a step.</param>
/// <param name="Timestamp">When it was answered.</param>
/// <param name="Agent">The agent whose request it was.</param>
/// <param name="Source">
/// <c>cache</c> (<c>cache = true</c>: a reply recorded by any run), <c>resume</c> (the reply this run's earlier attempt got)
/// or <c>replay</c> (<c>--replay RUN</c>).
/// </param>
/// <param name="FromRunId">The run that recorded the reply.</param>
public sealed record CacheHit(string RunId, string? Step, DateTimeOffset Timestamp, string Agent, string Source, string FromRunId) : AtlasEvent(RunId, Step, Timestamp);

/// <summary>
/// A model answered a request of an agent: the messages sent and the reply, each capped at <see cref="EventContent.MaxChars"/>
/// characters, with what it used and how long it took. A reply from the run store is a <see cref="CacheHit"/> instead.
/// </summary>
/// <remarks>The run store keeps the whole request and reply as the run's model call, not this event.</remarks>
/// <param name="RunId">The run's id.</param>
/// <param name="Step">The step whose agent sent it; <see langword="null"/> outside a step.</param>
/// <param name="Timestamp">When the reply came.</param>
/// <param name="Agent">The agent whose request it was.</param>
/// <param name="Model">The route or provider the agent names.</param>
/// <param name="Provider">The provider that answered.</param>
/// <param name="Messages">The messages sent, as JSON: <c>[{"role":"user","contents":[{"text":"..."}]}]</c>.</param>
/// <param name="Reply">The reply's text; for a reply of tool calls only, its messages as JSON.</param>
/// <param name="Usage">Its tokens and cost.</param>
/// <param name="Latency">How long the reply took.</param>
public sealed record ModelCalled(string RunId, string? Step, DateTimeOffset Timestamp, string Agent, string Model, string? Provider, string Messages, string Reply, Usage Usage, TimeSpan Latency) : AtlasEvent(RunId, Step, Timestamp);
