using System;
using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler.Binding;

namespace Atlas.Compiler;

/// <summary>
/// What the front-end may ask its host about the world outside the Atlas files. Each check runs only when the host can
/// answer it: <c>dotnet build</c> knows the project's references but must not touch the file system (RS1035: the
/// generator reads only its AdditionalFiles), <c>atlas check</c> sees the files but has no project.
/// </summary>
public sealed class CompilationHost
{
    /// <summary>
    /// The assemblies <see cref="References"/> is asked about: what generated code calls into for the declarations that need
    /// a package of their own (knowledge stores and MiniLM, ATL2031; each remote provider kind's client and MCP's, ATL2036).
    /// A host that answers from a list of references needs to know only these.
    /// </summary>
    public static IReadOnlyList<string> CheckedPackages { get; } =
        Binder.KnowledgePackages(Binder.BuiltInEmbedder).Concat(RuntimePackage.All.Select(p => p.Name)).Distinct().ToArray();

    /// <summary>
    /// Whether the project references the assembly of this name (<c>Atlas.Knowledge</c>...); the generator answers from the
    /// compilation's referenced assemblies. <see langword="null"/>: not a build, nothing to check (ATL2031, ATL2036).
    /// </summary>
    public Func<string, bool>? References { get; set; }

    /// <summary>
    /// Whether a knowledge base's <c>sources</c> glob (the second argument), relative to the folder of the Atlas file that
    /// declares it (the first), matches any file; <see langword="null"/> when it cannot tell (the folder is not there).
    /// <see langword="null"/> itself: no file system, nothing to check (ATL2025).
    /// </summary>
    public Func<string, string, bool?>? SourcesMatch { get; set; }
}
