using System.Collections.Immutable;
using System.Threading;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Syntax;

/// <summary>The .atlas parser. (Being written.)</summary>
public static partial class AtlasParser
{
    public static SyntaxTree ParseFile(SourceFile file, DiagnosticBag diagnostics, CancellationToken cancellationToken = default) =>
        new(file, ImmutableArray<DeclarationSyntax>.Empty);
}
