namespace Atlas.Runtime;

/// <summary>The outcome of one input pushed through a workflow block: a value, or the error that stopped it.</summary>
/// <typeparam name="T">What the workflow returns.</typeparam>
/// <param name="RunId">The run's id, as its events carry it.</param>
/// <param name="Value">What the workflow returned; <see langword="default"/> when the run failed.</param>
/// <param name="Error">Why the run failed (<c>step 'name' failed: why</c>); <see langword="null"/> when it succeeded.</param>
public sealed record WorkflowResult<T>(string RunId, T? Value, string? Error)
{
    // A stream's result names its run, but a run nobody observed has no id yet: it is made when first read, not for
    // every input of a stream whose reader never asks.
    private readonly RunContext? _run;
    private string? _runId = RunId;

    internal WorkflowResult(RunContext run, T? value, string? error)
        : this(RunId: null!, value, error)
    {
        _run = run;
    }

    /// <summary>The run's id, as its events carry it.</summary>
    public string RunId
    {
        get => _runId ??= _run!.RunId;
        init => _runId = value;
    }

    /// <summary>Whether the run succeeded, so that <see cref="Value"/> holds its result.</summary>
    public bool Succeeded => Error is null;

    /// <summary>
    /// The human step the run waits at (status <see cref="RunStatus.Waiting"/>), when that is why it has no result:
    /// answer it (<see cref="IRunStore.AnswerHumanAsync"/>) and resume the run.
    /// </summary>
    public HumanInputRequiredException? Waiting { get; init; }

    /// <inheritdoc/>
    public bool Equals(WorkflowResult<T>? other) =>
        other is not null && RunId == other.RunId && System.Collections.Generic.EqualityComparer<T?>.Default.Equals(Value, other.Value) && Error == other.Error;

    /// <inheritdoc/>
    public override int GetHashCode() => System.HashCode.Combine(RunId, Value, Error);
}
