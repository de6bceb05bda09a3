using System;
using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler;
using Atlas.Compiler.Text;
using Microsoft.CodeAnalysis;

namespace Atlas.Generators.Pipeline;

/// <summary>
/// Which of the assemblies generated code may need the project references (by name; ProjectReference and
/// PackageReference look the same here). Equatable, so a C# edit that leaves the references as they were stops here.
/// </summary>
internal sealed record ReferencedPackages(EquatableArray<string> Names)
{
    /// <summary>The assemblies generated code calls into for declarations that need a package of their own (ATL2031, ATL2036).</summary>
    private static readonly string[] Watched = CompilationHost.CheckedPackages.ToArray();

    public static ReferencedPackages Of(Compilation compilation)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reference in compilation.ReferencedAssemblyNames)
        {
            if (Array.IndexOf(Watched, reference.Name) >= 0) present.Add(reference.Name);
        }

        return new ReferencedPackages(Watched.Where(present.Contains).ToEquatableArray());
    }

    public bool Contains(string name) => Names.AsImmutableArray().Contains(name);
}
