using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Cli.Display;
using Atlas.Runtime;

namespace Atlas.Cli.Runs;

/// <summary>Everything <c>atlas runs show</c> prints of a run, read from its store once.</summary>
internal sealed record RunDetails(
    RunRecord Run,
    IReadOnlyList<StepRecord> Steps,
    IReadOnlyList<ModelCallRecord> ModelCalls,
    IReadOnlyList<ToolCallRecord> ToolCalls,
    IReadOnlyList<HumanRequestRecord> Questions)
{
    public static async Task<RunDetails> ReadAsync(IRunStore store, RunRecord run, CancellationToken cancellationToken) =>
        new(
            run,
            await store.GetStepsAsync(run.RunId, cancellationToken).ConfigureAwait(false),
            await store.GetModelCallsAsync(run.RunId, cancellationToken).ConfigureAwait(false),
            await store.GetToolCallsAsync(run.RunId, cancellationToken).ConfigureAwait(false),
            await store.GetHumanRequestsAsync(run.RunId, cancellationToken).ConfigureAwait(false));

    public JsonObject ToJson() => new()
    {
        ["run"] = RunJson.Run(Run),
        ["steps"] = new JsonArray(Steps.Select(s => (JsonNode)RunJson.Step(s, CallsOf(ModelCalls, s.Step), CallsOf(ToolCalls, s.Step))).ToArray()),
        ["questions"] = new JsonArray(Questions.Select(q => (JsonNode)RunJson.Question(q)).ToArray()),
        ["model_calls"] = new JsonArray(ModelCalls.Select(c => (JsonNode)RunJson.ModelCall(c)).ToArray()),
        ["tool_calls"] = new JsonArray(ToolCalls.Select(c => (JsonNode)RunJson.ToolCall(c)).ToArray()),
    };

    /// <summary>The run's header, a table of its steps, then its questions and their answers.</summary>
    public void Write(TextWriter output)
    {
        var run = Run;
        output.WriteLine($"run {run.RunId}: workflow {run.Workflow}, {Spellings.Status(run.Status)}");
        var header = new List<(string, string)>
        {
            ("fingerprint", run.Fingerprint),
            ("started", RunText.When(run.StartedAt) + run.Status switch
            {
                RunStatus.Running => ", not ended (running, or its process was stopped: resume it)",
                RunStatus.Waiting => ", waiting for an answer",
                _ => run.EndedAt is { } ended ? $", took {RunProgress.Duration(ended - run.StartedAt)}" : "",
            }),
            ("usage", RunProgress.Usage(run.Usage)),
            ("input", RunJson.Summary(run.Input)),
        };
        if (run.Output is not null) header.Add(("output", RunJson.Summary(run.Output)));
        if (run.Error is not null) header.Add(("error", run.Error));
        if (run.Source is not null) header.Add(("source", run.Source));
        if (RunText.Origin(run) is { Length: > 0 } origin) header.Add(("from", origin));
        var width = header.Max(h => h.Item1.Length);
        foreach (var (name, value) in header) output.WriteLine($"  {name.PadRight(width)}  {value}");

        output.WriteLine();
        if (Steps.Count == 0)
        {
            output.WriteLine("no steps recorded");
        }
        else
        {
            var rows = new List<IReadOnlyList<string>> { new[] { "step", "status", "reused", "attempts", "duration", "tokens", "cost", "model calls", "tool calls" } };
            foreach (var step in Steps)
            {
                rows.Add(
                [
                    step.Step, Spellings.Status(step.Status), step.Reused ? "yes" : "no", step.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    RunProgress.Duration(step.Duration), RunProgress.Tokens(step.Usage.TotalTokens), RunProgress.Cost(step.Usage.CostUsd),
                    CallsOf(ModelCalls, step.Step).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    CallsOf(ToolCalls, step.Step).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ]);
            }

            TextTable.Write(output, rows);
        }

        var outside = (Model: CallsOf(ModelCalls, null), Tool: CallsOf(ToolCalls, null));
        if (outside != (0, 0)) output.WriteLine($"outside any step: {RunText.Count(outside.Model, "model call")}, {RunText.Count(outside.Tool, "tool call")}");
        foreach (var step in Steps.Where(s => s.Error is not null)) output.WriteLine($"{step.Step} failed: {step.Error}");

        if (Questions.Count == 0) return;
        output.WriteLine();
        output.WriteLine("questions:");
        foreach (var question in Questions)
        {
            output.WriteLine($"  {question.Step}: {question.Human} asks ({question.ResultTypeName}) {JsonText.OneLine(question.Prompt)}");
            output.WriteLine(question.Answer is { } answer
                ? $"    answered {answer}" + (question.AnsweredAt is { } at ? " at " + RunText.When(at) : "")
                : $"    unanswered{(question.ExpiresAt is { } expires ? " (times out at " + RunText.When(expires) + ")" : "")}: atlas runs answer {run.RunId} {question.Step} --value VALUE");
        }
    }

    private static int CallsOf(IEnumerable<ModelCallRecord> calls, string? step) => calls.Count(c => c.Step == step);

    private static int CallsOf(IEnumerable<ToolCallRecord> calls, string? step) => calls.Count(c => c.Step == step);
}
