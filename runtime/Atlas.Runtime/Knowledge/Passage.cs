using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Atlas.Runtime;

/// <summary>
/// A search result: the built-in <c>Passage</c> type of the Atlas language (<c>text</c>, <c>source</c>, <c>score</c>,
/// <c>heading</c> — the Markdown heading path <c>A &gt; B</c> — and <c>title</c> — an HTML document's title).
/// <see cref="Metadata"/> holds everything the store knows about the chunk (<c>source</c>, <c>format</c>, <c>extension</c>,
/// <c>heading</c>, <c>title</c>...) for C# callers; it is not part of the language's <c>Passage</c> JSON.
/// </summary>
/// <param name="Text">The chunk's text.</param>
/// <param name="Source">The file it came from, relative to the .atlas file's folder, <c>/</c>-separated.</param>
/// <param name="Score">
/// How well it matched: cosine similarity for <c>vector</c>, BM25 for <c>keyword</c>, the fused reciprocal-rank score for
/// <c>hybrid</c>; higher is better, comparable only within one mode.
/// </param>
/// <param name="Heading">The Markdown heading path above the chunk (<c>A &gt; B</c>); <see langword="null"/> if none.</param>
/// <param name="Title">The document's title (an HTML <c>&lt;title&gt;</c>, a PDF's title); <see langword="null"/> if none.</param>
/// <param name="Metadata">Every metadata key and value the store holds for the chunk; <see langword="null"/> if the store gave none.</param>
public sealed record Passage(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("heading")] string? Heading = null,
    [property: JsonPropertyName("title")] string? Title = null,
    [property: JsonIgnore] IReadOnlyDictionary<string, string>? Metadata = null);
