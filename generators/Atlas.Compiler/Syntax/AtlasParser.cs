using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Text;
using Sprache;
using static Atlas.Compiler.Syntax.Tokens;

namespace Atlas.Compiler.Syntax;

/// <summary>
/// The .atlas parser (Sprache). Parses a whole file declaration by declaration; after a syntax
/// error it reports one ATL0001 and resumes at the next line that starts a declaration, so an
/// error in one declaration never hides the errors in the others. Thread-safe: all state is per call.
/// </summary>
public static partial class AtlasParser
{
    /// <summary>Parses a whole .atlas file; syntax errors are reported and parsing resumes at the next declaration.</summary>
    public static SyntaxTree ParseFile(SourceFile file, DiagnosticBag diagnostics, CancellationToken cancellationToken = default) =>
        ParseFile(file, diagnostics, cancellationToken, out _);

    /// <summary>As <see cref="ParseFile(SourceFile, DiagnosticBag, CancellationToken)"/>; <paramref name="steps"/> counts the parser's work.</summary>
    internal static SyntaxTree ParseFile(SourceFile file, DiagnosticBag diagnostics, CancellationToken cancellationToken, out long steps)
    {
        var context = new ParseContext(file, file.Text, map: null);
        var input = SkipTrivia(new ParseInput(context, 0, 0), 0);
        var declarations = ImmutableArray.CreateBuilder<DeclarationSyntax>();
        while (!input.AtEnd)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = Declaration(input);
            if (result.WasSuccessful)
            {
                declarations.Add(result.Value);
                input = (ParseInput)result.Remainder;
                continue;
            }

            diagnostics.Add(DescribeFailure(context, input, result));
            int resume = FindNextDeclaration(file.Text, input.Position + 1);
            input = SkipTrivia(input, resume);
            context.TooDeep = false;
        }
        diagnostics.AddRange(context.SoftErrors);
        steps = context.Steps;
        return new SyntaxTree(file, declarations.ToImmutable());
    }

    /// <summary>
    /// Parses a workflow expression held in a string (a YAML step); <paramref name="map"/> maps the
    /// string's characters to file offsets, so node spans and diagnostics point into <paramref name="file"/>.
    /// Returns null after reporting a syntax error.
    /// </summary>
    public static ExpressionSyntax? ParseExpression(SourceFile file, string text, SourceMap map, DiagnosticBag diagnostics) =>
        ParseWhole(file, text, map, Expression, diagnostics);

    /// <summary>Parses a type reference (<c>Ticket</c>, <c>string[]</c>, <c>Passage[]?</c>) held in a string. Null after an error.</summary>
    public static TypeRefSyntax? ParseTypeRef(SourceFile file, string text, SourceMap map, DiagnosticBag diagnostics) =>
        ParseWhole(file, text, map, TypeRef, diagnostics);

    /// <summary>
    /// Parses an attribute value (name, number, duration, bool, <c>env("X")</c>, <c>recursive { size = 800 }</c>, list, string)
    /// when the whole of <paramref name="text"/> is one; otherwise returns null and reports nothing, except
    /// for nesting beyond the limit: that text is no plain string either, so it is reported to
    /// <paramref name="diagnostics"/> (and the caller must not read it as one).
    /// </summary>
    public static ValueSyntax? TryParseValue(SourceFile file, string text, SourceMap map, DiagnosticBag diagnostics)
    {
        var scratch = new DiagnosticBag();
        var value = ParseWhole(file, text, map, Value, scratch, out bool tooDeep);
        if (tooDeep) diagnostics.AddRange(scratch.ToSortedArray());
        return scratch.Count == 0 ? value : null;
    }

    private static T? ParseWhole<T>(SourceFile file, string text, SourceMap map, Parser<T> parser, DiagnosticBag diagnostics)
        where T : class => ParseWhole(file, text, map, parser, diagnostics, out _);

    private static T? ParseWhole<T>(SourceFile file, string text, SourceMap map, Parser<T> parser, DiagnosticBag diagnostics, out bool tooDeep)
        where T : class
    {
        var context = new ParseContext(file, text, map);
        var start = SkipTrivia(new ParseInput(context, 0, 0), 0);
        var result = (from value in parser from end in EndOfInput select value)(start);
        tooDeep = context.TooDeep;
        if (!result.WasSuccessful)
        {
            diagnostics.Add(DescribeFailure(context, start, result));
            return null;
        }
        var soft = context.SoftErrors.ToList();
        diagnostics.AddRange(soft);
        return result.Value;
    }

    private static readonly Parser<object> EndOfInput = input =>
        input.AtEnd ? Result.Success<object>(input, input) : Fail<object>((ParseInput)input, Expectation.EndOfText);

    /// <summary>Turns Sprache's furthest failure into one diagnostic that says what was found and what was expected.</summary>
    private static Diagnostic DescribeFailure<T>(ParseContext context, ParseInput declarationStart, IResult<T> failure)
    {
        var at = failure.Remainder as ParseInput ?? declarationStart;
        string text = context.Text;
        int position = Math.Min(at.Position, text.Length);
        int tokenEnd = TokenEndAt(text, position);
        var location = context.File.GetLocation(context.ToFileSpan(position, tokenEnd));

        if (context.TooDeep)
            return DiagnosticBuilder.At(location).SyntaxError($"Nesting is deeper than {MaxNesting} levels; flatten this value or expression");

        string found = position >= text.Length ? (context.Map is null ? "end of file" : "end of text") : "`" + text.Substring(position, tokenEnd - position) + "`";

        // A declaration keyword starts the failing line: the previous block was never closed.
        int lineFirstToken = FirstTokenOfLine(text, position);
        if (lineFirstToken > declarationStart.Position && StartsDeclarationLine(text, lineFirstToken, out string keyword))
        {
            location = context.File.GetLocation(context.ToFileSpan(lineFirstToken, lineFirstToken + keyword.Length));
            string opened = position < text.Length && declarationStart.Position < text.Length
                ? text.Substring(declarationStart.Position, TokenEndAt(text, declarationStart.Position) - declarationStart.Position)
                : "declaration";
            return DiagnosticBuilder.At(location).SyntaxError(
                $"Unexpected `{keyword}`: the `{opened}` declaration above is not complete; close it (a missing `}}` or `)`?) before starting a new declaration");
        }

        var expectations = failure.Expectations.Distinct().ToList();
        string expected = expectations.Count switch
        {
            0 => "something else",
            1 => expectations[0],
            _ => string.Join(", ", expectations.Take(expectations.Count - 1)) + " or " + expectations[expectations.Count - 1],
        };

        string hint = "";
        if (position == declarationStart.Position && position < text.Length && IsIdentifierStart(text[position]))
        {
            // Nothing parsed at the top level: say which keywords start a declaration.
            string word = text.Substring(position, tokenEnd - position);
            hint = Suggestions.DidYouMean(word, DeclarationKeywords);
            return DiagnosticBuilder.At(location).SyntaxError(
                $"Unexpected {found}; a declaration starts with one of {string.Join(", ", DeclarationKeywords)}{hint}");
        }
        if (position < text.Length && IsIdentifierStart(text[position]))
        {
            string word = text.Substring(position, tokenEnd - position);
            var keywords = expectations.Where(e => e.Length > 2 && e[0] == '`' && IsIdentifierStart(e[1])).Select(e => e.Trim('`'));
            hint = Suggestions.DidYouMean(word, keywords);
        }
        return DiagnosticBuilder.At(location).SyntaxError($"Unexpected {found}; expected {expected}{hint}");
    }

    private static int FirstTokenOfLine(string text, int position)
    {
        int lineStart = Math.Min(position, text.Length);
        while (lineStart > 0 && text[lineStart - 1] != '\n') lineStart--;
        int i = lineStart;
        while (i < text.Length && (text[i] == ' ' || text[i] == '\t')) i++;
        return i;
    }

    /// <summary>The end of the token at <paramref name="position"/>: a word, or one character.</summary>
    private static int TokenEndAt(string text, int position)
    {
        if (position >= text.Length) return position;
        if (!IsIdentifierPart(text[position])) return position + 1;
        int end = position;
        while (end < text.Length && IsIdentifierPart(text[end])) end++;
        return end;
    }

    /// <summary>The next line at or after <paramref name="from"/> that starts (after indentation) with <c>keyword name</c>.</summary>
    private static int FindNextDeclaration(string text, int from)
    {
        int lineStart = from <= 0 ? 0 : text.IndexOf('\n', from - 1);
        if (from <= 0) lineStart = 0;
        else if (lineStart < 0) return text.Length;
        else lineStart++;
        while (lineStart < text.Length)
        {
            int i = lineStart;
            while (i < text.Length && (text[i] == ' ' || text[i] == '\t')) i++;
            if (i >= from && StartsDeclarationLine(text, i, out _)) return i;
            int next = text.IndexOf('\n', lineStart);
            if (next < 0) break;
            lineStart = next + 1;
        }
        return text.Length;
    }

    /// <summary>True when <paramref name="position"/> is the first token on its line and reads <c>keyword name</c>.</summary>
    private static bool StartsDeclarationLine(string text, int position, out string keyword)
    {
        keyword = "";
        int lineStart = position;
        while (lineStart > 0 && (text[lineStart - 1] == ' ' || text[lineStart - 1] == '\t')) lineStart--;
        if (lineStart > 0 && text[lineStart - 1] != '\n' && text[lineStart - 1] != '\r') return false;
        foreach (var word in DeclarationKeywords)
        {
            int end = position + word.Length;
            if (end >= text.Length || string.CompareOrdinal(text, position, word, 0, word.Length) != 0) continue;
            if (text[end] != ' ' && text[end] != '\t') continue;
            int j = end;
            while (j < text.Length && (text[j] == ' ' || text[j] == '\t')) j++;
            if (j < text.Length && IsIdentifierStart(text[j]))
            {
                keyword = word;
                return true;
            }
        }
        return false;
    }
}
