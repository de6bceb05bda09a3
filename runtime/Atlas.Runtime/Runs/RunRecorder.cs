using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>
/// One recorded run's link to the run store: it writes the run, each step's checkpoint with the events the step emitted,
/// each <c>for</c> item, model call, tool call and human question, with every text redacted first; and, for a resumed
/// run, it holds what the earlier attempt recorded: which steps to reuse, finished items, model replies, answers.
/// </summary>
/// <remarks>
/// Thread-safe: the steps of a run complete concurrently. Every write is awaited by the step that makes it, so a
/// step's dependents start only once its checkpoint is durable, and a model reply is recorded before it is used.
/// </remarks>
internal sealed class RunRecorder
{
    private readonly object _gate = new();
    private readonly SecretRedactor _secrets;
    private readonly Dictionary<string, List<AtlasEvent>> _stepEvents = new(StringComparer.Ordinal);
    private readonly List<AtlasEvent> _runEvents = [];
    private readonly Dictionary<string, StepRecord> _earlierSteps;
    private readonly HashSet<string> _reusable = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ran = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HumanRequestRecord> _humans;
    private readonly Dictionary<string, Dictionary<int, string>> _items = new(StringComparer.Ordinal);
    private RunRecord _run;
    private Usage _earlierUsage;

    private RunRecorder(IRunStore store, SecretRedactor secrets, RunRecord run, Dictionary<string, StepRecord> earlierSteps, Dictionary<string, HumanRequestRecord> humans, RecordedCalls? calls)
    {
        Store = store;
        _secrets = secrets;
        _run = run;
        _earlierSteps = earlierSteps;
        _humans = humans;
        Calls = calls;
    }

    public IRunStore Store { get; }

    public string RunId => _run.RunId;

    /// <summary>Whether the run continues an earlier attempt of itself (same id): its finished <c>for</c> items are reused.</summary>
    public bool IsContinuation { get; private init; }

    /// <summary>Model and tool calls to answer from: an earlier attempt's (resume) or another run's (replay).</summary>
    public RecordedCalls? Calls { get; }

    /// <summary>
    /// Starts recording a run of <paramref name="workflow"/>: a fresh one, the continuation of <see cref="RunOptions.ResumeRunId"/>
    /// (same id), or a re-run from <see cref="RunOptions.FromStep"/> (new id, linked to its parent).
    /// </summary>
    /// <remarks>
    /// <paramref name="steps"/> are the graph's steps in topological order: name, checkpoint fingerprint (null: never
    /// reused), dependencies.
    /// </remarks>
    /// <exception cref="RunResumeException">The run to resume or replay is not recorded, or cannot be resumed.</exception>
    public static async Task<RunRecorder> StartAsync(
        IRunStore store,
        SecretRedactor secrets,
        TimeProvider time,
        string workflow,
        string fingerprint,
        string? input,
        IReadOnlyList<(string Name, string? Fingerprint, IReadOnlyList<string> DependsOn)> steps,
        RunOptions options,
        CancellationToken cancellationToken)
    {
        var earlierSteps = new Dictionary<string, StepRecord>(StringComparer.Ordinal);
        var humans = new Dictionary<string, HumanRequestRecord>(StringComparer.Ordinal);
        RecordedCalls? calls = null;
        string runId;
        string? parent = null;
        var startedAt = time.GetUtcNow();
        if (options.ResumeRunId is { } resumeId)
        {
            var earlier = await store.GetRunAsync(resumeId, cancellationToken).ConfigureAwait(false)
                ?? throw new RunResumeException($"no run '{resumeId}' is recorded");
            if (earlier.Workflow != workflow)
                throw new RunResumeException($"run {earlier.RunId} is of workflow '{earlier.Workflow}', not '{workflow}'");
            if (options.FromStep is null && earlier.Status == RunStatus.Succeeded)
                throw new RunResumeException($"run {earlier.RunId} already succeeded; re-run it from a step with --from STEP");
            foreach (var step in await store.GetStepsAsync(earlier.RunId, cancellationToken).ConfigureAwait(false))
            {
                if (step.Status == StepStatus.Succeeded) earlierSteps[step.Step] = step;
            }

            if (options.FromStep is { } from)
            {
                if (!steps.Any(s => s.Name == from))
                    throw new RunResumeException($"workflow '{workflow}' has no step '{from}' (steps: {string.Join(", ", steps.Select(s => s.Name))})");
                runId = options.RunId ?? RunContext.NewRunId();
                parent = earlier.RunId;
            }
            else
            {
                // The same run goes on: its earlier attempt's model replies answer the requests it sends again, its answers stand.
                runId = earlier.RunId;
                startedAt = earlier.StartedAt;
                calls = await RecordedCalls.LoadAsync(store, earlier.RunId, strict: false, cancellationToken).ConfigureAwait(false);
                foreach (var human in await store.GetHumanRequestsAsync(earlier.RunId, cancellationToken).ConfigureAwait(false)) humans[human.Step] = human;
            }

            input ??= earlier.Input;
        }
        else
        {
            runId = options.RunId ?? RunContext.NewRunId();
        }

        if (options.ReplayRunId is { } replayId)
        {
            var source = await store.GetRunAsync(replayId, cancellationToken).ConfigureAwait(false)
                ?? throw new RunResumeException($"no run '{replayId}' is recorded to replay");
            calls = await RecordedCalls.LoadAsync(store, source.RunId, strict: true, cancellationToken).ConfigureAwait(false);
        }

        var run = new RunRecord(runId, workflow, fingerprint, input is null ? null : secrets.Redact(input), RunStatus.Running, startedAt, null, Usage.Zero, null)
        {
            ParentRunId = parent,
            Source = options.Source,
            BatchId = options.BatchId,
            BatchLine = options.BatchLine,
        };
        var recorder = new RunRecorder(store, secrets, run, earlierSteps, humans, calls) { IsContinuation = options.ResumeRunId is not null && options.FromStep is null };
        recorder.PlanReuse(steps, options.FromStep);
        await store.StartRunAsync(run, cancellationToken).ConfigureAwait(false);
        return recorder;
    }

    /// <summary>
    /// A step is reused when it succeeded before with the same fingerprint, every step it reads was reused too, and it is
    /// not the <c>--from</c> step or downstream of it: an edited step runs again, and so does everything after it.
    /// </summary>
    private void PlanReuse(IReadOnlyList<(string Name, string? Fingerprint, IReadOnlyList<string> DependsOn)> steps, string? fromStep)
    {
        foreach (var (name, fingerprint, dependsOn) in steps)
        {
            if (name == fromStep || fingerprint is null) continue;
            if (!_earlierSteps.TryGetValue(name, out var earlier) || earlier.Fingerprint != fingerprint || earlier.Result is null) continue;
            if (dependsOn.All(_reusable.Contains)) _reusable.Add(name);
        }
    }

    /// <summary>
    /// The recorded result of <paramref name="step"/> when the resumed run reuses it; null when it runs (it was not planned
    /// for reuse, or a step it reads ran after all).
    /// </summary>
    public StepRecord? Reusable(string step, IReadOnlyList<string> dependsOn)
    {
        lock (_gate)
        {
            if (!_reusable.Contains(step)) return null;
            foreach (var dependency in dependsOn)
            {
                if (_ran.Contains(dependency)) return null;
            }

            return _earlierSteps[step];
        }
    }

    /// <summary>The step runs in this attempt: the steps that read it run too.</summary>
    public void Ran(string step)
    {
        if (_reusable.Count == 0) return; // a fresh run: nothing is reused, nothing to track
        lock (_gate)
        {
            _ran.Add(step);
        }
    }

    /// <summary>Marks a step reused in the store: a continued run keeps what it cost then; a re-run from a step got it free.</summary>
    public Task ReuseStepAsync(StepRecord earlier, CancellationToken cancellationToken)
    {
        var reused = earlier with { RunId = RunId, Reused = true, Usage = RunId == earlier.RunId ? earlier.Usage : Usage.Zero };
        lock (_gate)
        {
            _earlierUsage += reused.Usage;
        }

        return CompleteStepAsync(reused, cancellationToken);
    }

    /// <summary>Records a failed or waiting step; a store that cannot write it does not hide the step's own error.</summary>
    public async Task TryCompleteStepAsync(StepRecord step)
    {
        try
        {
            await CompleteStepAsync(step, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The run's end record still says why the run failed.
        }
    }

    /// <summary>Keeps an event for the write of its step's checkpoint (or of the run's end); tokens are not kept.</summary>
    public void OnEvent(AtlasEvent atlasEvent)
    {
        if (atlasEvent is TokenEmitted) return;
        lock (_gate)
        {
            if (atlasEvent.Step is { } step)
            {
                if (!_stepEvents.TryGetValue(step, out var events)) _stepEvents[step] = events = [];
                events.Add(atlasEvent);
            }
            else
            {
                _runEvents.Add(atlasEvent);
            }
        }
    }

    /// <summary>Checkpoints a step with the events it emitted since its last checkpoint, in one write.</summary>
    public Task CompleteStepAsync(StepRecord step, CancellationToken cancellationToken)
    {
        List<AtlasEvent>? events;
        lock (_gate)
        {
            _stepEvents.Remove(step.Step, out events);
        }

        var redacted = step with { Result = _secrets.RedactOrNull(step.Result), Error = _secrets.RedactOrNull(step.Error) };
        return Store.CompleteStepAsync(redacted, (IReadOnlyList<AtlasEvent>?)events ?? [], cancellationToken);
    }

    /// <summary>The finished items of a <c>for</c> step recorded by an earlier attempt (1-based item number to result JSON).</summary>
    public async Task<IReadOnlyDictionary<int, string>> FinishedItemsAsync(string step, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_items.TryGetValue(step, out var known)) return known;
        }

        var items = (await Store.GetItemsAsync(RunId, step, cancellationToken).ConfigureAwait(false)).ToDictionary(i => i.Item, i => i.Result);
        lock (_gate)
        {
            _items[step] = items;
        }

        return items;
    }

    public Task CompleteItemAsync(string step, int item, string result, CancellationToken cancellationToken) =>
        Store.CompleteItemAsync(new StepItemRecord(RunId, step, item, _secrets.Redact(result)), cancellationToken);

    public Task<ModelCallRecord> RecordModelCallAsync(ModelCallRecord call, CancellationToken cancellationToken) =>
        Store.RecordModelCallAsync(call with { Request = _secrets.Redact(call.Request), Response = _secrets.Redact(call.Response) }, cancellationToken);

    public Task<ToolCallRecord> RecordToolCallAsync(ToolCallRecord call, CancellationToken cancellationToken) =>
        Store.RecordToolCallAsync(call with { Arguments = _secrets.Redact(call.Arguments), Result = _secrets.RedactOrNull(call.Result), Error = _secrets.RedactOrNull(call.Error) }, cancellationToken);

    /// <summary>The question recorded for this step of the run (with its answer once given), or null.</summary>
    public HumanRequestRecord? Human(string step)
    {
        lock (_gate)
        {
            return _humans.GetValueOrDefault(step);
        }
    }

    public async Task RequestHumanAsync(HumanRequestRecord request, CancellationToken cancellationToken)
    {
        request = request with { Prompt = _secrets.Redact(request.Prompt) };
        await Store.RequestHumanAsync(request, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _humans[request.Step] = request;
        }
    }

    public async Task AnswerHumanAsync(string step, string answer, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await Store.AnswerHumanAsync(RunId, step, _secrets.Redact(answer), at, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (_humans.TryGetValue(step, out var request)) _humans[step] = request with { Answer = answer, AnsweredAt = at };
        }
    }

    /// <summary>Writes how the run ended (or that it waits) with its run-level events and the events of steps that never checkpointed.</summary>
    public Task EndAsync(RunStatus status, DateTimeOffset endedAt, Usage usage, string? error, string? output, CancellationToken cancellationToken)
    {
        List<AtlasEvent> events;
        RunRecord run;
        lock (_gate)
        {
            events = [.. _runEvents];
            foreach (var stepEvents in _stepEvents.Values) events.AddRange(stepEvents);
            _runEvents.Clear();
            _stepEvents.Clear();
            _run = run = _run with
            {
                Status = status,
                EndedAt = status == RunStatus.Waiting ? null : endedAt,
                Usage = _earlierUsage + usage,
                Error = _secrets.RedactOrNull(error),
                Output = output is null ? null : _secrets.Redact(output),
            };
        }

        events.Sort(static (a, b) => a.Timestamp.CompareTo(b.Timestamp));
        return Store.EndRunAsync(run, events, cancellationToken);
    }
}

/// <summary>A run cannot be resumed or replayed as asked: there is no store, the run is not recorded, it already succeeded, or it is of another workflow.</summary>
public sealed class RunResumeException : Exception
{
    /// <summary>A message for the user, one line.</summary>
    public RunResumeException(string message)
        : base(message)
    {
    }

    /// <summary>A message for the user, one line, and its cause.</summary>
    public RunResumeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
