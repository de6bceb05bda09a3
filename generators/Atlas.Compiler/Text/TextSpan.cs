using System;

namespace Atlas.Compiler.Text;

/// <summary>A range of characters in one source file: start offset and length (0-based).</summary>
public readonly record struct TextSpan(int Start, int Length)
{
    public int End => Start + Length;

    public static TextSpan FromBounds(int start, int end) => new(start, Math.Max(0, end - start));

    /// <summary>The smallest span that covers both.</summary>
    public TextSpan Cover(TextSpan other) => FromBounds(Math.Min(Start, other.Start), Math.Max(End, other.End));

    public override string ToString() => $"[{Start}..{End})";
}

/// <summary>A 1-based line and column, as the C# compiler prints them.</summary>
public readonly record struct LinePosition(int Line, int Column)
{
    public override string ToString() => $"({Line},{Column})";
}
