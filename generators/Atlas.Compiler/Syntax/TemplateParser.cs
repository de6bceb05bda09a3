using System;
using System.Collections.Immutable;
using System.Text;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Syntax;

/// <summary>
/// Parses prompt and instruction templates: literal text with <c>{{a.b.c}}</c> and
/// <c>{{for x in a.b}} ... {{end}}</c>. A scanner rather than Sprache: the language is three tags,
/// and literal text must pass through untouched. Positions map through the string's
/// <see cref="SourceMap"/>, so errors in a YAML prompt point into the YAML file.
/// </summary>
public static class TemplateParser
{
    /// <summary>
    /// Parses <c>{{path}}</c> and <c>{{for x in path}}...{{end}}</c> inside a string value; spans map through
    /// the string's <see cref="SourceMap"/> into its file. Errors are ATL0003; the parts that parsed are kept.
    /// </summary>
    public static TemplateSyntax Parse(StringValueSyntax value, SourceFile file, DiagnosticBag diagnostics)
    {
        var scanner = new Scanner(value, file, diagnostics);
        var parts = scanner.ParseParts(insideFor: null, out _);
        return new TemplateSyntax(parts, value.Span);
    }

    private sealed class Scanner
    {
        private readonly string _text;
        private readonly SourceMap _map;
        private readonly SourceFile _file;
        private readonly DiagnosticBag _diagnostics;
        private int _position;
        private int _depth;

        // The next "{{" and "}}" found so far (-1: none left), so each part of the text is searched
        // once: searching again from every tag made a text of many `{{` and no `}}` quadratic.
        private int _nextOpen = -2;
        private int _nextClose = -2;

        public Scanner(StringValueSyntax value, SourceFile file, DiagnosticBag diagnostics)
        {
            _text = value.Value;
            _map = value.Map;
            _file = file;
            _diagnostics = diagnostics;
        }

        /// <summary>Parts up to the end of the text, or up to the <c>{{end}}</c> of the enclosing for.</summary>
        public ImmutableArray<TemplatePartSyntax> ParseParts(TemplateForHeader? insideFor, out bool closed)
        {
            var parts = ImmutableArray.CreateBuilder<TemplatePartSyntax>();
            var literal = new StringBuilder();
            int literalStart = _position;
            closed = false;

            void FlushLiteral(int end)
            {
                if (literal.Length > 0) parts.Add(new TemplateTextSyntax(literal.ToString(), Span(literalStart, end)));
                literal.Clear();
            }

            while (_position < _text.Length)
            {
                int open = Find(ref _nextOpen, "{{", _position);
                if (open < 0)
                {
                    literal.Append(_text, _position, _text.Length - _position);
                    _position = _text.Length;
                    break;
                }
                literal.Append(_text, _position, open - _position);
                int close = Find(ref _nextClose, "}}", open + 2);
                int nextOpen = Find(ref _nextOpen, "{{", open + 2);
                if (close < 0 || (nextOpen >= 0 && nextOpen < close))
                {
                    Report(open, open + 2, "This `{{` is not closed; end the tag with `}}`");
                    literal.Append("{{");
                    _position = open + 2;
                    continue;
                }

                FlushLiteral(open);
                _position = close + 2;
                literalStart = _position;
                var tag = new Tag(_text, open + 2, close);
                string first = tag.NextWord(out int firstStart);

                if (first == "end" && tag.AtEnd)
                {
                    if (insideFor is null)
                    {
                        Report(open, close + 2, "`{{end}}` without a matching `{{for ... in ...}}`; remove it");
                        continue;
                    }
                    closed = true;
                    return parts.ToImmutable();
                }

                if (first == "for")
                {
                    var header = ParseForHeader(tag, open, close);
                    if (header is null) continue;
                    if (_depth >= AtlasParser.MaxNesting)
                    {
                        // Deeper loops would recurse without bound; report once and read the rest as text.
                        Report(open, close + 2, $"`{{{{for}}}}` loops are nested more than {AtlasParser.MaxNesting} levels deep; flatten the template");
                        _position = _text.Length;
                        break;
                    }
                    _depth++;
                    var body = ParseParts(header, out bool bodyClosed);
                    _depth--;
                    if (!bodyClosed)
                        Report(open, close + 2, $"`{{{{for {header.Variable.Name} in ...}}}}` is never closed; add `{{{{end}}}}` after its body");
                    parts.Add(new TemplateForSyntax(header.Variable, header.Source, body, Span(open, bodyClosed ? _position : _text.Length)));
                    literalStart = _position;
                    continue;
                }

                var path = ParsePath(tag, first, firstStart, open, close);
                if (path is not null) parts.Add(new TemplatePathSyntax(path.Value, Span(open, close + 2)));
            }

            FlushLiteral(_text.Length);
            return parts.ToImmutable();
        }

        /// <summary>The first <paramref name="token"/> at or after <paramref name="from"/>, reusing the last search when it is still ahead.</summary>
        private int Find(ref int cached, string token, int from)
        {
            if (cached == -1 || cached >= from) return cached;
            cached = _text.IndexOf(token, from, StringComparison.Ordinal);
            return cached;
        }

        private TemplateForHeader? ParseForHeader(Tag tag, int open, int close)
        {
            string variable = tag.NextWord(out int variableStart);
            string @in = tag.NextWord(out _);
            if (variable.Length == 0 || !IsName(variable) || @in != "in")
            {
                Report(open, close + 2, "A loop tag reads `{{for item in list}}`");
                return null;
            }
            string first = tag.NextWord(out int sourceStart);
            var source = ParsePath(tag, first, sourceStart, open, close);
            if (source is null) return null;
            return new TemplateForHeader(new IdentifierSyntax(variable, Span(variableStart, variableStart + variable.Length)), source.Value);
        }

        /// <summary>A dotted path <c>a.b.c</c> filling the rest of the tag.</summary>
        private ImmutableArray<IdentifierSyntax>? ParsePath(Tag tag, string first, int firstStart, int open, int close)
        {
            if (first.Length == 0)
            {
                Report(open, close + 2, "Empty `{{}}`; put a parameter path inside, e.g. `{{ticket.subject}}`");
                return null;
            }
            var segments = ImmutableArray.CreateBuilder<IdentifierSyntax>();
            int start = firstStart;
            foreach (var segment in first.Split('.'))
            {
                if (!IsName(segment))
                {
                    Report(start, start + Math.Max(1, segment.Length),
                        $"`{first}` is not a path; a tag holds a parameter path such as `ticket.subject`, `for x in list` or `end`");
                    return null;
                }
                segments.Add(new IdentifierSyntax(segment, Span(start, start + segment.Length)));
                start += segment.Length + 1;
            }
            if (!tag.AtEnd)
            {
                tag.NextWord(out int extraStart);
                Report(extraStart, close, $"Unexpected text after `{first}` in this tag; a tag holds one path");
                return null;
            }
            return segments.ToImmutable();
        }

        private static bool IsName(string s)
        {
            if (s.Length == 0 || !Tokens.IsIdentifierStart(s[0])) return false;
            foreach (char c in s) if (!Tokens.IsIdentifierPart(c)) return false;
            return true;
        }

        private TextSpan Span(int start, int end) =>
            end > start ? _map.ToFileSpan(start, end - start) : new TextSpan(_map.ToFileOffset(start), 0);

        private void Report(int start, int end, string message) =>
            _diagnostics.Add(DiagnosticBuilder.At(_file, Span(start, end)).TemplateSyntaxError(message));
    }

    private sealed record TemplateForHeader(IdentifierSyntax Variable, ImmutableArray<IdentifierSyntax> Source);

    /// <summary>The inside of one <c>{{ ... }}</c>, read word by word (a word is a run of non-blank characters).</summary>
    private sealed class Tag
    {
        private readonly string _text;
        private readonly int _end;
        private int _position;

        public Tag(string text, int start, int end)
        {
            _text = text;
            _position = start;
            _end = end;
        }

        public bool AtEnd
        {
            get
            {
                SkipBlanks();
                return _position >= _end;
            }
        }

        public string NextWord(out int start)
        {
            SkipBlanks();
            start = _position;
            while (_position < _end && !char.IsWhiteSpace(_text[_position])) _position++;
            return _text.Substring(start, _position - start);
        }

        private void SkipBlanks()
        {
            while (_position < _end && char.IsWhiteSpace(_text[_position])) _position++;
        }
    }
}
