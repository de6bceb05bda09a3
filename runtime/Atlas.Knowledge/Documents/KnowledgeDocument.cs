using System.Collections.Generic;

namespace Atlas.Knowledge;

/// <summary>
/// One source document as text: <see cref="Id"/> and <see cref="Source"/> are its path relative to
/// the knowledge base's base directory ('/' separated), <see cref="Hash"/> the SHA-256 (hex) of its
/// bytes on disk, <see cref="Format"/> markdown | text | html.
/// </summary>
/// <param name="Id">The document's id in the store: its source path.</param>
/// <param name="Source">Its path relative to the knowledge base's base directory, <c>/</c>-separated.</param>
/// <param name="Hash">The SHA-256 of its bytes on disk, lowercase hex: an ingest re-embeds it only when this changes.</param>
/// <param name="Format"><c>markdown</c>, <c>text</c>, <c>html</c> or <c>pdf</c>.</param>
/// <param name="Text">Its text, as extracted from the file.</param>
/// <param name="Metadata">What every chunk of it carries: <c>source</c>, <c>format</c>, <c>extension</c>, and <c>title</c> when it has one.</param>
public sealed record KnowledgeDocument(
    string Id,
    string Source,
    string Hash,
    string Format,
    string Text,
    IReadOnlyDictionary<string, string> Metadata);
