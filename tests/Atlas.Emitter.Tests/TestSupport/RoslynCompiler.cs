using System.Reflection;
using System.Runtime.Loader;
using Atlas.Compiler.Emit;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Atlas.Emitter.Tests.TestSupport;

/// <summary>
/// Compiles generated sources (plus a consumer) in memory the way a project with
/// <c>Nullable=enable</c>, <c>TreatWarningsAsErrors</c> and XML docs would, against the
/// framework, the runtime and its dependencies (the assemblies this test process runs on).
/// </summary>
internal static class RoslynCompiler
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !Path.GetFileName(p).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());

    public static CSharpCompilation Compile(IEnumerable<GeneratedSource> generated, params string[] consumer)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Diagnose);
        var trees = generated.Select(g => CSharpSyntaxTree.ParseText(g.Text, parse, path: g.HintName))
            .Concat(consumer.Select((c, i) => CSharpSyntaxTree.ParseText(c, parse, path: $"Consumer{i}.cs")))
            .ToList();
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
            .WithNullableContextOptions(NullableContextOptions.Enable)
            .WithWarningLevel(9999)
            .WithGeneralDiagnosticOption(ReportDiagnostic.Error)
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
            {
                // The SDK passes /nowarn:1701,1702 (assembly unification notes) to every build.
                ["CS1701"] = ReportDiagnostic.Suppress,
                ["CS1702"] = ReportDiagnostic.Suppress,
            })
            .WithConcurrentBuild(false)
            .WithDeterministic(true);
        return CSharpCompilation.Create("Atlas.Consumer" + Guid.NewGuid().ToString("N"), trees, References.Value, options);
    }

    /// <summary>Errors and warnings (every warning is an error here), formatted like the command line.</summary>
    public static IReadOnlyList<Diagnostic> Problems(CSharpCompilation compilation) =>
        compilation.GetDiagnostics()
            .Where(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning)
            .ToList();

    public static string Describe(IEnumerable<Diagnostic> diagnostics, CSharpCompilation compilation)
    {
        var lines = new List<string>();
        foreach (var d in diagnostics.Take(30))
        {
            lines.Add(d.ToString());
            if (d.Location.IsInSource)
            {
                var line = d.Location.GetLineSpan().StartLinePosition.Line;
                lines.Add("    > " + d.Location.SourceTree!.GetText().Lines[line].ToString().Trim());
            }
        }

        return string.Join("\n", lines);
    }

    public static void AssertClean(CSharpCompilation compilation)
    {
        var problems = Problems(compilation);
        Assert.True(problems.Count == 0, "The generated code does not compile cleanly:\n" + Describe(problems, compilation));
    }

    /// <summary>Compiles cleanly and loads the assembly into a collectible context.</summary>
    public static Assembly Load(CSharpCompilation compilation)
    {
        AssertClean(compilation);
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, Describe(result.Diagnostics, compilation));
        stream.Position = 0;
        return new AssemblyLoadContext(compilation.AssemblyName, isCollectible: true).LoadFromStream(stream);
    }
}
