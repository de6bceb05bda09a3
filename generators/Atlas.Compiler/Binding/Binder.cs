using System.Collections.Generic;
using System.Threading;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Model;
using Atlas.Compiler.Syntax;

namespace Atlas.Compiler.Binding;

/// <summary>Binds syntax trees into the checked model. (Being written; see the binder branch.)</summary>
internal static class Binder
{
    public static AtlasModel Bind(IReadOnlyList<SyntaxTree> trees, DiagnosticBag diagnostics, CancellationToken cancellationToken) => AtlasModel.Empty;
}
