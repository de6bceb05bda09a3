using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Atlas.Runtime;

/// <summary>
/// A search result: the built-in <c>Passage</c> type of the Atlas language. <see cref="Metadata"/> holds what the store
/// knows about the chunk (<c>source</c>, <c>format</c>, <c>extension</c>, <c>heading</c>, <c>title</c>...); it is not part of the
/// language's <c>Passage</c> JSON.
/// </summary>
public sealed record Passage(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("heading")] string? Heading = null,
    [property: JsonIgnore] IReadOnlyDictionary<string, string>? Metadata = null);
