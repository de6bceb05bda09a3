using System;
using System.Text.Json.Serialization;

namespace Atlas.Runtime;

/// <summary>Token usage and cost of one call, one step or one run.</summary>
public readonly record struct Usage(long InputTokens, long OutputTokens, decimal CostUsd)
{
    public static readonly Usage Zero = default;

    public long TotalTokens => InputTokens + OutputTokens;

    public static Usage operator +(Usage a, Usage b) =>
        new(a.InputTokens + b.InputTokens, a.OutputTokens + b.OutputTokens, a.CostUsd + b.CostUsd);
}

/// <summary>
/// Something that happened in a run. Every event carries the run id, the step (null for run-level
/// events) and a timestamp; serialized as JSON lines with a <c>"type"</c> discriminator. Never holds secrets.
/// </summary>
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
public abstract record AtlasEvent(string RunId, string? Step, DateTimeOffset Timestamp);

public sealed record RunStarted(string RunId, string Workflow, DateTimeOffset Timestamp) : AtlasEvent(RunId, null, Timestamp);

public sealed record StepStarted(string RunId, string Step, DateTimeOffset Timestamp) : AtlasEvent(RunId, Step, Timestamp);

/// <summary>A streamed piece of model output.</summary>
public sealed record TokenEmitted(string RunId, string Step, DateTimeOffset Timestamp, string Text) : AtlasEvent(RunId, Step, Timestamp)
{
    /// <summary>
    /// In a <c>for</c> step, which item (1-based) streamed this piece; <see langword="null"/> otherwise.
    /// Items run in parallel, so their pieces arrive interleaved: this is how to tell them apart.
    /// </summary>
    public int? Item { get; init; }
}

public sealed record StepCompleted(string RunId, string Step, DateTimeOffset Timestamp, TimeSpan Duration, Usage Usage) : AtlasEvent(RunId, Step, Timestamp);

public sealed record StepFailed(string RunId, string Step, DateTimeOffset Timestamp, string Error) : AtlasEvent(RunId, Step, Timestamp);

/// <summary>A retry is about to happen after <see cref="Delay"/>; <see cref="Attempt"/> is 1 for the first retry.</summary>
public sealed record RetryScheduled(string RunId, string Step, DateTimeOffset Timestamp, int Attempt, TimeSpan Delay, string Reason) : AtlasEvent(RunId, Step, Timestamp);

/// <summary>A route (or an agent's model) chose a provider, with why.</summary>
public sealed record ProviderSelected(string RunId, string? Step, DateTimeOffset Timestamp, string Provider, string Reason) : AtlasEvent(RunId, Step, Timestamp);

public sealed record RunCompleted(string RunId, DateTimeOffset Timestamp, TimeSpan Duration, Usage Usage, bool Succeeded, string? Error) : AtlasEvent(RunId, null, Timestamp);

/// <summary>
/// An agent handed a sub-task to one of its delegates: who asked whom, with what arguments (compact JSON,
/// shortened to a few hundred characters), and how deep (1 when a step's own agent delegates).
/// </summary>
public sealed record DelegationStarted(string RunId, string Step, DateTimeOffset Timestamp, string From, string To, string Arguments, int Depth) : AtlasEvent(RunId, Step, Timestamp);

/// <summary>
/// A delegation ended: how long it took and what the delegate (with its own delegations) used; on
/// failure (or when it was refused, e.g. beyond <c>max_depth</c>) <see cref="Error"/> says why, and that is what the model was told.
/// </summary>
public sealed record DelegationCompleted(string RunId, string Step, DateTimeOffset Timestamp, string From, string To, int Depth, TimeSpan Duration, Usage Usage, bool Succeeded, string? Error) : AtlasEvent(RunId, Step, Timestamp);

/// <summary>
/// The model of <see cref="Agent"/> called the tool <see cref="Tool"/>; on failure <see cref="Error"/> says why.
/// <see cref="Called"/> is false for a call that was only recorded, never made (the offline mock's call of a tool
/// that is not read-only): then <see cref="Succeeded"/> is false and <see cref="Error"/> says why it was not made.
/// </summary>
public sealed record ToolCalled(string RunId, string Step, DateTimeOffset Timestamp, string Agent, string Tool, string Arguments, TimeSpan Duration, bool Succeeded, string? Error, bool Called = true) : AtlasEvent(RunId, Step, Timestamp);
