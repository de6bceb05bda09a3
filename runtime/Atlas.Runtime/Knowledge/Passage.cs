using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Atlas.Runtime;

/// <summary>
/// A search result: the built-in <c>Passage</c> type of the Atlas language (<c>text</c>, <c>source</c>, <c>score</c>,
/// <c>heading</c> — the Markdown heading path <c>A &gt; B</c> — and <c>title</c> — an HTML document's title).
/// <see cref="Metadata"/> holds everything the store knows about the chunk (<c>source</c>, <c>format</c>, <c>extension</c>,
/// <c>heading</c>, <c>title</c>...) for C# callers; it is not part of the language's <c>Passage</c> JSON.
/// </summary>
public sealed record Passage(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("heading")] string? Heading = null,
    [property: JsonPropertyName("title")] string? Title = null,
    [property: JsonIgnore] IReadOnlyDictionary<string, string>? Metadata = null);
