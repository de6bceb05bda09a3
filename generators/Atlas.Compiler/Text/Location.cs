namespace Atlas.Compiler.Text;

/// <summary>Where a diagnostic points: file, span, and its 1-based start and end positions.</summary>
public readonly record struct Location(string Path, TextSpan Span, LinePosition Start, LinePosition End)
{
    public override string ToString() => $"{Path}{Start}";
}
