using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>
/// Where runs are recorded as they happen: each run, each completed step (its result checkpointed with its events in one
/// transaction), each finished <c>for</c> item, each model request and reply, each tool call, each human question and
/// answer. It is what history (<c>atlas runs</c>), resume, the response cache and replay read.
/// </summary>
/// <remarks>
/// <para>
/// The runtime redacts secrets before it calls a store: a store writes what it is given. Every write is durable when
/// its task completes (a process killed after that loses nothing of it); a write of a record that exists (the same
/// run, step or item) replaces it. Implementations are thread-safe and may be shared by processes (the SQLite store
/// is); the contract tests in <c>Atlas.Runtime.Tests</c> (<c>RunStoreContract</c>) are what every store must pass.
/// </para>
/// <para>Events are stored without <see cref="TokenEmitted"/>: a reply's text is in its <see cref="ModelCallRecord"/>.</para>
/// </remarks>
public interface IRunStore : IAsyncDisposable
{
    /// <summary>Records a run that starts (or, with the same id, a resumed run that goes on: its status and fields are replaced).</summary>
    Task StartRunAsync(RunRecord run, CancellationToken cancellationToken = default);

    /// <summary>Checkpoints a step: its record and the events it emitted (<paramref name="events"/>), in one transaction.</summary>
    Task CompleteStepAsync(StepRecord step, IReadOnlyList<AtlasEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Records a finished item of a <c>for</c> step.</summary>
    Task CompleteItemAsync(StepItemRecord item, CancellationToken cancellationToken = default);

    /// <summary>Records a model request and its reply; returns the record with its <see cref="ModelCallRecord.Sequence"/>.</summary>
    Task<ModelCallRecord> RecordModelCallAsync(ModelCallRecord call, CancellationToken cancellationToken = default);

    /// <summary>Records a tool call; returns the record with its <see cref="ToolCallRecord.Sequence"/>.</summary>
    Task<ToolCallRecord> RecordToolCallAsync(ToolCallRecord call, CancellationToken cancellationToken = default);

    /// <summary>Records a human step's question (replacing an earlier one of the same run and step, its answer kept).</summary>
    Task RequestHumanAsync(HumanRequestRecord request, CancellationToken cancellationToken = default);

    /// <summary>Records the answer to a human step's question; false when the run has no such question.</summary>
    Task<bool> AnswerHumanAsync(string runId, string step, string answer, DateTimeOffset answeredAt, CancellationToken cancellationToken = default);

    /// <summary>Records how a run ended (or that it waits): its final record and the run-level events, in one transaction.</summary>
    Task EndRunAsync(RunRecord run, IReadOnlyList<AtlasEvent> events, CancellationToken cancellationToken = default);

    /// <summary>A run by id, or by a prefix of its id that only one run has; <see langword="null"/> when none (or several) match.</summary>
    Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>The runs <paramref name="query"/> selects, newest first (a batch's in line order).</summary>
    Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default);

    /// <summary>A run's recorded steps, in the order they completed.</summary>
    Task<IReadOnlyList<StepRecord>> GetStepsAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>The finished items of a run's <c>for</c> step, by item number.</summary>
    Task<IReadOnlyList<StepItemRecord>> GetItemsAsync(string runId, string step, CancellationToken cancellationToken = default);

    /// <summary>A run's model calls, in order.</summary>
    Task<IReadOnlyList<ModelCallRecord>> GetModelCallsAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>A run's tool calls, in order.</summary>
    Task<IReadOnlyList<ToolCallRecord>> GetToolCallsAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>A run's human questions (answered or not).</summary>
    Task<IReadOnlyList<HumanRequestRecord>> GetHumanRequestsAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>A run's events as recorded, in order.</summary>
    Task<IReadOnlyList<AtlasEvent>> GetEventsAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The newest cacheable reply (<see cref="ModelCallRecord.Cacheable"/>: a model's, not a cache hit, so a cached reply
    /// keeps the age of the model's) to the request with <paramref name="requestKey"/>, sent at or after
    /// <paramref name="notBefore"/>, from any run.
    /// </summary>
    Task<ModelCallRecord?> FindModelCallAsync(string requestKey, DateTimeOffset notBefore, CancellationToken cancellationToken = default);

    /// <summary>Deletes the runs (with everything recorded for them) that ended before <paramref name="endedBefore"/>; returns how many.</summary>
    Task<int> PruneAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken = default);
}
