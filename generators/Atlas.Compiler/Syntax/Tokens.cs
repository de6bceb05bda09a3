using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Text;
using Sprache;

namespace Atlas.Compiler.Syntax;

// Tokens: hand-written Sprache parsers over ParseInput. Each one starts at a token (the whitespace
// before it is already skipped), fails without consuming anything, and on success skips the
// whitespace and comments after it. That keeps Sprache's XMany/XOr "did it consume?" logic exact
// and makes the grammar rules below read like the EBNF in spec/language.md.
/// <summary>What a parser expected, as Sprache reports it; built once per parser, not per failure.</summary>
internal sealed class Expectation
{
    public Expectation(params string[] items)
    {
        Items = items;
        Message = "expected " + string.Join(" or ", items);
    }

    public string Message { get; }

    public string[] Items { get; }

    public static readonly Expectation Name = new("a name");
    public static readonly Expectation Number = new("a number");
    public static readonly Expectation String = new("a string");
    public static readonly Expectation EndOfText = new("the end of the text");
}

internal static class Tokens
{
    /// <summary>Words that cannot name a step, parameter or variable inside expressions.</summary>
    internal static readonly HashSet<string> ReservedWords = new(StringComparer.Ordinal)
    {
        "switch", "for", "in", "parallel", "with", "return", "true", "false",
    };

    /// <summary>Whitespace and <c>#</c> / <c>//</c> comments.</summary>
    internal static readonly Parser<object> Whitespace = input =>
    {
        var p = (ParseInput)input;
        return Result.Success<object>(p, SkipTrivia(p, p.Position));
    };

    internal static readonly Parser<IdentifierSyntax> Identifier = input =>
    {
        var p = (ParseInput)input;
        string text = p.Context.Text;
        int start = p.Position;
        if (start >= text.Length || !IsIdentifierStart(text[start]))
            return Fail<IdentifierSyntax>(p, Expectation.Name);
        int end = start + 1;
        while (end < text.Length && IsIdentifierPart(text[end])) end++;
        var id = new IdentifierSyntax(text.Substring(start, end - start), p.Context.ToFileSpan(start, end));
        return Result.Success(id, SkipTrivia(p, end));
    };

    /// <summary>An identifier that is not a reserved word (a step, parameter or variable name in an expression).</summary>
    internal static readonly Parser<IdentifierSyntax> Name = input =>
    {
        var result = Identifier(input);
        if (result.WasSuccessful && ReservedWords.Contains(result.Value.Name))
            return Fail<IdentifierSyntax>((ParseInput)input, Expectation.Name);
        return result;
    };

    /// <summary>A whole word: <c>Keyword("agent")</c> matches <c>agent</c> but not <c>agents</c>.</summary>
    internal static Parser<TextSpan> Keyword(string word)
    {
        var expectation = new Expectation("`" + word + "`");
        return input =>
        {
            var p = (ParseInput)input;
            string text = p.Context.Text;
            int start = p.Position;
            int end = start + word.Length;
            if (end > text.Length || string.CompareOrdinal(text, start, word, 0, word.Length) != 0
                || (end < text.Length && IsIdentifierPart(text[end])))
            {
                return Fail<TextSpan>(p, expectation);
            }

            return Result.Success(p.Context.ToFileSpan(start, end), SkipTrivia(p, end));
        };
    }

    /// <summary>Punctuation. <c>=</c> does not match the start of <c>=&gt;</c>.</summary>
    internal static Parser<TextSpan> Symbol(string symbol)
    {
        var expectation = new Expectation("`" + symbol + "`");
        return input =>
        {
            var p = (ParseInput)input;
            string text = p.Context.Text;
            int start = p.Position;
            int end = start + symbol.Length;
            if (end > text.Length || string.CompareOrdinal(text, start, symbol, 0, symbol.Length) != 0
                || (symbol == "=" && end < text.Length && text[end] == '>'))
            {
                return Fail<TextSpan>(p, expectation);
            }

            return Result.Success(p.Context.ToFileSpan(start, end), SkipTrivia(p, end));
        };
    }

    /// <summary>A number (<c>42</c>, <c>-1</c>, <c>0.15</c>, <c>1e-3</c>) or a duration (<c>500ms</c>, <c>20s</c>, <c>2m</c>, <c>1h</c>).</summary>
    internal static readonly Parser<ValueSyntax> NumberOrDuration = input =>
    {
        var p = (ParseInput)input;
        string text = p.Context.Text;
        int start = p.Position;
        int i = start;
        if (i < text.Length && text[i] == '-') i++;
        int digitsStart = i;
        while (i < text.Length && char.IsDigit(text[i])) i++;
        if (i == digitsStart) return Fail<ValueSyntax>(p, Expectation.Number);
        bool isInteger = true;
        if (i + 1 < text.Length && text[i] == '.' && char.IsDigit(text[i + 1]))
        {
            isInteger = false;
            i++;
            while (i < text.Length && char.IsDigit(text[i])) i++;
        }
        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            int j = i + 1;
            if (j < text.Length && (text[j] == '+' || text[j] == '-')) j++;
            if (j < text.Length && char.IsDigit(text[j]))
            {
                isInteger = false;
                i = j;
                while (i < text.Length && char.IsDigit(text[i])) i++;
            }
        }
        int numberEnd = i;
        string number = text.Substring(start, numberEnd - start);

        // A unit glued to the number makes it a duration.
        int unitStart = numberEnd;
        int unitEnd = numberEnd;
        while (unitEnd < text.Length && IsIdentifierPart(text[unitEnd])) unitEnd++;
        bool spaced = false;
        if (unitEnd == numberEnd && SpacedUnit(text, numberEnd, out unitStart, out unitEnd))
        {
            // `30 s`: the unit is meant, but a space parts it from the number. Read it as the duration
            // (so nothing after it is misread as the next attribute) and say how to write it.
            spaced = true;
            string written = text.Substring(start, unitEnd - start);
            p.Context.ReportSoft(p.Context.At(start, unitEnd).SpacedDuration(written, number, text.Substring(unitStart, unitEnd - unitStart)));
        }
        if (unitEnd > unitStart)
        {
            string unit = text.Substring(unitStart, unitEnd - unitStart);
            string durationText = text.Substring(start, unitEnd - start);
            var span = p.Context.ToFileSpan(start, unitEnd);
            double factor = DurationFactor(unit);
            if (double.IsNaN(factor))
            {
                p.Context.ReportSoft(p.Context.At(unitStart, unitEnd).InvalidDurationUnit(unit, SuggestDuration(number, unit)));
                return Result.Success<ValueSyntax>(new DurationValueSyntax(0, durationText, span, IsValid: false), SkipTrivia(p, unitEnd));
            }
            double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double amount);
            double ms = amount * factor;
            bool valid = !spaced;
            if (double.IsNaN(ms) || double.IsInfinity(ms) || Math.Abs(ms) > long.MaxValue / 2.0)
            {
                p.Context.ReportSoft(p.Context.At(start, unitEnd).InvalidNumber(durationText, InvalidNumberReason.DurationTooLong));
                ms = 0;
                valid = false;
            }
            return Result.Success<ValueSyntax>(new DurationValueSyntax((long)Math.Round(ms), durationText, span, valid), SkipTrivia(p, unitEnd));
        }

        var numberSpan = p.Context.ToFileSpan(start, numberEnd);
        // An out-of-range number keeps its value (so no second, misleading error follows) but is reported.
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || double.IsInfinity(value))
        {
            p.Context.ReportSoft(p.Context.At(start, numberEnd).InvalidNumber(number, InvalidNumberReason.TooLarge));
            value = 0;
        }
        else if (isInteger && (value > int.MaxValue || value < int.MinValue))
        {
            p.Context.ReportSoft(p.Context.At(start, numberEnd).InvalidNumber(number, InvalidNumberReason.OutsideInt32));
            value = Math.Max(int.MinValue, Math.Min(int.MaxValue, value));
        }
        return Result.Success<ValueSyntax>(new NumberValueSyntax(value, isInteger, number, numberSpan), SkipTrivia(p, numberEnd));
    };

    private static double DurationFactor(string unit) => unit switch { "ms" => 1, "s" => 1000, "m" => 60_000, "h" => 3_600_000, _ => double.NaN };

    /// <summary>Units other tools write, as Atlas writes them.</summary>
    private static readonly Dictionary<string, string> DurationUnitAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["msec"] = "ms", ["msecs"] = "ms", ["millis"] = "ms", ["millisecond"] = "ms", ["milliseconds"] = "ms",
        ["sec"] = "s", ["secs"] = "s", ["second"] = "s", ["seconds"] = "s",
        ["min"] = "m", ["mins"] = "m", ["minute"] = "m", ["minutes"] = "m",
        ["hr"] = "h", ["hrs"] = "h", ["hour"] = "h", ["hours"] = "h",
        ["MS"] = "ms", ["S"] = "s", ["M"] = "m", ["H"] = "h",
    };

    /// <summary>The Atlas spelling of a duration other tools write: <c>1m</c> for <c>1min</c>, or null.</summary>
    private static string? SuggestDuration(string number, string unit) =>
        DurationUnitAliases.TryGetValue(unit, out var atlas) ? number + atlas : null;

    /// <summary>
    /// For text that was meant as a duration but is not one (a YAML string <c>1min</c> or <c>30 s</c>):
    /// the duration meant (<c>1m</c>, <c>30s</c>), or null when it does not look like a number and a unit.
    /// </summary>
    internal static string? SuggestDurationForText(string text)
    {
        string trimmed = text.Trim();
        int digits = 0;
        while (digits < trimmed.Length && (char.IsDigit(trimmed[digits]) || trimmed[digits] == '.')) digits++;
        if (digits == 0 || digits == trimmed.Length) return null;
        string number = trimmed.Substring(0, digits);
        string unit = trimmed.Substring(digits).TrimStart(' ', '\t');
        foreach (char c in unit)
        {
            if (!char.IsLetter(c)) return null;
        }

        if (!double.IsNaN(DurationFactor(unit))) return number + unit;
        return SuggestDuration(number, unit);
    }

    /// <summary>
    /// After a number: spaces or tabs (not a line break), then a duration unit (<c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>
    /// or one of <see cref="DurationUnitAliases"/>) as a whole word that does not start an attribute (<c>s = 1</c>, <c>m { … }</c>).
    /// </summary>
    private static bool SpacedUnit(string text, int numberEnd, out int unitStart, out int unitEnd)
    {
        unitStart = unitEnd = numberEnd;
        int i = numberEnd;
        while (i < text.Length && (text[i] == ' ' || text[i] == '\t')) i++;
        if (i == numberEnd || i >= text.Length || !IsIdentifierStart(text[i])) return false;
        int end = i;
        while (end < text.Length && IsIdentifierPart(text[end])) end++;
        string word = text.Substring(i, end - i);
        if (double.IsNaN(DurationFactor(word)) && !DurationUnitAliases.ContainsKey(word)) return false;
        int next = end;
        while (next < text.Length && (text[next] == ' ' || text[next] == '\t')) next++;
        if (next < text.Length && (text[next] == '=' || text[next] == '{' || text[next] == ':' || text[next] == '(')) return false;
        unitStart = i;
        unitEnd = end;
        return true;
    }

    /// <summary>
    /// <c>"..."</c> with escapes, or <c>"""..."""</c>: raw, spanning lines, with the common indentation
    /// removed (and the line breaks right after the opening and before the closing quotes).
    /// </summary>
    internal static readonly Parser<StringValueSyntax> StringLiteral = input =>
    {
        var p = (ParseInput)input;
        string text = p.Context.Text;
        int start = p.Position;
        if (start >= text.Length || text[start] != '"') return Fail<StringValueSyntax>(p, Expectation.String);
        if (start + 2 < text.Length && text[start + 1] == '"' && text[start + 2] == '"')
            return TripleQuoted(p, start);
        return Quoted(p, start);
    };

    private static IResult<StringValueSyntax> Quoted(ParseInput p, int start)
    {
        string text = p.Context.Text;
        var value = new StringBuilder();
        var map = new SourceMap.Builder();
        int i = start + 1;
        while (true)
        {
            if (i >= text.Length || text[i] == '\n' || text[i] == '\r')
            {
                // Unterminated: report it and take the rest of the line, so parsing goes on.
                p.Context.ReportSoft(p.Context.At(start, start + 1).UnterminatedString("\""));
                break;
            }
            char c = text[i];
            if (c == '"') { i++; break; }
            if (c == '\\' && i + 1 < text.Length)
            {
                char e = text[i + 1];
                char decoded = e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', _ => e };
                value.Append(decoded);
                map.Add(p.Context.ToFileOffset(i));
                i += 2;
                continue;
            }
            value.Append(c);
            map.Add(p.Context.ToFileOffset(i));
            i++;
        }
        var span = p.Context.ToFileSpan(start, i);
        var node = new StringValueSyntax(value.ToString(), map.ToSourceMap(p.Context.ToFileOffset(Math.Min(start + 1, text.Length))), span);
        return Result.Success(node, SkipTrivia(p, i));
    }

    private static IResult<StringValueSyntax> TripleQuoted(ParseInput p, int start)
    {
        string text = p.Context.Text;
        int contentStart = start + 3;
        int close = text.IndexOf("\"\"\"", contentStart, StringComparison.Ordinal);
        int contentEnd;
        int end;
        if (close < 0)
        {
            p.Context.ReportSoft(p.Context.At(start, start + 3).UnterminatedString("\"\"\""));
            contentEnd = end = text.Length;
        }
        else
        {
            contentEnd = close;
            end = close + 3;
        }

        // Lines of the raw content (without \r), each with its file offset.
        var lines = new List<(int Offset, string Text)>();
        int lineStart = contentStart;
        for (int i = contentStart; i <= contentEnd; i++)
        {
            if (i == contentEnd || text[i] == '\n')
            {
                int lineEnd = i;
                if (lineEnd > lineStart && text[lineEnd - 1] == '\r') lineEnd--;
                lines.Add((lineStart, text.Substring(lineStart, lineEnd - lineStart)));
                lineStart = i + 1;
            }
        }
        // Drop a blank first line (after the opening quotes) and a blank last line (before the closing ones).
        if (lines.Count > 1 && string.IsNullOrWhiteSpace(lines[0].Text)) lines.RemoveAt(0);
        if (lines.Count > 1 && string.IsNullOrWhiteSpace(lines[lines.Count - 1].Text)) lines.RemoveAt(lines.Count - 1);

        int indent = int.MaxValue;
        foreach (var line in lines)
        {
            if (string.IsNullOrWhiteSpace(line.Text)) continue;
            int n = 0;
            while (n < line.Text.Length && (line.Text[n] == ' ' || line.Text[n] == '\t')) n++;
            indent = Math.Min(indent, n);
        }
        if (indent == int.MaxValue) indent = 0;

        var value = new StringBuilder();
        var map = new SourceMap.Builder();
        for (int l = 0; l < lines.Count; l++)
        {
            var (offset, lineText) = lines[l];
            int skip = Math.Min(indent, lineText.Length);
            for (int c = skip; c < lineText.Length; c++)
            {
                value.Append(lineText[c]);
                map.Add(p.Context.ToFileOffset(offset + c));
            }
            if (l < lines.Count - 1)
            {
                value.Append('\n');
                map.Add(p.Context.ToFileOffset(offset + lineText.Length));
            }
        }
        var span = p.Context.ToFileSpan(start, end);
        var node = new StringValueSyntax(value.ToString(), map.ToSourceMap(p.Context.ToFileOffset(Math.Min(contentStart, text.Length))), span);
        return Result.Success(node, SkipTrivia(p, end));
    }

    internal static ParseInput SkipTrivia(ParseInput p, int position)
    {
        string text = p.Context.Text;
        int tokenEnd = position;
        int i = position;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '\uFEFF')
            {
                i++;
            }
            else if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i < text.Length && text[i] != '\n') i++;
            }
            else
            {
                break;
            }
        }
        return p.At(i, tokenEnd);
    }

    internal static IResult<T> Fail<T>(ParseInput at, Expectation expectation) =>
        Result.Failure<T>(at, expectation.Message, expectation.Items);

    internal static bool IsIdentifierStart(char c) => c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

    internal static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || (c >= '0' && c <= '9');
}
