using System.Collections.Generic;

namespace Atlas.Knowledge;

/// <summary>The metadata keys every stored chunk may carry, and so the keys a search can filter on.</summary>
public static class KnowledgeMetadata
{
    /// <summary>The document's path relative to the knowledge base's folder.</summary>
    public const string Source = "source";

    /// <summary>The heading the chunk sits under (Markdown and HTML), when there is one.</summary>
    public const string Heading = "heading";

    /// <summary>The document's title (HTML <c>&lt;title&gt;</c>, PDF information), when it has one.</summary>
    public const string Title = "title";

    /// <summary>How the document was read: markdown, text, html or pdf.</summary>
    public const string Format = "format";

    /// <summary>The file's extension, lower case, without the dot.</summary>
    public const string Extension = "extension";

    /// <summary>A PDF's page count.</summary>
    public const string Pages = "pages";

    /// <summary>Every key, in the order messages list them.</summary>
    public static IReadOnlyList<string> Keys { get; } = [Source, Heading, Title, Format, Extension, Pages];
}
