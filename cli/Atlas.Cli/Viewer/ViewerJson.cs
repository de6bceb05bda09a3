using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atlas.Cli.Display;
using Atlas.Cli.Runs;
using Atlas.Runtime;

namespace Atlas.Cli.Viewer;

/// <summary>
/// What the viewer's <c>/api/…</c> endpoints answer: recorded runs as JSON for the page, times in milliseconds from the
/// run's start, recorded JSON cut to <see cref="PreviewLength"/> characters where many are listed (the full text has an
/// endpoint of its own).
/// </summary>
internal static class ViewerJson
{
    /// <summary>How much of a recorded value a list or the run page shows before "show all".</summary>
    public const int PreviewLength = 2000;

    public static JsonObject RunRow(RunRecord run) => Object(
        ("run_id", run.RunId),
        ("workflow", run.Workflow),
        ("status", Spellings.Status(run.Status)),
        ("started_at", JsonValue.Create(run.StartedAt)),
        ("duration_ms", run.EndedAt is { } ended ? Milliseconds(ended - run.StartedAt) : null),
        ("tokens", JsonValue.Create(run.Usage.TotalTokens)),
        ("cost_usd", JsonValue.Create(run.Usage.CostUsd)),
        ("input", RunJson.Summary(run.Input)),
        ("error", run.Error is null ? null : Preview(run.Error, 300)),
        ("origin", RunText.Origin(run) is { Length: > 0 } origin ? origin : null),
        ("batch_id", run.BatchId));

    public static JsonObject RunHeader(RunRecord run) => Object(
        ("run_id", run.RunId),
        ("workflow", run.Workflow),
        ("status", Spellings.Status(run.Status)),
        ("started_at", JsonValue.Create(run.StartedAt)),
        ("ended_at", run.EndedAt is { } end ? JsonValue.Create(end) : null),
        ("duration_ms", run.EndedAt is { } ended ? Milliseconds(ended - run.StartedAt) : null),
        ("tokens", JsonValue.Create(run.Usage.TotalTokens)),
        ("input_tokens", JsonValue.Create(run.Usage.InputTokens)),
        ("output_tokens", JsonValue.Create(run.Usage.OutputTokens)),
        ("cost_usd", JsonValue.Create(run.Usage.CostUsd)),
        ("input", Value(run.Input)),
        ("output", Value(run.Output)),
        ("error", run.Error),
        ("source", run.Source),
        ("origin", RunText.Origin(run) is { Length: > 0 } origin ? origin : null),
        ("parent_run_id", run.ParentRunId),
        ("batch_id", run.BatchId));

    public static JsonObject Step(RunRecord run, StepRecord step) => Object(
        ("step", step.Step),
        ("status", Spellings.Status(step.Status)),
        ("reused", JsonValue.Create(step.Reused)),
        ("attempts", JsonValue.Create(step.Attempts)),
        ("start_ms", Milliseconds(step.StartedAt - run.StartedAt)),
        ("duration_ms", Milliseconds(step.Duration)),
        ("tokens", JsonValue.Create(step.Usage.TotalTokens)),
        ("cost_usd", JsonValue.Create(step.Usage.CostUsd)),
        ("output", Value(step.Result)),
        ("error", step.Error));

    public static JsonObject ModelCall(RunRecord run, ModelCallRecord call) => Object(
        ("sequence", JsonValue.Create(call.Sequence)),
        ("step", call.Step),
        ("agent", call.Agent),
        ("model", call.Model),
        ("provider", call.Provider),
        ("model_id", call.ModelId),
        ("cache_hit", JsonValue.Create(call.CacheHit)),
        ("start_ms", Milliseconds(call.At - run.StartedAt)),
        ("duration_ms", Milliseconds(call.Latency)),
        ("tokens", JsonValue.Create(call.Usage.TotalTokens)),
        ("cost_usd", JsonValue.Create(call.Usage.CostUsd)));

    public static JsonObject ToolCall(RunRecord run, ToolCallRecord call) => Object(
        ("sequence", JsonValue.Create(call.Sequence)),
        ("step", call.Step),
        ("agent", call.Agent),
        ("tool", call.Tool),
        ("start_ms", Milliseconds(call.At - run.StartedAt)),
        ("duration_ms", Milliseconds(call.Duration)),
        ("arguments", Value(call.Arguments)),
        ("result", Value(call.Result)),
        ("error", call.Error));

    public static JsonObject Retry(RunRecord run, RetryScheduled retry) => Object(
        ("step", retry.Step),
        ("attempt", JsonValue.Create(retry.Attempt)),
        ("start_ms", Milliseconds(retry.Timestamp - run.StartedAt)),
        ("duration_ms", Milliseconds(retry.Delay)),
        ("reason", Preview(retry.Reason, 300)));

    public static JsonObject Question(HumanRequestRecord question) => Object(
        ("step", question.Step),
        ("human", question.Human),
        ("prompt", question.Prompt),
        ("type", question.ResultTypeName),
        ("answer", question.Answer),
        ("requested_at", JsonValue.Create(question.RequestedAt)),
        ("expires_at", question.ExpiresAt is { } expires ? JsonValue.Create(expires) : null));

    /// <summary>Recorded JSON (or text) for a list: <c>{text, truncated}</c>, the text pretty-printed and cut.</summary>
    public static JsonObject? Value(string? recorded) => recorded is null ? null : Preview(Pretty(recorded), PreviewLength);

    /// <summary>Recorded JSON pretty-printed; text that is no JSON as it is.</summary>
    public static string Pretty(string recorded)
    {
        try
        {
            return JsonNode.Parse(recorded) is { } node ? JsonText.Format(node, indented: true) : "null";
        }
        catch (JsonException)
        {
            return recorded;
        }
    }

    public static JsonObject Preview(string text, int length) => text.Length <= length
        ? new JsonObject { ["text"] = text, ["truncated"] = false }
        : new JsonObject { ["text"] = text[..length], ["truncated"] = true, ["length"] = text.Length };

    public static JsonObject Error(string message) => new() { ["error"] = message };

    public static JsonValue Milliseconds(TimeSpan span) => JsonValue.Create(Math.Round(span.TotalMilliseconds, 1));

    /// <summary>The value at fraction <paramref name="quantile"/> of <paramref name="sorted"/> (nearest rank).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double quantile) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Count) - 1, 0, sorted.Count - 1)];

    public static string Text(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    public static JsonObject Object(params (string Name, JsonNode? Value)[] properties)
    {
        var json = new JsonObject();
        foreach (var (name, value) in properties.Where(p => p.Value is not null)) json[name] = value;
        return json;
    }
}
