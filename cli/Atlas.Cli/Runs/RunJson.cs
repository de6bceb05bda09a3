using System;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atlas.Cli.Display;
using Atlas.Runtime;

namespace Atlas.Cli.Runs;

/// <summary>
/// Recorded runs as <c>atlas runs list --json</c> and <c>show --json</c> print them: snake_case names and JSON values as
/// events have them (times in ISO 8601, durations <c>hh:mm:ss.fffffff</c>, usage as in events), absent values left out,
/// recorded JSON (inputs, outputs, results, answers) embedded as JSON.
/// </summary>
internal static class RunJson
{
    public static JsonObject Run(RunRecord run) => Object(
        ("run_id", run.RunId),
        ("workflow", run.Workflow),
        ("fingerprint", run.Fingerprint),
        ("status", Spellings.Status(run.Status)),
        ("started_at", JsonValue.Create(run.StartedAt)),
        ("ended_at", run.EndedAt is { } ended ? JsonValue.Create(ended) : null),
        ("duration", run.EndedAt is { } end ? Duration(end - run.StartedAt) : null),
        ("usage", Usage(run.Usage)),
        ("input", Embedded(run.Input)),
        ("output", Embedded(run.Output)),
        ("error", run.Error),
        ("parent_run_id", run.ParentRunId),
        ("source", run.Source),
        ("batch_id", run.BatchId),
        ("batch_line", run.BatchLine is { } line ? JsonValue.Create(line) : null));

    public static JsonObject Step(StepRecord step, int modelCalls, int toolCalls) => Object(
        ("step", step.Step),
        ("fingerprint", step.Fingerprint),
        ("status", Spellings.Status(step.Status)),
        ("reused", JsonValue.Create(step.Reused)),
        ("attempts", JsonValue.Create(step.Attempts)),
        ("started_at", JsonValue.Create(step.StartedAt)),
        ("duration", Duration(step.Duration)),
        ("usage", Usage(step.Usage)),
        ("result", Embedded(step.Result)),
        ("error", step.Error),
        ("model_calls", JsonValue.Create(modelCalls)),
        ("tool_calls", JsonValue.Create(toolCalls)));

    public static JsonObject Question(HumanRequestRecord question) => Object(
        ("step", question.Step),
        ("human", question.Human),
        ("prompt", question.Prompt),
        ("result_type", question.ResultTypeName),
        ("requested_at", JsonValue.Create(question.RequestedAt)),
        ("expires_at", question.ExpiresAt is { } expires ? JsonValue.Create(expires) : null),
        ("answer", Embedded(question.Answer)),
        ("answered_at", question.AnsweredAt is { } answered ? JsonValue.Create(answered) : null));

    /// <summary>A model call without its messages (they can be large; the store keeps them for resume and replay).</summary>
    public static JsonObject ModelCall(ModelCallRecord call) => Object(
        ("sequence", JsonValue.Create(call.Sequence)),
        ("step", call.Step),
        ("agent", call.Agent),
        ("model", call.Model),
        ("provider", call.Provider),
        ("model_id", call.ModelId),
        ("cache_hit", JsonValue.Create(call.CacheHit)),
        ("at", JsonValue.Create(call.At)),
        ("latency", Duration(call.Latency)),
        ("usage", Usage(call.Usage)),
        ("request_key", call.RequestKey));

    /// <summary>A tool call without its arguments and result.</summary>
    public static JsonObject ToolCall(ToolCallRecord call) => Object(
        ("sequence", JsonValue.Create(call.Sequence)),
        ("step", call.Step),
        ("agent", call.Agent),
        ("tool", call.Tool),
        ("at", JsonValue.Create(call.At)),
        ("duration", Duration(call.Duration)),
        ("succeeded", JsonValue.Create(call.Error is null)),
        ("error", call.Error));

    /// <summary>Whether two recorded JSON texts are the same value (spacing and key order aside); texts that are no JSON compare as text.</summary>
    public static bool SameJson(string? a, string? b)
    {
        if (a is null || b is null) return a is null && b is null;
        return Parse(a) is { } left && Parse(b) is { } right ? JsonNode.DeepEquals(left, right) : string.Equals(a, b, StringComparison.Ordinal);
    }

    /// <summary>Recorded JSON on one line, cut at <paramref name="length"/> characters.</summary>
    public static string Summary(string? json, int length = 120)
    {
        if (json is null) return "-";
        var line = Parse(json) is { } node ? JsonText.Format(node, indented: false) : JsonText.OneLine(json);
        return line.Length <= length ? line : line[..(length - 1)] + "…";
    }

    private static JsonNode Usage(Usage usage) => JsonSerializer.SerializeToNode(usage, AtlasEventJson.Context.Usage)!;

    private static JsonNode Duration(TimeSpan duration) => JsonValue.Create(duration.ToString("c", CultureInfo.InvariantCulture));

    /// <summary>Recorded JSON as a JSON value; text that is no JSON (a store written by another tool) as a string.</summary>
    private static JsonNode? Embedded(string? json) => json is null ? null : Parse(json) ?? JsonValue.Create(json);

    private static JsonNode? Parse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonObject Object(params (string Name, JsonNode? Value)[] properties)
    {
        var json = new JsonObject();
        foreach (var (name, value) in properties.Where(p => p.Value is not null)) json[name] = value;
        return json;
    }
}
