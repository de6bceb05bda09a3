using System;
using System.Threading;

namespace Atlas.Runtime;

/// <summary>
/// What one run owns: its id, where its events go, its usage totals and its first failure.
/// Every step execution of the run gets a <see cref="StepContext"/> pointing here; nothing in it
/// is shared with another run. Thread-safe: steps of one run execute concurrently.
/// </summary>
internal sealed class RunContext
{
    private readonly Action<AtlasEvent>? _onEvent;
    private Usage _usage;
    private RunFailure? _failure;
    private string? _runId;

    public RunContext(AtlasRuntime runtime, string workflow, Action<AtlasEvent>? onEvent, string? runId = null)
    {
        Runtime = runtime;
        Workflow = workflow;
        _onEvent = onEvent;
        _runId = runId;
        StartedAt = runtime.TimeProvider.GetTimestamp();
    }

    public AtlasRuntime Runtime { get; }

    public string RunId
    {
        get
        {
            // Made on first use: a run nobody observes and that succeeds never needs one.
            var runId = Volatile.Read(ref _runId);
            if (runId is not null) return runId;
            Interlocked.CompareExchange(ref _runId, NewRunId(), null);
            return _runId!;
        }
    }

    public string Workflow { get; }

    public long StartedAt { get; }

    public DateTimeOffset Now => Runtime.TimeProvider.GetUtcNow();

    public TimeSpan Elapsed => Runtime.TimeProvider.GetElapsedTime(StartedAt);

    public bool IsFailed => Volatile.Read(ref _failure) is not null;

    /// <summary>Whether anyone receives this run's events (an observer or the run store): if not, hot paths skip building them.</summary>
    public bool Observed => _onEvent is not null || Recorder is not null;

    /// <summary>Where the run is recorded; <see langword="null"/> for a run that is not.</summary>
    public RunRecorder? Recorder { get; init; }

    public RunFailure? Failure => Volatile.Read(ref _failure);

    public Usage Usage
    {
        get
        {
            lock (this) // internal type: nothing else can take this lock
            {
                return _usage;
            }
        }
    }

    /// <summary>The workflow's <c>budget</c>, checked by <see cref="CheckBudget"/>; null for no limit.</summary>
    public BudgetDescriptor? Budget { get; init; }

    /// <summary>Throws <see cref="BudgetExceededException"/> once the run has spent more than its workflow's budget.</summary>
    public void CheckBudget()
    {
        // Checked after every model call: nothing is read or formatted unless there is a budget.
        if (Budget is { } budget && BudgetExceededException.Check($"workflow '{Workflow}'", budget, Usage, this) is { } exceeded)
        {
            throw exceeded;
        }
    }

    // A random start per process, then a counter through a bijective mix: no two ids of one process are alike, and
    // ids of different processes are as unlikely to meet as random ones, for a few nanoseconds instead of a GUID.
    private static long s_runIds = BitConverter.ToInt64(Guid.NewGuid().ToByteArray(), 0);

    /// <summary>16 hex digits (64 bits): short enough to read in a log, never repeated within a process, random across processes.</summary>
    public static string NewRunId()
    {
        var mixed = Mix((ulong)Interlocked.Increment(ref s_runIds));
        return string.Create(16, mixed, static (digits, value) =>
        {
            for (var i = digits.Length - 1; i >= 0; i--, value >>= 4) digits[i] = "0123456789abcdef"[(int)(value & 0xF)];
        });
    }

    // SplitMix64's finalizer: a bijection on 64 bits whose outputs look random for consecutive inputs.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public void AddUsage(Usage usage)
    {
        lock (this) // internal type: nothing else can take this lock
        {
            _usage += usage;
        }
    }

    /// <summary>Records the run's first failure; later ones (from concurrent steps) are not the cause.</summary>
    public bool Fail(string? step, Exception error)
    {
        var failure = new RunFailure(step, Runtime.Secrets.Redact(Describe(error)), error);
        return Interlocked.CompareExchange(ref _failure, failure, null) is null;
    }

    public void Emit(AtlasEvent atlasEvent)
    {
        if (!Observed)
        {
            return;
        }

        atlasEvent = EventContent.Capped(Redact(atlasEvent));
        Recorder?.OnEvent(atlasEvent);
        if (_onEvent is null)
        {
            return;
        }

        try
        {
            _onEvent(atlasEvent);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // An observer's bug must not change the run's outcome; events are best effort for observers.
        }
    }

    /// <summary>The last line of defence: no API key leaves in an event, whatever put it in the text.</summary>
    private AtlasEvent Redact(AtlasEvent atlasEvent)
    {
        var secrets = Runtime.Secrets;
        if (secrets.IsEmpty)
        {
            return atlasEvent;
        }

        return atlasEvent switch
        {
            StepFailed e when secrets.Contains(e.Error) => e with { Error = secrets.Redact(e.Error) },
            RetryScheduled e when secrets.Contains(e.Reason) => e with { Reason = secrets.Redact(e.Reason) },
            ProviderSelected e when secrets.Contains(e.Reason) => e with { Reason = secrets.Redact(e.Reason) },
            RunCompleted e when secrets.Contains(e.Error) => e with { Error = secrets.RedactOrNull(e.Error) },
            TokenEmitted e when secrets.Contains(e.Text) => e with { Text = secrets.Redact(e.Text) },
            DelegationStarted e when secrets.Contains(e.Arguments) => e with { Arguments = secrets.Redact(e.Arguments) },
            DelegationCompleted e when secrets.Contains(e.Error) || secrets.Contains(e.Answer) => e with { Error = secrets.RedactOrNull(e.Error), Answer = secrets.RedactOrNull(e.Answer) },
            ToolCalled e when secrets.Contains(e.Arguments) || secrets.Contains(e.Error) || secrets.Contains(e.Result) =>
                e with { Arguments = secrets.Redact(e.Arguments), Error = secrets.RedactOrNull(e.Error), Result = secrets.RedactOrNull(e.Result) },
            ModelCalled e when secrets.Contains(e.Messages) || secrets.Contains(e.Reply) => e with { Messages = secrets.Redact(e.Messages), Reply = secrets.Redact(e.Reply) },
            _ => atlasEvent,
        };
    }

    internal static string Describe(Exception error) => error switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Describe(aggregate.InnerExceptions[0]),
        Polly.Timeout.TimeoutRejectedException timeout => $"timed out after {Durations.Format(timeout.Timeout)}",
        Polly.CircuitBreaker.BrokenCircuitException => "its circuit is open after repeated failures",
        _ => error.Message,
    };
}

internal sealed record RunFailure(string? Step, string Error, Exception Exception)
{
    /// <summary>Not a failure: a human step waits for its answer, and the run stops in status waiting.</summary>
    public bool IsWaiting => Exception is HumanInputRequiredException;
}
