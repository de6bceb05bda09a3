using System;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Atlas.Runtime;

/// <summary>
/// JSON for the runtime's own types, with System.Text.Json source generation (no reflection, AOT-safe).
/// </summary>
/// <remarks>
/// An event is one line of JSON: a <c>"type"</c> discriminator first (<c>run_started</c>,
/// <c>step_started</c>, <c>token</c>, <c>step_completed</c>, <c>step_failed</c>,
/// <c>retry_scheduled</c>, <c>provider_selected</c>, <c>run_completed</c>, <c>delegation_started</c>,
/// <c>delegation_completed</c>, <c>tool_called</c>, <c>human_requested</c>, <c>human_answered</c>, <c>cache_hit</c>,
/// <c>model_called</c>), then the properties in
/// snake_case (<c>run_id</c>, <c>step</c>, <c>timestamp</c> as ISO 8601, durations as
/// <c>"hh:mm:ss.fffffff"</c>, <c>usage</c> as <c>{input_tokens, output_tokens, cost_usd, total_tokens}</c>);
/// null properties are left out. Events never hold secrets.
/// </remarks>
public static class AtlasEventJson
{
    /// <summary>The source-generated metadata, for callers that serialize the runtime's types themselves.</summary>
    public static AtlasJsonContext Context => AtlasJsonContext.Default;

    /// <summary>One event as one line of compact JSON (no trailing newline).</summary>
    /// <param name="atlasEvent">The event.</param>
    /// <returns>The JSON, with its <c>"type"</c> discriminator first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="atlasEvent"/> is <see langword="null"/>.</exception>
    public static string SerializeEvent(AtlasEvent atlasEvent)
    {
        ArgumentNullException.ThrowIfNull(atlasEvent);
        return JsonSerializer.Serialize(atlasEvent, AtlasJsonContext.Default.AtlasEvent);
    }

    /// <summary>Reads an event written by <see cref="SerializeEvent"/>.</summary>
    /// <param name="json">One line of JSON.</param>
    /// <returns>The event, of the type its discriminator names; <see langword="null"/> for the JSON <c>null</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is <see langword="null"/>.</exception>
    /// <exception cref="JsonException">The text is not an event's JSON.</exception>
    public static AtlasEvent? DeserializeEvent(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize(json, AtlasJsonContext.Default.AtlasEvent);
    }
}

/// <summary>Source-generated System.Text.Json metadata for events, usage and passages (snake_case names).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(AtlasEvent))]
[JsonSerializable(typeof(Usage))]
[JsonSerializable(typeof(Passage))]
[JsonSerializable(typeof(Passage[]))]
public sealed partial class AtlasJsonContext : JsonSerializerContext
{
}
