using System.Collections.Generic;

namespace Atlas.Knowledge;

/// <summary>
/// One source document as text: <see cref="Id"/> and <see cref="Source"/> are its path relative to
/// the knowledge base's base directory ('/' separated), <see cref="Hash"/> the SHA-256 (hex) of its
/// bytes on disk, <see cref="Format"/> markdown | text | html.
/// </summary>
public sealed record KnowledgeDocument(
    string Id,
    string Source,
    string Hash,
    string Format,
    string Text,
    IReadOnlyDictionary<string, string> Metadata);
