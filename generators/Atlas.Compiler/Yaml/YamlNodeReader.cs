using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Atlas.Compiler.Yaml;

/// <summary>
/// Reads a YAML file into <see cref="YamlNode"/>s, one root per document, iteratively (no
/// recursion, so deep nesting cannot overflow the stack). A syntax error, or nesting deeper than
/// <see cref="MaxDepth"/>, is reported as ATL1001 and ends reading; what was read up to it is kept,
/// with the collections still open marked incomplete, so the declarations before the error are
/// still checked. Duplicate keys are reported (ATL1004) at the second key and that entry is left out.
/// </summary>
internal sealed class YamlNodeReader
{
    /// <summary>Deeper than any Atlas file needs; keeps the loader's recursion bounded.</summary>
    internal const int MaxDepth = 64;

    private static readonly Regex MarkPrefix = new(
        @"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ",
        RegexOptions.CultureInvariant);

    private readonly SourceFile _file;
    private readonly DiagnosticBag _diagnostics;
    private readonly List<Frame> _stack = new();
    private readonly List<YamlNode> _documents = new();

    /// <summary>The block collections closed since the last scalar or collection start (a dedent closes several at once).</summary>
    private readonly List<YamlNode> _justClosed = new();
    private int _lastGoodOffset;

    private YamlNodeReader(SourceFile file, DiagnosticBag diagnostics)
    {
        _file = file;
        _diagnostics = diagnostics;
    }

    /// <summary>The root node of each document in the file, in order.</summary>
    public static IReadOnlyList<YamlNode> Read(SourceFile file, DiagnosticBag diagnostics, CancellationToken cancellationToken)
    {
        var reader = new YamlNodeReader(file, diagnostics);
        reader.ReadAll(cancellationToken);
        return reader._documents;
    }

    private void ReadAll(CancellationToken cancellationToken)
    {
        var scanner = new Scanner(new StringReader(_file.Text), skipComments: true);
        var parser = new Parser(scanner);
        int events = 0;
        try
        {
            while (parser.MoveNext())
            {
                if ((++events & 0xFF) == 0) cancellationToken.ThrowIfCancellationRequested();
                var current = parser.Current;
                if (current is null) continue;
                _lastGoodOffset = ToOffset(current.End);
                if (current is not (MappingEnd or SequenceEnd)) _justClosed.Clear();

                switch (current)
                {
                    case MappingStart or SequenceStart when _stack.Count >= MaxDepth:
                        StopTooDeep(ToOffset(current.Start));
                        return;
                    case MappingStart mapping:
                        _stack.Add(new Frame(new YamlMapping(mapping.Style == MappingStyle.Flow, ToOffset(mapping.Start))));
                        break;
                    case SequenceStart sequence:
                        _stack.Add(new Frame(new YamlSequence(sequence.Style == SequenceStyle.Flow, ToOffset(sequence.Start))));
                        break;
                    case MappingEnd or SequenceEnd:
                        Close(current);
                        break;
                    case Scalar scalar:
                        Add(new YamlScalar(
                            scalar.Value,
                            scalar.Style,
                            scalar.Tag.IsEmpty ? null : scalar.Tag.Value,
                            ToOffset(scalar.Start),
                            ToOffset(scalar.End)));
                        break;
                    case AnchorAlias alias:
                        Add(new YamlAlias(alias.Value.Value, ToOffset(alias.Start), ToOffset(alias.End)));
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (YamlException ex)
        {
            // A few YamlDotNet errors carry no position; use where the scanner stopped.
            var at = ex.Start.Equals(Mark.Empty) ? scanner.CurrentPosition : ex.Start;
            var (offset, message) = Explain(ToOffset(at), Clean(ex.Message));
            ReportSyntaxError(offset, message);
            MarkJustClosedIncomplete();
            CloseAllIncomplete();
        }
        catch (Exception ex)
        {
            // YamlDotNet throws a few non-YAML exceptions on malformed input; they are still
            // syntax errors here, at the place the scanner had reached.
            int offset = Math.Max(_lastGoodOffset, ToOffset(scanner.CurrentPosition));
            if (ex is ArgumentException && DescribeUnicodeEscape(_file.Text, offset) is { } escape)
            {
                ReportSyntaxError(escape.Start, escape.Message);
            }
            else
            {
                ReportSyntaxError(offset, ex is InvalidOperationException
                    ? "Invalid YAML: this line is less indented than the flow collection (`{ }` or `[ ]`) it continues; close the collection before it or indent the line"
                    : "Invalid YAML here (" + ex.GetType().Name + ")");
            }

            CloseAllIncomplete();
        }
    }

    /// <summary>
    /// YamlDotNet throws ArgumentOutOfRangeException (not a YamlException) for two escapes in a
    /// double-quoted string: a <c>\U</c> beyond any code point that overflows to a negative number
    /// (<c>\UFFFFFFFF</c>), and a high surrogate followed by an escape that is not a low one
    /// (<c>\uD800\u0041</c>). The scanner stops just after the escape, so the last <c>\u</c> or
    /// <c>\U</c> escape before <paramref name="offset"/> on its line is the culprit.
    /// </summary>
    internal static (int Start, string Message)? DescribeUnicodeEscape(string text, int offset)
    {
        int end = Math.Min(offset, text.Length);
        int lineStart = end;
        while (lineStart > 0 && text[lineStart - 1] != '\n') lineStart--;

        (int Start, int Length, long Code)? previous = null, last = null;
        for (int i = lineStart; i < end; i++)
        {
            if (text[i] != '\\' || i + 1 >= text.Length) continue;
            char kind = text[i + 1];
            int digits = kind == 'u' ? 4 : kind == 'U' ? 8 : 0;
            if (digits > 0 && i + 2 + digits <= text.Length && TryHex(text, i + 2, digits, out long code))
            {
                var escape = (i, 2 + digits, code);
                previous = last is { } l && l.Start + l.Length == i ? last : null;
                last = escape;
                i += 1 + digits;
            }
            else
            {
                i++; // `\\` and other escapes: skip the escaped character
            }
        }

        if (last is not { } bad) return null;
        string written = text.Substring(bad.Start, bad.Length);
        if (bad.Code > 0x10FFFF)
            return (bad.Start, $"`{written}` is not a Unicode character: escapes go up to `\\U0010FFFF`");
        if (previous is { } high && high.Code >= 0xD800 && high.Code <= 0xDBFF && (bad.Code < 0xDC00 || bad.Code > 0xDFFF))
        {
            string first = text.Substring(high.Start, high.Length);
            return (high.Start, $"`{first}` is the first half of a surrogate pair, so it must be followed by its second half (`\\uDC00` to `\\uDFFF`), not `{written}`; or write the character as one escape, e.g. `\\U0001F600`");
        }
        return null;
    }

    private static bool TryHex(string text, int start, int digits, out long value)
    {
        value = 0;
        for (int i = start; i < start + digits; i++)
        {
            int digit = HexValue(text[i]);
            if (digit < 0) return false;
            value = (value * 16) + digit;
        }
        return true;
    }

    private static int HexValue(char c) =>
        c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

    /// <summary>
    /// Stops reading at a collection nested deeper than <see cref="MaxDepth"/>: no Atlas file
    /// needs it, and YamlDotNet's scanner slows down quadratically with flow nesting, so reading
    /// on through thousands of <c>[</c> would look like a hang. Reported as ATL1001, like any place
    /// the reader stops (the .atlas parser's nesting limit is its ATL0001 likewise).
    /// </summary>
    private void StopTooDeep(int start)
    {
        ReportSyntaxError(start, $"This collection is nested more than {MaxDepth} levels deep, which no Atlas file needs; the rest of the file was not read");
        CloseAllIncomplete();
    }

    private void Close(ParsingEvent endEvent)
    {
        if (_stack.Count == 0) return;
        var frame = _stack[_stack.Count - 1];
        _stack.RemoveAt(_stack.Count - 1);
        var node = frame.Node;
        bool isFlow = node is YamlMapping { IsFlow: true } or YamlSequence { IsFlow: true };
        if (!isFlow) _justClosed.Add(node);
        // A block collection's end event sits at the next token (often lines later, after
        // comments); its content ends with its last child.
        node.End = isFlow ? FlowEnd(node, endEvent) : Math.Max(node.Start, frame.LastChildEnd);
        Add(node);
    }

    /// <summary>Just after the closing bracket (the end event's own marks stop before it).</summary>
    private int FlowEnd(YamlNode node, ParsingEvent endEvent)
    {
        char closer = node is YamlMapping ? '}' : ']';
        int at = ToOffset(endEvent.Start);
        if (at < _file.Text.Length && _file.Text[at] == closer) return at + 1;
        return Math.Max(node.Start, Math.Max(at, ToOffset(endEvent.End)));
    }

    /// <summary>
    /// A block collection that a dedent closed right before a syntax error was probably cut short by it
    /// (a key indented one space too little), so it is left out like the ones still open: checking it
    /// would report what the unreadable line provides ("needs `prompt`").
    /// </summary>
    private void MarkJustClosedIncomplete()
    {
        foreach (var node in _justClosed) node.IsComplete = false;
        _justClosed.Clear();
    }

    /// <summary>
    /// YamlDotNet's message for the common mistakes, said plainly, at the place to fix: a tab at the tab
    /// (YamlDotNet points at the end of the line before it), an indentation error at the start of its line.
    /// Anything else keeps YamlDotNet's text, without its position prefix.
    /// </summary>
    private (int Offset, string Message) Explain(int offset, string message)
    {
        if (message.IndexOf("tab", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            int tab = IndentationTab(offset);
            return (tab >= 0 ? tab : offset, "A tab indents this line; YAML indents with spaces only, so replace the tab with spaces");
        }
        if (message.StartsWith("While scanning a plain scalar value, found invalid mapping", StringComparison.Ordinal)
            || message.StartsWith("Mapping values are not allowed in this context", StringComparison.Ordinal))
        {
            int start = FirstNonBlankOfLine(offset);
            int previous = PreviousContentLine(start);
            bool deeper = previous >= 0 && Indentation(start) > Indentation(previous);
            return deeper
                ? (start, "This line is indented more than the line above it, which already has its value; indent it like the keys beside it, or quote the value above if the `:` belongs to it")
                : (offset, "A `: ` is not allowed inside this plain value; quote the value (`\"...\"`) if the colon belongs to it, or start the key on its own line");
        }
        if (message.StartsWith("While parsing a block mapping, did not find expected key", StringComparison.Ordinal)
            || message.StartsWith("While parsing a block collection, did not find expected '-' indicator", StringComparison.Ordinal))
        {
            int start = FirstNonBlankOfLine(offset);
            return (start, "This line's indentation matches none of the keys above it; indent it exactly like the other keys of the mapping it belongs to");
        }
        if (message.StartsWith("While scanning a simple key, could not find expected ':'", StringComparison.Ordinal))
            return (FirstNonBlankOfLine(offset), "This line is neither a `key: value` nor a list item (`- ...`); add the missing `:` or remove the line");
        if (message.StartsWith("While scanning a quoted scalar, found unexpected end of stream", StringComparison.Ordinal))
            return (offset, "This quoted string is never closed; end it with the same quote it starts with");
        return (offset, message);
    }

    /// <summary>The first tab in the leading whitespace of a line at or after the line of <paramref name="offset"/>'s next line break; -1 if none.</summary>
    private int IndentationTab(int offset)
    {
        string text = _file.Text;
        int lineStart = LineStart(Math.Min(offset, text.Length));
        // YamlDotNet may point at the end of the line before the tab, or at the tab itself.
        for (int line = 0; line < 2 && lineStart <= text.Length; line++)
        {
            for (int i = lineStart; i < text.Length && (text[i] == ' ' || text[i] == '\t'); i++)
                if (text[i] == '\t') return i;
            int next = text.IndexOf('\n', lineStart);
            if (next < 0) break;
            lineStart = next + 1;
        }
        return -1;
    }

    private int LineStart(int offset)
    {
        string text = _file.Text;
        int i = Math.Min(offset, text.Length);
        while (i > 0 && text[i - 1] != '\n') i--;
        return i;
    }

    private int FirstNonBlankOfLine(int offset)
    {
        string text = _file.Text;
        int i = LineStart(offset);
        while (i < text.Length && (text[i] == ' ' || text[i] == '\t')) i++;
        return i;
    }

    /// <summary>The first non-blank character of the nearest line above that holds something other than a comment; -1 if none.</summary>
    private int PreviousContentLine(int lineFirst)
    {
        string text = _file.Text;
        int lineStart = LineStart(lineFirst);
        while (lineStart > 0)
        {
            int previousStart = LineStart(lineStart - 1);
            int first = FirstNonBlankOfLine(previousStart);
            if (first < lineStart - 1 && text[first] != '#' && text[first] != '\r') return first;
            lineStart = previousStart;
        }
        return -1;
    }

    private int Indentation(int first) => first - LineStart(first);

    private void CloseAllIncomplete()
    {
        while (_stack.Count > 0)
        {
            var frame = _stack[_stack.Count - 1];
            _stack.RemoveAt(_stack.Count - 1);
            frame.Node.End = Math.Max(frame.Node.Start, frame.LastChildEnd);
            frame.Node.IsComplete = false;
            Add(frame.Node);
        }
    }

    private void Add(YamlNode node)
    {
        if (_stack.Count == 0)
        {
            _documents.Add(node);
            return;
        }

        var frame = _stack[_stack.Count - 1];
        switch (frame.Node)
        {
            case YamlSequence sequence:
                sequence.Items.Add(node);
                frame.LastChildEnd = Math.Max(frame.LastChildEnd, node.End);
                break;
            case YamlMapping when frame.PendingKey is null:
                frame.PendingKey = node;
                frame.PendingKeyIsDuplicate = IsDuplicate(frame, node);
                frame.LastChildEnd = Math.Max(frame.LastChildEnd, node.End);
                break;
            case YamlMapping mapping:
                if (!frame.PendingKeyIsDuplicate)
                {
                    mapping.Pairs.Add(new KeyValuePair<YamlNode, YamlNode>(frame.PendingKey, node));
                    frame.LastChildEnd = Math.Max(frame.LastChildEnd, node.End);
                }
                frame.PendingKey = null;
                frame.PendingKeyIsDuplicate = false;
                break;
        }
    }

    private bool IsDuplicate(Frame frame, YamlNode key)
    {
        if (key is not YamlScalar scalar) return false;
        if (frame.Keys.TryGetValue(scalar.Value, out var first))
        {
            _diagnostics.Add(DiagnosticBuilder.At(_file, key.Span).YamlDuplicateKey(scalar.Value, _file.GetLinePosition(first.Start)));
            return true;
        }
        frame.Keys.Add(scalar.Value, scalar);
        return false;
    }

    private void ReportSyntaxError(int offset, string message) =>
        _diagnostics.Add(DiagnosticBuilder.At(_file, new TextSpan(Math.Min(offset, _file.Text.Length), 0)).YamlSyntaxError(message));

    private static string Clean(string message)
    {
        var text = MarkPrefix.Replace(message, "").Trim();
        return text.Length == 0 ? "Invalid YAML" : text;
    }

    private int ToOffset(Mark mark) => (int)Math.Max(0, Math.Min(_file.Text.Length, mark.Index));

    private sealed class Frame
    {
        public Frame(YamlNode node)
        {
            Node = node;
            LastChildEnd = node.Start;
        }

        public YamlNode Node { get; }

        public YamlNode? PendingKey { get; set; }

        public bool PendingKeyIsDuplicate { get; set; }

        public int LastChildEnd { get; set; }

        public Dictionary<string, YamlScalar> Keys { get; } = new(StringComparer.Ordinal);
    }
}
