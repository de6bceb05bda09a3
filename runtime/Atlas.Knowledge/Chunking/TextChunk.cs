namespace Atlas.Knowledge;

/// <summary>A piece of a document: its text, its position in the document, its size in tokens and (for Markdown) the heading path "A > B".</summary>
public sealed record TextChunk(int Ordinal, string Text, int TokenCount, string? Heading);
