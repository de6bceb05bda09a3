namespace Atlas.Runtime;

/// <summary>The outcome of one input pushed through a workflow block: a value, or the error that stopped it.</summary>
/// <typeparam name="T">What the workflow returns.</typeparam>
/// <param name="RunId">The run's id, as its events carry it.</param>
/// <param name="Value">What the workflow returned; <see langword="default"/> when the run failed.</param>
/// <param name="Error">Why the run failed (<c>step 'name' failed: why</c>); <see langword="null"/> when it succeeded.</param>
public sealed record WorkflowResult<T>(string RunId, T? Value, string? Error)
{
    /// <summary>Whether the run succeeded, so that <see cref="Value"/> holds its result.</summary>
    public bool Succeeded => Error is null;
}
