using System.Text;
using Atlas.Compiler.Emit;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Atlas.Generators.Configuration;

/// <summary>
/// The MSBuild properties the generator reads (made visible by build/Atlas.Generators.props as
/// <c>CompilerVisibleProperty</c>, so they arrive as <c>build_property.*</c>). Equatable strings only.
/// </summary>
internal sealed record AtlasGeneratorOptions(string? AtlasNamespace, string? RootNamespace)
{
    public static AtlasGeneratorOptions Read(AnalyzerConfigOptions globalOptions) =>
        new(Get(globalOptions, "AtlasNamespace"), Get(globalOptions, "RootNamespace"));

    /// <summary>
    /// The namespace of generated code: <c>AtlasNamespace</c>, else <c>RootNamespace</c>, else the
    /// assembly name, made a valid C# namespace (a project named <c>my-app</c> gets <c>my_app</c>).
    /// </summary>
    public EmitOptions ToEmitOptions(string? assemblyName) =>
        new(ToNamespace(AtlasNamespace ?? RootNamespace ?? assemblyName));

    private static string? Get(AnalyzerConfigOptions options, string property) =>
        options.TryGetValue("build_property." + property, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    internal static string ToNamespace(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "Atlas.Generated";
        var result = new StringBuilder(name!.Length + 4);
        foreach (var part in name.Split('.'))
        {
            if (part.Length == 0) continue;
            if (result.Length > 0) result.Append('.');
            if (!IsIdentifierStart(part[0])) result.Append('_');
            foreach (char c in part) result.Append(IsIdentifierPart(c) ? c : '_');
        }
        return result.Length == 0 ? "Atlas.Generated" : result.ToString();
    }

    private static bool IsIdentifierStart(char c) => c == '_' || char.IsLetter(c);

    private static bool IsIdentifierPart(char c) => c == '_' || char.IsLetterOrDigit(c);
}
