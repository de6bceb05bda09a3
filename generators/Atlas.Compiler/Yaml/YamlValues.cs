using System.Collections.Immutable;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Yaml;

/// <summary>
/// Converts YAML nodes into attribute values, names, type references and expressions, the way
/// the .atlas parser would have parsed the same text; reports ATL1002 for nodes of the wrong shape,
/// ATL1007 for a key that is not a name and ATL1008 for an alias.
/// One instance per file; not thread-safe.
/// </summary>
internal sealed class YamlValues
{
    private readonly SourceFile _file;
    private readonly DiagnosticBag _diagnostics;

    public YamlValues(SourceFile file, DiagnosticBag diagnostics)
    {
        _file = file;
        _diagnostics = diagnostics;
    }

    public SourceFile File => _file;

    /// <summary>Diagnostics at <paramref name="node"/>.</summary>
    public DiagnosticBuilder At(YamlNode node) => DiagnosticBuilder.At(_file, node.Span);

    public void Report(Diagnostic diagnostic) => _diagnostics.Add(diagnostic);

    /// <summary>ATL1002 at <paramref name="node"/>: <paramref name="problem"/> says what was expected and what this is.</summary>
    public void Unexpected(YamlNode node, string problem) => Report(At(node).YamlUnexpectedNode(problem));

    /// <summary>The map of a scalar's decoded value to file offsets.</summary>
    public SourceMap MapOf(YamlScalar scalar) =>
        YamlScalarMap.Compute(_file.Text, scalar.Start, scalar.End, scalar.Style, scalar.Value);

    /// <summary>
    /// A key as a name. Reports and returns null when it is not a scalar or not a valid name
    /// (letters, digits and <c>_</c>, not starting with a digit).
    /// </summary>
    public IdentifierSyntax? Name(YamlNode key, string what)
    {
        if (key is not YamlScalar scalar || scalar.IsNull)
        {
            Unexpected(key, $"{Capitalize(what)} must be a name, but this is {key.Describe()}");
            return null;
        }
        if (!IsIdentifier(scalar.Value))
        {
            Report(At(key).YamlInvalidName(scalar.Describe(), what));
            return null;
        }
        // A quoted name's span is the name itself, as in .atlas, not its quotes.
        var span = scalar.IsPlain ? scalar.Span : MapOf(scalar).ToFileSpan(0, scalar.Value.Length);
        return new IdentifierSyntax(scalar.Value, span);
    }

    /// <summary>
    /// An attribute value: a mapping is a block, a sequence a list, a quoted or block scalar a
    /// string, and a plain scalar whatever the .atlas value grammar makes of its text (a bare
    /// string when it is none of those). Null after reporting an error.
    /// </summary>
    public ValueSyntax? Value(YamlNode node, string owner)
    {
        switch (node)
        {
            case YamlScalar { IsNull: true }:
                Unexpected(node, $"{Capitalize(owner)} has no value (YAML reads an empty entry as null); write one");
                return null;
            case YamlScalar scalar when scalar.IsExplicitString:
                return String(scalar);
            case YamlScalar scalar:
                var map = MapOf(scalar);
                int reported = _diagnostics.Count;
                var parsed = AtlasParser.TryParseValue(_file, scalar.Value, map, _diagnostics);
                if (parsed is null && _diagnostics.Count > reported) return null; // nested too deep: reported
                return parsed ?? new StringValueSyntax(scalar.Value, map, scalar.Span, IsBareYamlScalar: true);
            case YamlMapping { IsFlow: true } mapping when StartsTemplate(mapping):
                // `prompt: {{ticket.body}}` is a YAML flow mapping, not a string.
                Unexpected(node, $"{Capitalize(owner)} starts with `{{{{`, so YAML reads it as a mapping; quote it (\"{{{{...}}}}\") or use `|` to write a template");
                return null;
            case YamlMapping mapping:
                return new BlockValueSyntax(null, Block(mapping, owner), mapping.Span);
            case YamlSequence sequence:
                var items = ImmutableArray.CreateBuilder<ValueSyntax>(sequence.Items.Count);
                foreach (var item in sequence.Items)
                {
                    var value = Value(item, "an item of " + owner);
                    if (value is not null) items.Add(value);
                }
                return new ListValueSyntax(items.ToImmutable(), sequence.Span);
            default:
                ReportUnsupported(node, "a value");
                return null;
        }
    }

    /// <summary>The attributes of a mapping, one per key.</summary>
    public BlockSyntax Block(YamlMapping mapping, string owner)
    {
        var attributes = ImmutableArray.CreateBuilder<AttributeSyntax>(mapping.Pairs.Count);
        foreach (var pair in mapping.Pairs)
        {
            if (!pair.Value.IsComplete) continue;
            var attribute = Attribute(pair.Key, pair.Value, owner);
            if (attribute is not null) attributes.Add(attribute);
        }
        return new BlockSyntax(attributes.ToImmutable(), mapping.Span);
    }

    public AttributeSyntax? Attribute(YamlNode key, YamlNode value, string owner)
    {
        var name = Name(key, "an attribute of " + owner);
        if (name is null) return null;
        var converted = Value(value, $"`{name.Name}`");
        return converted is null ? null : new AttributeSyntax(name, converted, Cover(key, value));
    }

    /// <summary>A quoted or block scalar (or any scalar read as text) as a string with its exact map.</summary>
    public StringValueSyntax String(YamlScalar scalar) => new(scalar.Value, MapOf(scalar), scalar.Span);

    /// <summary>A type reference (<c>Ticket</c>, <c>string[]</c>, <c>Passage[]?</c>) written as a scalar.</summary>
    public TypeRefSyntax? TypeRef(YamlNode node, string owner)
    {
        if (node is not YamlScalar scalar)
        {
            ReportUnsupported(node, $"the type of {owner}, like `string` or `Ticket[]`");
            return null;
        }
        if (scalar.IsNull || scalar.Value.Trim().Length == 0)
        {
            Unexpected(node, $"{Capitalize(owner)} needs a type, like `string` or `Ticket[]`");
            return null;
        }
        return AtlasParser.ParseTypeRef(_file, scalar.Value, MapOf(scalar), _diagnostics);
    }

    /// <summary>
    /// A workflow expression written as a scalar; a flow collection (<c>[a, b]</c>) is read as the
    /// expression its text spells. Null after reporting an error.
    /// </summary>
    public ExpressionSyntax? Expression(YamlNode node, string owner)
    {
        switch (node)
        {
            case YamlScalar scalar when scalar.IsNull || scalar.Value.Trim().Length == 0:
                Unexpected(node, $"{Capitalize(owner)} has no expression; write one after the `:`");
                return null;
            case YamlScalar scalar:
                return AtlasParser.ParseExpression(_file, scalar.Value, MapOf(scalar), _diagnostics);
            case YamlMapping { IsFlow: true } or YamlSequence { IsFlow: true }:
                var span = node.Span;
                return AtlasParser.ParseExpression(_file, _file.GetText(span), SourceMap.Contiguous(span.Start, span.Length), _diagnostics);
            default:
                ReportUnsupported(node, $"{owner} as an expression string (quote it, or use `|` for several lines)");
                return null;
        }
    }

    /// <summary>Reports <paramref name="node"/> where <paramref name="expected"/> is needed (aliases get their own message).</summary>
    public void ReportUnsupported(YamlNode node, string expected)
    {
        switch (node)
        {
            case YamlAlias alias:
                Report(At(node).YamlAlias(alias.Name));
                return;
            default:
                Unexpected(node, $"Expected {expected}, but this is {node.Describe()}");
                return;
        }
    }

    private bool StartsTemplate(YamlNode node) =>
        node.Start + 1 < _file.Text.Length && _file.Text[node.Start] == '{' && _file.Text[node.Start + 1] == '{';

    public static TextSpan Cover(YamlNode key, YamlNode value) => TextSpan.FromBounds(key.Start, System.Math.Max(key.End, value.End));

    public static bool IsIdentifier(string text)
    {
        if (text.Length == 0 || !(char.IsLetter(text[0]) || text[0] == '_')) return false;
        foreach (char c in text)
        {
            if (!(char.IsLetterOrDigit(c) || c == '_')) return false;
        }
        return true;
    }

    public static string Capitalize(string text) =>
        text.Length == 0 || !char.IsLower(text[0]) ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);
}
