using System.Text.Json.Serialization;

namespace Atlas.Runtime;

/// <summary>A search result: the built-in <c>Passage</c> type of the Atlas language.</summary>
public sealed record Passage(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("heading")] string? Heading = null);
