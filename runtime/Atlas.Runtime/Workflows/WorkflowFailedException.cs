using System;

namespace Atlas.Runtime;

/// <summary>A workflow run failed; <see cref="Step"/> is where.</summary>
/// <remarks>Thrown by <see cref="AtlasRuntime.RunAsync{TState, TResult}(WorkflowGraph{TState}, TState, Func{TState, TResult}, System.Threading.CancellationToken)"/> and <see cref="StepContext.RunWorkflowAsync"/>; the message says which workflow, which step and why.</remarks>
public sealed class WorkflowFailedException : Exception
{
    /// <summary>Creates the exception for a failed run.</summary>
    /// <param name="runId">The failed run's id.</param>
    /// <param name="step">The step that failed; <see langword="null"/> when no step did (the run as a whole failed).</param>
    /// <param name="message">The workflow, the step and why, in one line.</param>
    /// <param name="inner">The step's exception.</param>
    public WorkflowFailedException(string runId, string? step, string message, Exception? inner = null)
        : base(message, inner)
    {
        RunId = runId;
        Step = step;
    }

    /// <summary>The failed run's id, as its events carry it.</summary>
    public string RunId { get; }

    /// <summary>The step that failed (<c>input</c> or <c>return</c> for those phases); <see langword="null"/> when no step did.</summary>
    public string? Step { get; }
}
