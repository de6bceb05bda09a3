using System.Collections.Immutable;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Syntax;

/// <summary>Parses prompt/instruction templates. (Being written: this signature is final.)</summary>
public static class TemplateParser
{
    /// <summary>
    /// Parses <c>{{path}}</c> and <c>{{for x in path}}...{{end}}</c> inside a string value; spans map through
    /// the string's <see cref="SourceMap"/> into its file. Errors are ATL0003; the parts that parsed are kept.
    /// </summary>
    public static TemplateSyntax Parse(StringValueSyntax value, SourceFile file, DiagnosticBag diagnostics) =>
        new(ImmutableArray.Create<TemplatePartSyntax>(new TemplateTextSyntax(value.Value, value.Span)), value.Span);
}
