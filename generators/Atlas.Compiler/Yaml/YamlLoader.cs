using System.Collections.Immutable;
using System.Threading;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Yaml;

/// <summary>Loads the YAML form into the same syntax tree as the .atlas parser. (Being written.)</summary>
public static class YamlLoader
{
    public static SyntaxTree Load(SourceFile file, DiagnosticBag diagnostics, CancellationToken cancellationToken) =>
        new(file, ImmutableArray<DeclarationSyntax>.Empty);
}
