namespace Atlas.Runtime;

/// <summary>How one run is recorded and where it starts: a fresh run, a resumed one, a re-run from a step, a replay.</summary>
/// <remarks>Only a runtime with a run store (<see cref="AtlasRuntimeOptions.RunStore"/>) records, resumes and replays.</remarks>
public sealed record RunOptions
{
    /// <summary>The options of a fresh, recorded run.</summary>
    public static readonly RunOptions Default = new();

    /// <summary>
    /// Continue this run (failed, cancelled, waiting, or killed while running): its completed steps and <c>for</c> items
    /// whose plan fingerprint is unchanged are read from the store, the rest run; model requests its earlier attempt
    /// already sent are answered from the store. With <see cref="FromStep"/>, a new run re-runs from that step instead.
    /// </summary>
    public string? ResumeRunId { get; init; }

    /// <summary>The id of a new run (16 hex digits); <see langword="null"/> for a fresh random one. A resumed run keeps its own.</summary>
    public string? RunId { get; init; }

    /// <summary>With <see cref="ResumeRunId"/>: a new run that reuses the steps before this one and re-runs it and everything downstream (time travel).</summary>
    public string? FromStep { get; init; }

    /// <summary>Answer every model call and tool call from this recorded run; a request it did not record fails its step.</summary>
    public string? ReplayRunId { get; init; }

    /// <summary>Whether to record the run (when the runtime has a store); false runs it as if there were none.</summary>
    public bool Record { get; init; } = true;

    /// <summary>Where the workflow came from (file or folder), kept with the run for <c>atlas runs list FILE</c>.</summary>
    public string? Source { get; init; }

    /// <summary>The batch this run is a line of.</summary>
    public string? BatchId { get; init; }

    /// <summary>The run's 1-based line in its batch.</summary>
    public long? BatchLine { get; init; }
}
