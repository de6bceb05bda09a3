using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>
/// Answers human steps (see <see cref="AtlasRuntime.AskHumanAsync"/>): from the answer recorded for the step, from the
/// host's <see cref="IHumanInput"/> (asked again while the answer is invalid), or, with neither, by recording the question
/// and stopping the run in status waiting. Thread-safe.
/// </summary>
internal sealed class HumanRunner(AtlasRuntime runtime, IHumanInput? input)
{
    public async Task<JsonNode?> AskAsync(HumanDescriptor human, IReadOnlyDictionary<string, JsonNode?> arguments, StepContext? step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(human);
        ArgumentNullException.ThrowIfNull(arguments);
        var prompt = runtime.Secrets.Redact(human.Prompt.Render(arguments));
        var key = step?.QuestionKey ?? human.Name;
        var recorder = step?.Run.Recorder;
        var runId = step?.RunId ?? "";
        var time = runtime.TimeProvider;
        var recorded = recorder?.Human(key);
        if (recorded?.Answer is { } answer)
        {
            if (!HumanAnswers.TryRead(answer, human.ResultTypeName, human.ResultSchema, out var value, out var problem))
                throw new InvalidOperationException($"the answer recorded for step '{key}' is not a valid {human.ResultTypeName}: {problem}");
            Answered(step, key, human, value);
            return value;
        }

        if (recorded?.ExpiresAt is { } expires && time.GetUtcNow() >= expires)
        {
            throw new TimeoutException($"'{human.Name}' was not answered within {Durations.Format(human.Timeout!.Value)}");
        }

        if (step is { Observed: true }) step.Emit(new HumanRequested(runId, step.Step, step.Run.Now, human.Name, prompt));
        var question = new HumanQuestion(runId, key, human.Name, prompt, human.ResultTypeName, human.ResultSchema);
        var request = new HumanRequestRecord(runId, key, human.Name, prompt, human.ResultTypeName, human.ResultSchema, time.GetUtcNow())
        {
            ExpiresAt = recorded?.ExpiresAt ?? (human.Timeout is { } expiry ? time.GetUtcNow() + expiry : null),
        };
        if (input is not null)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (human.Timeout is { } timeout) limit.CancelAfter(timeout);
            while (true)
            {
                string? text;
                try
                {
                    text = await input.AskAsync(question, limit.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"'{human.Name}' was not answered within {Durations.Format(human.Timeout!.Value)}");
                }

                if (text is null) break;
                if (HumanAnswers.TryRead(text, human.ResultTypeName, human.ResultSchema, out var value, out var problem))
                {
                    if (recorder is not null)
                    {
                        await recorder.RequestHumanAsync(request, cancellationToken).ConfigureAwait(false);
                        await recorder.AnswerHumanAsync(key, value?.ToJsonString() ?? "null", time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                    }

                    Answered(step, key, human, value);
                    return value;
                }

                question = question with { Problem = problem };
            }
        }

        if (recorder is null)
        {
            throw new InvalidOperationException(
                $"'{human.Name}' has no one to answer it: the runtime needs an IHumanInput (AtlasRuntimeOptions.HumanInput), or a run store for the run to wait in");
        }

        if (recorded is null) await recorder.RequestHumanAsync(request, cancellationToken).ConfigureAwait(false);
        throw new HumanInputRequiredException(runId, key, human.Name);
    }

    private static void Answered(StepContext? step, string key, HumanDescriptor human, JsonNode? value)
    {
        if (step is { Observed: true }) step.Emit(new HumanAnswered(step.RunId, step.Step, step.Run.Now, human.Name, value?.ToJsonString() ?? "null"));
    }
}
