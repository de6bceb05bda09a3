using System;
using System.Collections.Generic;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Text;
using Sprache;

namespace Atlas.Compiler.Syntax;

/// <summary>
/// What one parse shares: the text, how its offsets map into the file (identity for a whole
/// .atlas file, a <see cref="SourceMap"/> for a string inside YAML), and the "soft" errors that
/// do not stop parsing (an unterminated string, an unknown duration unit), deduplicated by
/// position because backtracking may meet the same token twice.
/// </summary>
internal sealed class ParseContext
{
    private readonly Dictionary<(string, int), Diagnostic> _softErrors = new();
    private int[]? _lineStarts;

    public ParseContext(SourceFile file, string text, SourceMap? map)
    {
        File = file;
        Text = text;
        Map = map;
    }

    public SourceFile File { get; }

    public string Text { get; }

    public SourceMap? Map { get; }

    /// <summary>Current nesting of values and expressions (see <see cref="AtlasParser.MaxNesting"/>).</summary>
    public int Depth { get; set; }

    /// <summary>Set when nesting hit the limit, so the error says so.</summary>
    public bool TooDeep { get; set; }

    /// <summary>
    /// Inputs created so far: the parser's work, which tests bound by the text's length (a rule
    /// that backtracked exponentially would show here long before it showed on a clock).
    /// </summary>
    public long Steps { get; set; }

    public IEnumerable<Diagnostic> SoftErrors => _softErrors.Values;

    public int ToFileOffset(int position) => Map is null ? position : Map.ToFileOffset(position);

    public TextSpan ToFileSpan(int start, int end)
    {
        if (Map is null) return TextSpan.FromBounds(start, end);
        return end > start ? Map.ToFileSpan(start, end - start) : new TextSpan(Map.ToFileOffset(start), 0);
    }

    /// <summary>Diagnostics at the text from <paramref name="start"/> to <paramref name="end"/>, located in the file.</summary>
    public DiagnosticBuilder At(int start, int end) => DiagnosticBuilder.At(File, ToFileSpan(start, end));

    /// <summary>Records a soft error once per code and position, however often backtracking meets its token.</summary>
    public void ReportSoft(Diagnostic diagnostic)
    {
        var key = (diagnostic.Id, diagnostic.Location.Span.Start);
        if (!_softErrors.ContainsKey(key)) _softErrors[key] = diagnostic;
    }

    public (int Line, int Column) LineColumn(int position)
    {
        _lineStarts ??= ComputeLineStarts(Text);
        int index = Array.BinarySearch(_lineStarts, position);
        int line = index >= 0 ? index : ~index - 1;
        return (line + 1, position - _lineStarts[line] + 1);
    }

    private static int[] ComputeLineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
            if (text[i] == '\n') starts.Add(i + 1);
        return starts.ToArray();
    }
}

/// <summary>
/// Sprache input over a <see cref="ParseContext"/>. Unlike Sprache's own input it can jump ahead
/// in one step (the hand-written token parsers use that) and it remembers where the last token
/// ended, before the whitespace after it, so node spans never include trailing blanks or comments.
/// </summary>
internal sealed class ParseInput : IInput
{
    private IDictionary<object, object>? _memos;

    public ParseInput(ParseContext context, int position, int tokenEnd)
    {
        context.Steps++;
        Context = context;
        Position = position;
        TokenEnd = tokenEnd;
    }

    public ParseContext Context { get; }

    public int Position { get; }

    /// <summary>The end of the last token consumed (≤ <see cref="Position"/>).</summary>
    public int TokenEnd { get; }

    public string Source => Context.Text;

    public char Current => Context.Text[Position];

    public bool AtEnd => Position >= Context.Text.Length;

    public int Line => Context.LineColumn(Position).Line;

    public int Column => Context.LineColumn(Position).Column;

    public IDictionary<object, object> Memos => _memos ??= new Dictionary<object, object>();

    public char Peek(int offset = 0)
    {
        int p = Position + offset;
        return p < Context.Text.Length ? Context.Text[p] : '\0';
    }

    public IInput Advance()
    {
        if (AtEnd) throw new InvalidOperationException("Cannot advance beyond the end of the input.");
        return new ParseInput(Context, Position + 1, Position + 1);
    }

    public ParseInput At(int position, int tokenEnd) => new(Context, position, tokenEnd);

    public bool Equals(IInput? other) => other is ParseInput p && ReferenceEquals(p.Context, Context) && p.Position == Position;

    public override bool Equals(object? obj) => obj is IInput other && Equals(other);

    public override int GetHashCode() => Position;

    public override string ToString() => $"Line {Line}, Column {Column}";
}
