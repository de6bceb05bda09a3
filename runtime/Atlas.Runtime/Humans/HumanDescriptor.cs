using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>
/// A <c>human</c> declaration: typed like an agent, answered by a person. A step calls it like an agent; the runtime
/// renders <see cref="Prompt"/>, asks the host's <see cref="IHumanInput"/> (or, with none, records the question and the
/// run waits), and validates the answer against <see cref="ResultSchema"/>.
/// </summary>
/// <param name="Name">The declared name.</param>
/// <param name="Parameters">Its parameters, in declared order; the prompt reads them.</param>
/// <param name="ResultTypeName">The Atlas type of the answer (<c>bool</c>, an enum, a record, <c>string</c>...).</param>
/// <param name="ResultSchema">The JSON schema the answer is validated against; <see langword="null"/> for <c>string</c>.</param>
/// <param name="Prompt">The question, rendered from the arguments.</param>
/// <param name="Timeout">After it, an unanswered question fails the step; <see langword="null"/> for no limit.</param>
public sealed record HumanDescriptor(
    string Name,
    IReadOnlyList<ParameterDescriptor> Parameters,
    string ResultTypeName,
    string? ResultSchema,
    PromptTemplate Prompt,
    TimeSpan? Timeout = null);

/// <summary>A question for a person, as <see cref="IHumanInput"/> gets it.</summary>
/// <param name="RunId">The run that asks.</param>
/// <param name="Step">The step that asks (<c>#N</c> appended for the N-th item of a <c>for</c>).</param>
/// <param name="Human">The <c>human</c> declaration.</param>
/// <param name="Prompt">The rendered question.</param>
/// <param name="ResultTypeName">The Atlas type the answer must have.</param>
/// <param name="ResultSchema">The JSON schema of that type; <see langword="null"/> for <c>string</c>.</param>
/// <param name="Problem">What was wrong with the previous answer to this question; <see langword="null"/> the first time.</param>
public sealed record HumanQuestion(string RunId, string Step, string Human, string Prompt, string ResultTypeName, string? ResultSchema, string? Problem = null);

/// <summary>How a host answers human steps: a terminal prompt, a web form, a chat message.</summary>
/// <remarks>
/// Without one (or when it returns <see langword="null"/>), the question is recorded in the run store and the run stops
/// in status <see cref="RunStatus.Waiting"/>; the answer is given later (<c>atlas runs answer</c>) and the run resumed.
/// An answer that is not valid for the result type is asked again with <see cref="HumanQuestion.Problem"/> set.
/// </remarks>
public interface IHumanInput
{
    /// <summary>Asks <paramref name="question"/>; returns the answer as JSON, or <see langword="null"/> to let the run wait for it.</summary>
    Task<string?> AskAsync(HumanQuestion question, CancellationToken cancellationToken);
}

/// <summary>A human step has no answer yet: the run stops in status <see cref="RunStatus.Waiting"/> until it is answered.</summary>
public sealed class HumanInputRequiredException : Exception
{
    /// <summary>A step of run <paramref name="runId"/> waits for <paramref name="human"/>'s answer.</summary>
    public HumanInputRequiredException(string runId, string step, string human)
        : base($"step '{step}' waits for an answer from '{human}'")
    {
        RunId = runId;
        Step = step;
        Human = human;
    }

    /// <summary>The run that waits.</summary>
    public string RunId { get; }

    /// <summary>The step that waits.</summary>
    public string Step { get; }

    /// <summary>The <c>human</c> declaration it waits for.</summary>
    public string Human { get; }
}
