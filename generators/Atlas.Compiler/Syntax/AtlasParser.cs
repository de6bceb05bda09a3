using System.Collections.Immutable;
using System.Threading;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Syntax;

/// <summary>The .atlas parser. (Being written: these signatures are final.)</summary>
public static partial class AtlasParser
{
    /// <summary>Parses a whole .atlas file; syntax errors are reported and parsing resumes at the next declaration.</summary>
    public static SyntaxTree ParseFile(SourceFile file, DiagnosticBag diagnostics, CancellationToken cancellationToken = default) =>
        new(file, ImmutableArray<DeclarationSyntax>.Empty);

    /// <summary>
    /// Parses a workflow expression held in a string (a YAML step); <paramref name="map"/> maps the
    /// string's characters to file offsets, so node spans and diagnostics point into <paramref name="file"/>.
    /// Returns null after reporting a syntax error.
    /// </summary>
    public static ExpressionSyntax? ParseExpression(SourceFile file, string text, SourceMap map, DiagnosticBag diagnostics) => null;

    /// <summary>Parses a type reference (<c>Ticket</c>, <c>string[]</c>, <c>Passage[]?</c>) held in a string. Null after an error.</summary>
    public static TypeRefSyntax? ParseTypeRef(SourceFile file, string text, SourceMap map, DiagnosticBag diagnostics) => null;

    /// <summary>
    /// Parses an attribute value (name, number, duration, bool, <c>env("X")</c>, <c>recursive { size = 800 }</c>, list, string)
    /// when the whole of <paramref name="text"/> is one; otherwise returns null and reports nothing.
    /// </summary>
    public static ValueSyntax? TryParseValue(SourceFile file, string text, SourceMap map) => null;
}
