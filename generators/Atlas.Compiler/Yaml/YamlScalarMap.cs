using System;
using System.Collections.Generic;
using System.Globalization;
using Atlas.Compiler.Text;
using YamlDotNet.Core;

namespace Atlas.Compiler.Yaml;

/// <summary>
/// Computes the <see cref="SourceMap"/> of a YAML scalar: for each character of the value
/// YamlDotNet decoded, the file offset it came from. YamlDotNet gives only the scalar's start
/// and end, so this re-scans the raw text with the same rules as YamlDotNet's scanner (line
/// folding, <c>''</c> and backslash escapes, block indentation and chomping) and keeps the
/// result only when it reproduces YamlDotNet's value exactly. Otherwise every character maps to
/// the scalar's start: a diagnostic may then be early, but never at a wrong later place.
/// </summary>
/// <remarks>
/// Characters that have no text of their own map to the text that produced them: an escape
/// (<c>\n</c>, <c>\x41</c>) to its backslash, a space from a folded line break to that break,
/// a kept line break to the break itself.
/// </remarks>
internal static class YamlScalarMap
{
    private const int MaxIndentCandidates = 160;

    public static SourceMap Compute(string text, int start, int end, ScalarStyle style, string value)
    {
        if (start < 0 || start > text.Length) return Fallback(0, value.Length);
        SourceMap? map = style switch
        {
            ScalarStyle.SingleQuoted => DecodeQuoted(text, start, value, isSingle: true),
            ScalarStyle.DoubleQuoted => DecodeQuoted(text, start, value, isSingle: false),
            ScalarStyle.Literal => DecodeBlock(text, start, value, isLiteral: true),
            ScalarStyle.Folded => DecodeBlock(text, start, value, isLiteral: false),
            _ => DecodePlain(text, start, Math.Min(end, text.Length), value),
        };
        return map ?? Fallback(start, value.Length);
    }

    /// <summary>Every character at <paramref name="offset"/>.</summary>
    public static SourceMap Fallback(int offset, int length)
    {
        var builder = new SourceMap.Builder();
        for (int i = 0; i < length; i++) builder.Add(offset);
        return builder.ToSourceMap(offset);
    }

    // ---------- plain and quoted (flow) scalars ----------

    private static SourceMap? DecodePlain(string text, int start, int end, string value)
    {
        var output = new Output(value, start);
        var folding = new Folding(output);
        int i = start;
        while (i < end && !output.Failed)
        {
            char c = text[i];
            if (IsWhite(c) || IsBreak(c))
            {
                i = folding.ConsumeBlanks(text, i, end);
                continue;
            }
            // A plain scalar joins blanks only before its next character, so trailing ones are dropped.
            folding.Join();
            output.Emit(c, i);
            i++;
        }
        return output.ToSourceMap();
    }

    private static SourceMap? DecodeQuoted(string text, int start, string value, bool isSingle)
    {
        char quote = isSingle ? '\'' : '"';
        if (text[start] != quote) return null;
        var output = new Output(value, start + 1);
        var folding = new Folding(output);
        int i = start + 1;
        while (!output.Failed)
        {
            if (i >= text.Length) return null;

            // Non-blank characters.
            while (i < text.Length && !IsWhite(text[i]) && !IsBreak(text[i]) && !output.Failed)
            {
                char c = text[i];
                if (isSingle && c == '\'' && i + 1 < text.Length && text[i + 1] == '\'')
                {
                    output.Emit('\'', i);
                    i += 2;
                }
                else if (c == quote)
                {
                    break;
                }
                else if (!isSingle && c == '\\' && i + 1 < text.Length && IsBreak(text[i + 1]))
                {
                    // An escaped line break joins the lines with nothing between them.
                    i = i + 1 + BreakLength(text, i + 1);
                    folding.StartEscapedBreak();
                    break;
                }
                else if (!isSingle && c == '\\')
                {
                    int next = DecodeEscape(text, i, output);
                    if (next < 0) return null;
                    i = next;
                }
                else
                {
                    output.Emit(c, i);
                    i++;
                }
            }

            if (i >= text.Length) return null;
            if (text[i] == quote) break;

            i = folding.ConsumeBlanks(text, i, text.Length);
            // A quoted scalar joins at once, so blanks before the closing quote are kept.
            folding.Join();
        }
        return output.ToSourceMap();
    }

    /// <summary>Decodes the escape at <paramref name="i"/> (a backslash); the next index, or -1 if it is invalid.</summary>
    private static int DecodeEscape(string text, int i, Output output)
    {
        if (i + 1 >= text.Length) return -1;
        char code = text[i + 1];
        int digits = code switch { 'x' => 2, 'u' => 4, 'U' => 8, _ => 0 };
        if (digits == 0)
        {
            char? simple = SimpleEscape(code);
            if (simple is null) return -1;
            output.Emit(simple.Value, i);
            return i + 2;
        }

        if (!TryHex(text, i + 2, digits, out int codePoint)) return -1;
        int next = i + 2 + digits;
        if (codePoint >= 0xD800 && codePoint <= 0xDFFF)
        {
            // A surrogate pair written as two escapes: \uD83D\uDE00.
            if (next + 1 >= text.Length || text[next] != '\\' || (text[next + 1] != 'u' && text[next + 1] != 'U')) return -1;
            int lowDigits = text[next + 1] == 'u' ? 4 : 8;
            if (!TryHex(text, next + 2, lowDigits, out int low)) return -1;
            if (codePoint > 0xDBFF || low < 0xDC00 || low > 0xDFFF) return -1;
            output.Emit((char)codePoint, i);
            output.Emit((char)low, i);
            return next + 2 + lowDigits;
        }
        if (codePoint > 0x10FFFF) return -1;
        foreach (char c in char.ConvertFromUtf32(codePoint)) output.Emit(c, i);
        return next;
    }

    private static char? SimpleEscape(char code) => code switch
    {
        '0' => '\0',
        'a' => '\x07',
        'b' => '\x08',
        't' => '\x09',
        '\t' => '\x09',
        'n' => '\x0A',
        'v' => '\x0B',
        'f' => '\x0C',
        'r' => '\x0D',
        'e' => '\x1B',
        ' ' => ' ',
        '"' => '"',
        '\\' => '\\',
        '/' => '/',
        'N' => '\x85',
        '_' => '\xA0',
        'L' => '\u2028',
        'P' => '\u2029',
        _ => null,
    };

    private static bool TryHex(string text, int start, int digits, out int value)
    {
        value = 0;
        if (start + digits > text.Length) return false;
        return int.TryParse(text.Substring(start, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
               && value >= 0;
    }

    // ---------- block scalars ----------

    private static SourceMap? DecodeBlock(string text, int start, string value, bool isLiteral)
    {
        int i = start + 1;
        int chomping = 0;
        int increment = 0;
        if (i < text.Length && (text[i] == '+' || text[i] == '-'))
        {
            chomping = text[i] == '+' ? 1 : -1;
            i++;
            if (i < text.Length && text[i] >= '1' && text[i] <= '9') increment = text[i++] - '0';
        }
        else if (i < text.Length && text[i] >= '1' && text[i] <= '9')
        {
            increment = text[i++] - '0';
            if (i < text.Length && (text[i] == '+' || text[i] == '-'))
            {
                chomping = text[i] == '+' ? 1 : -1;
                i++;
            }
        }

        while (i < text.Length && IsWhite(text[i])) i++;
        if (i < text.Length && text[i] == '#')
        {
            while (i < text.Length && !IsBreak(text[i])) i++;
        }
        if (i < text.Length && !IsBreak(text[i])) return null;
        if (i < text.Length) i += BreakLength(text, i);

        // The content indentation depends on the enclosing node's, which the event stream does not
        // give; try the likely ones and keep the one that reproduces the value.
        foreach (int indent in IndentCandidates(text, start, i, increment))
        {
            var map = DecodeBlockBody(text, i, indent, isLiteral, chomping, value);
            if (map is not null) return map;
        }
        return null;
    }

    private static IEnumerable<int> IndentCandidates(string text, int indicator, int contentStart, int increment)
    {
        var seen = new HashSet<int>();
        int column = indicator - LineStart(text, indicator);
        var candidates = new List<int> { AutoIndent(text, contentStart) };
        if (increment > 0)
        {
            for (int parent = -1; parent <= column; parent++) candidates.Add(parent >= 0 ? parent + increment : increment);
        }
        for (int indent = 1; indent <= column + 1; indent++) candidates.Add(indent);
        foreach (int candidate in candidates)
        {
            if (seen.Count >= MaxIndentCandidates) yield break;
            if (candidate >= 1 && seen.Add(candidate)) yield return candidate;
        }
    }

    /// <summary>The indentation of the first non-empty line, or more if an empty line before it is longer.</summary>
    private static int AutoIndent(string text, int i)
    {
        int maxIndent = 0;
        while (true)
        {
            int column = 0;
            while (i < text.Length && text[i] == ' ')
            {
                i++;
                column++;
            }
            maxIndent = Math.Max(maxIndent, column);
            if (i >= text.Length || !IsBreak(text[i])) return Math.Max(1, maxIndent);
            i += BreakLength(text, i);
        }
    }

    private static SourceMap? DecodeBlockBody(string text, int i, int indent, bool isLiteral, int chomping, string value)
    {
        var output = new Output(value, i);
        var trailingBreaks = new List<Break>();
        Break? leadingBreak = null;
        bool leadingBlank = false;

        int column = ScanBreaks(text, ref i, indent, trailingBreaks);
        while (column == indent && i < text.Length && !output.Failed)
        {
            bool trailingBlank = IsWhite(text[i]);
            if (!isLiteral && leadingBreak is { Char: '\n' } && !leadingBlank && !trailingBlank)
            {
                if (trailingBreaks.Count == 0) output.Emit(' ', leadingBreak.Value.Offset);
            }
            else if (leadingBreak is { } kept)
            {
                output.Emit(kept.Char, kept.Offset);
            }
            leadingBreak = null;
            foreach (var b in trailingBreaks) output.Emit(b.Char, b.Offset);
            trailingBreaks.Clear();

            leadingBlank = IsWhite(text[i]);
            while (i < text.Length && !IsBreak(text[i]))
            {
                output.Emit(text[i], i);
                i++;
            }
            if (i < text.Length)
            {
                leadingBreak = new Break(NormalizedBreak(text[i]), i);
                i += BreakLength(text, i);
            }
            column = ScanBreaks(text, ref i, indent, trailingBreaks);
        }

        if (chomping != -1 && leadingBreak is { } last) output.Emit(last.Char, last.Offset);
        if (chomping == 1)
        {
            foreach (var b in trailingBreaks) output.Emit(b.Char, b.Offset);
        }
        return output.ToSourceMap();
    }

    /// <summary>Eats indentation (up to <paramref name="indent"/>) and empty lines; returns the column reached.</summary>
    private static int ScanBreaks(string text, ref int i, int indent, List<Break> breaks)
    {
        while (true)
        {
            int column = 0;
            while (column < indent && i < text.Length && text[i] == ' ')
            {
                i++;
                column++;
            }
            if (i >= text.Length || !IsBreak(text[i])) return column;
            breaks.Add(new Break(NormalizedBreak(text[i]), i));
            i += BreakLength(text, i);
        }
    }

    // ---------- characters ----------

    private static bool IsWhite(char c) => c == ' ' || c == '\t';

    private static bool IsBreak(char c) => c == '\n' || c == '\r' || c == '\x85' || c == '\u2028' || c == '\u2029';

    private static int BreakLength(string text, int i) => text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;

    /// <summary>CR LF, CR, LF and NEL read as LF; LS and PS stay themselves (as in YamlDotNet).</summary>
    private static char NormalizedBreak(char c) => c is '\u2028' or '\u2029' ? c : '\n';

    private static int LineStart(string text, int offset)
    {
        int i = Math.Min(offset, text.Length);
        while (i > 0 && !IsBreak(text[i - 1])) i--;
        return i;
    }

    private readonly record struct Break(char Char, int Offset);

    /// <summary>The decoded characters so far, checked against the expected value as they come.</summary>
    private sealed class Output
    {
        private readonly string _expected;
        private readonly int _emptyOffset;
        private readonly SourceMap.Builder _builder = new();
        private int _length;

        public Output(string expected, int emptyOffset)
        {
            _expected = expected;
            _emptyOffset = emptyOffset;
        }

        public bool Failed { get; private set; }

        public void Emit(char c, int offset)
        {
            if (Failed) return;
            if (_length >= _expected.Length || _expected[_length] != c)
            {
                Failed = true;
                return;
            }
            _builder.Add(offset);
            _length++;
        }

        public SourceMap? ToSourceMap() => Failed || _length != _expected.Length ? null : _builder.ToSourceMap(_emptyOffset);
    }

    /// <summary>
    /// YAML line folding in flow scalars: blanks before a line break are dropped, a single break
    /// becomes a space, n breaks become n-1 newlines, indentation after a break is dropped.
    /// </summary>
    private sealed class Folding
    {
        private readonly Output _output;
        private readonly List<Break> _whitespaces = new();
        private readonly List<Break> _trailingBreaks = new();
        private Break? _leadingBreak;
        private bool _hasLeadingBlanks;

        public Folding(Output output) => _output = output;

        public void StartEscapedBreak()
        {
            _whitespaces.Clear();
            _leadingBreak = null;
            _hasLeadingBlanks = true;
        }

        public int ConsumeBlanks(string text, int i, int end)
        {
            while (i < end && (IsWhite(text[i]) || IsBreak(text[i])))
            {
                char c = text[i];
                if (IsWhite(c))
                {
                    if (!_hasLeadingBlanks) _whitespaces.Add(new Break(c, i));
                    i++;
                }
                else
                {
                    if (!_hasLeadingBlanks)
                    {
                        _whitespaces.Clear();
                        _leadingBreak = new Break(NormalizedBreak(c), i);
                        _hasLeadingBlanks = true;
                    }
                    else
                    {
                        _trailingBreaks.Add(new Break(NormalizedBreak(c), i));
                    }
                    i += BreakLength(text, i);
                }
            }
            return i;
        }

        public void Join()
        {
            if (_hasLeadingBlanks)
            {
                if (_leadingBreak is { Char: '\n' } fold)
                {
                    if (_trailingBreaks.Count == 0) _output.Emit(' ', fold.Offset);
                }
                else if (_leadingBreak is { } kept)
                {
                    _output.Emit(kept.Char, kept.Offset);
                }
                foreach (var b in _trailingBreaks) _output.Emit(b.Char, b.Offset);
            }
            else
            {
                foreach (var w in _whitespaces) _output.Emit(w.Char, w.Offset);
            }
            _whitespaces.Clear();
            _trailingBreaks.Clear();
            _leadingBreak = null;
            _hasLeadingBlanks = false;
        }
    }
}
