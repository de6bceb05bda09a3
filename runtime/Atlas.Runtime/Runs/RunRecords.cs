using System;

namespace Atlas.Runtime;

/// <summary>Where a recorded run stands.</summary>
public enum RunStatus
{
    /// <summary>Started and not ended: running now, or its process was killed (resume it).</summary>
    Running,

    /// <summary>Every step ran and the return was computed.</summary>
    Succeeded,

    /// <summary>A step (or the return) failed.</summary>
    Failed,

    /// <summary>A human step waits for its answer (<c>atlas runs answer</c>, then resume).</summary>
    Waiting,

    /// <summary>Stopped by its caller (Ctrl+C, SIGTERM, a cancelled token).</summary>
    Cancelled,
}

/// <summary>Where a recorded step stands.</summary>
public enum StepStatus
{
    /// <summary>It ran (or was reused) and its result is in <see cref="StepRecord.Result"/>.</summary>
    Succeeded,

    /// <summary>It failed; <see cref="StepRecord.Error"/> says why.</summary>
    Failed,

    /// <summary>It waits for a human's answer.</summary>
    Waiting,
}

/// <summary>One run of a workflow, as the run store keeps it.</summary>
/// <param name="RunId">The run's id (16 hex digits), as its events carry it.</param>
/// <param name="Workflow">The workflow's declared name.</param>
/// <param name="Fingerprint">The workflow plan's fingerprint when the run started.</param>
/// <param name="Input">The input as JSON: with one parameter its value, with several an object keyed by parameter name.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="StartedAt">When it started (UTC).</param>
/// <param name="EndedAt">When it ended; <see langword="null"/> while running or waiting.</param>
/// <param name="Usage">Tokens and cost of its model calls (cache hits and reused steps cost nothing).</param>
/// <param name="Error">Why it failed; <see langword="null"/> otherwise.</param>
public sealed record RunRecord(
    string RunId,
    string Workflow,
    string Fingerprint,
    string? Input,
    RunStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    Usage Usage,
    string? Error)
{
    /// <summary>The workflow's result as JSON once it succeeded.</summary>
    public string? Output { get; init; }

    /// <summary>The run this one re-runs from a step (<c>--resume RUN --from STEP</c>); <see langword="null"/> for a first run.</summary>
    public string? ParentRunId { get; init; }

    /// <summary>Where the workflow came from (the .atlas file or folder, or the host's name), for <c>atlas runs list FILE</c>.</summary>
    public string? Source { get; init; }

    /// <summary>The batch the run is a line of (<c>atlas run --batch</c>); <see langword="null"/> for a single run.</summary>
    public string? BatchId { get; init; }

    /// <summary>The run's 1-based line in its batch's input.</summary>
    public long? BatchLine { get; init; }
}

/// <summary>One step of a recorded run, checkpointed when it completes (with the events it emitted, in one transaction).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The step's declared name.</param>
/// <param name="Fingerprint">The step's plan fingerprint: resuming reuses the step only while it is unchanged.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="Result">Its result as JSON (as declared) once it succeeded.</param>
/// <param name="Attempts">How many times its body ran (1 plus its retries).</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="Duration">How long it took.</param>
/// <param name="Usage">Tokens and cost of its model calls.</param>
/// <param name="Error">Why it failed; <see langword="null"/> otherwise.</param>
public sealed record StepRecord(
    string RunId,
    string Step,
    string Fingerprint,
    StepStatus Status,
    string? Result,
    int Attempts,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    Usage Usage,
    string? Error)
{
    /// <summary>Whether a resume took the result from an earlier attempt of the run instead of running the step.</summary>
    public bool Reused { get; init; }
}

/// <summary>One finished item of a <c>for</c> step: a resumed run does not run it again.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The <c>for</c> step.</param>
/// <param name="Item">The item's 1-based number in the list.</param>
/// <param name="Result">What the loop's body made of it, as JSON.</param>
public sealed record StepItemRecord(string RunId, string Step, int Item, string Result);

/// <summary>One model request of a run and its reply, after the secrets in them were redacted.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The step that sent it; <see langword="null"/> outside a step.</param>
/// <param name="Agent">The agent whose call sent it.</param>
/// <param name="Model">The route or provider the agent names.</param>
/// <param name="Provider">The provider that answered; <see langword="null"/> when the answer came from the cache or a replay.</param>
/// <param name="ModelId">The model that answered, as the provider reported it.</param>
/// <param name="RequestKey">The SHA-256 (hex) of the request's canonical JSON: the same key for the same request.</param>
/// <param name="Request">The request as JSON: <c>{"messages": [...], "options": {...}}</c> (options with the schema and tools).</param>
/// <param name="Response">The reply as JSON: <c>{"messages": [...], "finish_reason": ...}</c> (text, tool calls).</param>
/// <param name="Usage">Its tokens and cost (0 for a cache hit).</param>
/// <param name="Latency">How long the reply took.</param>
/// <param name="At">When it was sent.</param>
public sealed record ModelCallRecord(
    string RunId,
    string? Step,
    string Agent,
    string Model,
    string? Provider,
    string? ModelId,
    string RequestKey,
    string Request,
    string Response,
    Usage Usage,
    TimeSpan Latency,
    DateTimeOffset At)
{
    /// <summary>The position of the call among its run's model calls (1-based), as the store numbered it.</summary>
    public long Sequence { get; init; }

    /// <summary>Whether the cache (<c>cache = true</c>) answered it without a model call.</summary>
    public bool CacheHit { get; init; }

    /// <summary>
    /// Whether its reply may answer a later identical request (<see cref="IRunStore.FindModelCallAsync"/>): a model's reply
    /// to an agent or route with <c>cache</c> on. Only these are found by the cache; a cache hit never is (a store reads it back false).
    /// </summary>
    public bool Cacheable { get; init; }
}

/// <summary>One tool call of a run, after the secrets in it were redacted.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The step whose agent called it.</param>
/// <param name="Agent">The agent that called it.</param>
/// <param name="Tool">The tool.</param>
/// <param name="Arguments">Its arguments as JSON.</param>
/// <param name="Result">What it returned as JSON; <see langword="null"/> when it failed.</param>
/// <param name="Error">Why it failed; <see langword="null"/> when it succeeded.</param>
/// <param name="Duration">How long it took.</param>
/// <param name="At">When it was called.</param>
public sealed record ToolCallRecord(
    string RunId,
    string? Step,
    string Agent,
    string Tool,
    string Arguments,
    string? Result,
    string? Error,
    TimeSpan Duration,
    DateTimeOffset At)
{
    /// <summary>The position of the call among its run's tool calls (1-based), as the store numbered it.</summary>
    public long Sequence { get; init; }
}

/// <summary>A human step's question, and its answer once given.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The step that asks (with <c>#N</c> for the N-th item of a <c>for</c>).</param>
/// <param name="Human">The <c>human</c> declaration.</param>
/// <param name="Prompt">The rendered question.</param>
/// <param name="ResultTypeName">The Atlas type the answer must have.</param>
/// <param name="ResultSchema">The JSON schema of that type; <see langword="null"/> for <c>string</c>.</param>
/// <param name="RequestedAt">When it was asked.</param>
public sealed record HumanRequestRecord(
    string RunId,
    string Step,
    string Human,
    string Prompt,
    string ResultTypeName,
    string? ResultSchema,
    DateTimeOffset RequestedAt)
{
    /// <summary>The answer as JSON, valid for <see cref="ResultTypeName"/>; <see langword="null"/> while unanswered.</summary>
    public string? Answer { get; init; }

    /// <summary>When it was answered.</summary>
    public DateTimeOffset? AnsweredAt { get; init; }

    /// <summary>When an unanswered request times out (the human's <c>timeout</c>); <see langword="null"/> for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>Which runs <see cref="IRunStore.ListRunsAsync"/> returns, newest first.</summary>
/// <param name="Workflow">Only runs of this workflow.</param>
/// <param name="Status">Only runs in this status.</param>
/// <param name="Since">Only runs started at or after this.</param>
/// <param name="Source">Only runs whose <see cref="RunRecord.Source"/> is this.</param>
/// <param name="BatchId">Only the lines of this batch (then in line order).</param>
/// <param name="Limit">At most so many.</param>
public sealed record RunQuery(
    string? Workflow = null,
    RunStatus? Status = null,
    DateTimeOffset? Since = null,
    string? Source = null,
    string? BatchId = null,
    int Limit = 100);
