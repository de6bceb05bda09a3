namespace Atlas.Runtime;

/// <summary>The outcome of one input pushed through a workflow block: a value, or the error that stopped it.</summary>
public sealed record WorkflowResult<T>(string RunId, T? Value, string? Error)
{
    public bool Succeeded => Error is null;
}
