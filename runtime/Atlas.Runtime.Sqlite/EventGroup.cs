using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atlas.Runtime;

/// <summary>
/// The events recorded with one step (or with the run's end), and how they are stored compactly: each as the difference
/// between its JSON (<see cref="AtlasEventJson"/>) and what the step's or run's record already says.
/// </summary>
/// <remarks>
/// An event's type and step become small integer columns, its timestamp and duration integer ticks (the timestamp
/// counted from the group's start), its run id is dropped when it is the run's. What is left of its JSON is compared with
/// the event the record implies (<see cref="StepStarted"/> at the step's start, <see cref="StepCompleted"/> with the
/// step's duration and usage, <see cref="RunCompleted"/> with the run's end, usage and error...): a property equal to
/// the implied one is not stored, so a <c>step_started</c> costs a dozen bytes. Decoding builds the implied JSON and
/// lays the stored difference over it, so every event, of any type, comes back equal to the one recorded. No event
/// type is named here: the templates name themselves when serialized. An event that differs from its template in its
/// timestamp only (most do) is encoded and decoded without any JSON.
/// </remarks>
internal sealed class EventGroup
{
    private static readonly ConcurrentDictionary<Type, string> Discriminators = new();

    private const string TypeProperty = "type";
    private const string RunIdProperty = "run_id";
    private const string StepProperty = "step";
    private const string TimestampProperty = "timestamp";
    private const string DurationProperty = "duration";

    // The events the group's record implies, by type discriminator; their JSON (without type, run and step) is made
    // only when an event differs from its template in more than its timestamp.
    private readonly Dictionary<string, AtlasEvent> _templates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _jsonTemplates = new(StringComparer.Ordinal);

    private EventGroup(string runId, string? step, DateTimeOffset anchor, params AtlasEvent[] templates)
    {
        RunId = runId;
        Step = step;
        Anchor = anchor.UtcTicks;
        foreach (var template in templates) _templates[Discriminator(template)] = template;
    }

    /// <summary>The run the events belong to.</summary>
    public string RunId { get; }

    /// <summary>The step whose events these are; <see langword="null"/> for the run's own.</summary>
    public string? Step { get; }

    /// <summary>The UTC ticks timestamps are counted from: the step's (or the run's) start.</summary>
    public long Anchor { get; }

    /// <summary>The events a step's checkpoint records, with the events its record implies.</summary>
    public static EventGroup ForStep(StepRecord step)
    {
        var ended = step.StartedAt + step.Duration;
        return new(
            step.RunId,
            step.Step,
            step.StartedAt,
            new StepStarted(step.RunId, step.Step, step.StartedAt),
            new StepCompleted(step.RunId, step.Step, ended, step.Duration, step.Usage) { Reused = step.Reused },
            new StepFailed(step.RunId, step.Step, ended, step.Error ?? ""));
    }

    /// <summary>The events a run's end records, with the events its record implies.</summary>
    public static EventGroup ForRun(RunRecord run)
    {
        var ended = run.EndedAt ?? run.StartedAt;
        return new(
            run.RunId,
            null,
            run.StartedAt,
            new RunStarted(run.RunId, run.Workflow, run.StartedAt),
            new RunCompleted(run.RunId, ended, ended - run.StartedAt, run.Usage, run.Status == RunStatus.Succeeded, run.Error) { Waiting = run.Status == RunStatus.Waiting });
    }

    /// <summary>
    /// The events as stored (<see cref="Encode"/>), without the reply pieces (<see cref="TokenEmitted"/>) and the model
    /// calls (<see cref="ModelCalled"/>): the run's model call records hold the whole of both.
    /// </summary>
    public IReadOnlyList<EncodedEvent> EncodeAll(IReadOnlyList<AtlasEvent> events)
    {
        var encoded = new List<EncodedEvent>(events.Count);
        foreach (var atlasEvent in events)
        {
            if (atlasEvent is not (TokenEmitted or ModelCalled)) encoded.Add(Encode(atlasEvent));
        }

        return encoded;
    }

    /// <summary>An event as stored: what its record does not already say.</summary>
    public EncodedEvent Encode(AtlasEvent atlasEvent)
    {
        var type = Discriminator(atlasEvent);
        if (_templates.TryGetValue(type, out var implied) && atlasEvent.Timestamp.Offset == TimeSpan.Zero
            && (atlasEvent with { Timestamp = implied.Timestamp }).Equals(implied))
        {
            var recorded = atlasEvent.Timestamp.UtcTicks;
            return new EncodedEvent(type, true, null, recorded == implied.Timestamp.UtcTicks ? null : recorded - Anchor, null, null);
        }

        var json = Serialize(atlasEvent);
        json.Remove(TypeProperty);
        if (json[RunIdProperty] is JsonValue runId && runId.GetValue<string>() == RunId) json.Remove(RunIdProperty);

        json.TryGetPropertyValue(StepProperty, out var stepNode);
        json.Remove(StepProperty);
        var step = stepNode?.GetValue<string>();
        var stepImplied = step == Step;

        if (JsonTemplate(type) is { } template)
        {
            foreach (var (name, value) in template)
            {
                if (!json.TryGetPropertyValue(name, out var actual)) json[name] = null; // implied, but this event has none
                else if (JsonNode.DeepEquals(actual, value)) json.Remove(name);
            }
        }

        long? at = null;
        if (json[TimestampProperty] is JsonValue timestamp && timestamp.TryGetValue<DateTimeOffset>(out var when) && when.Offset == TimeSpan.Zero)
        {
            at = when.UtcTicks - Anchor;
            json.Remove(TimestampProperty);
        }

        long? duration = null;
        if (json[DurationProperty] is JsonValue durationNode && durationNode.TryGetValue<string>(out var text)
            && TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var span) && span.ToString("c", CultureInfo.InvariantCulture) == text)
        {
            duration = span.Ticks;
            json.Remove(DurationProperty);
        }

        return new EncodedEvent(type, stepImplied, stepImplied ? null : step, at, duration, json.Count == 0 ? null : json.ToJsonString());
    }

    /// <summary>The event <paramref name="stored"/> was encoded from.</summary>
    /// <exception cref="JsonException">The stored difference is no event's (a damaged file).</exception>
    public AtlasEvent Decode(EncodedEvent stored)
    {
        if (stored is { StepImplied: true, Duration: null, Data: null } && _templates.TryGetValue(stored.Type, out var implied))
        {
            return stored.At is { } after ? implied with { Timestamp = new DateTimeOffset(Anchor + after, TimeSpan.Zero) } : implied;
        }

        var json = new JsonObject { [TypeProperty] = stored.Type, [RunIdProperty] = RunId };
        var step = stored.StepImplied ? Step : stored.Step;
        if (step is not null) json[StepProperty] = step;
        if (JsonTemplate(stored.Type) is { } template)
        {
            foreach (var (name, value) in template) json[name] = value?.DeepClone();
        }

        if (stored.At is { } at) json[TimestampProperty] = JsonValue.Create(new DateTimeOffset(Anchor + at, TimeSpan.Zero));
        if (stored.Duration is { } ticks) json[DurationProperty] = TimeSpan.FromTicks(ticks).ToString("c", CultureInfo.InvariantCulture);
        if (stored.Data is not null)
        {
            foreach (var (name, value) in Parse(stored.Data))
            {
                if (value is null) json.Remove(name);
                else json[name] = value.DeepClone();
            }
        }

        return json.Deserialize(AtlasEventJson.Context.AtlasEvent) ?? throw new JsonException("a stored event is null");
    }

    /// <summary>The JSON of the template of <paramref name="type"/>, without its type, run and step; <see langword="null"/> when the group implies no such event.</summary>
    private JsonObject? JsonTemplate(string type)
    {
        if (_jsonTemplates.TryGetValue(type, out var json)) return json;
        if (!_templates.TryGetValue(type, out var template)) return null;
        json = Serialize(template);
        json.Remove(TypeProperty);
        json.Remove(RunIdProperty);
        json.Remove(StepProperty);
        _jsonTemplates[type] = json;
        return json;
    }

    /// <summary>An event's type discriminator (<c>step_started</c>...), as its JSON names it.</summary>
    private static string Discriminator(AtlasEvent atlasEvent) =>
        Discriminators.GetOrAdd(atlasEvent.GetType(), static (_, e) => (string)Serialize(e)[TypeProperty]!, atlasEvent);

    private static JsonObject Serialize(AtlasEvent atlasEvent) => JsonSerializer.SerializeToNode(atlasEvent, AtlasEventJson.Context.AtlasEvent)!.AsObject();

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();
}

/// <summary>An event as a row of the <c>events</c> table holds it (see <see cref="EventGroup"/>).</summary>
/// <param name="Type">Its type discriminator (<c>step_started</c>...).</param>
/// <param name="StepImplied">Whether its step is its group's.</param>
/// <param name="Step">Its step when not implied (<see langword="null"/>: none).</param>
/// <param name="At">Its timestamp in ticks after the group's start; <see langword="null"/> when implied or kept in <paramref name="Data"/>.</param>
/// <param name="Duration">Its duration in ticks; <see langword="null"/> when it has none or it is implied.</param>
/// <param name="Data">The rest of its JSON, where it differs from the implied event (a JSON null: absent); <see langword="null"/> when nothing differs.</param>
internal readonly record struct EncodedEvent(string Type, bool StepImplied, string? Step, long? At, long? Duration, string? Data);
