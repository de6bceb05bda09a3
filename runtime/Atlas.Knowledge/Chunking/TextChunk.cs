namespace Atlas.Knowledge;

/// <summary>A piece of a document: its text, its position in the document, its size in tokens and (for Markdown) the heading path "A > B".</summary>
/// <param name="Ordinal">Its position in the document, from 0.</param>
/// <param name="Text">Its text.</param>
/// <param name="TokenCount">Its size in tokens, as the chunker's tokenizer counts.</param>
/// <param name="Heading">The Markdown heading path above it; <see langword="null"/> if none.</param>
public sealed record TextChunk(int Ordinal, string Text, int TokenCount, string? Heading);
