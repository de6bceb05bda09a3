using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Atlas.Emitter.Tests.TestSupport;
using Atlas.Generators.Tests.Support;
using FrontEnd = Atlas.Compiler.Diagnostics;

namespace Atlas.Generators.Tests.Diagnostics;

/// <summary>
/// The Roslyn descriptor mirror (<c>Diagnostics/AtlasDiagnosticDescriptors.cs</c>) and release
/// tracking (<c>AnalyzerReleases.Unshipped.md</c>) are generated from the one catalog,
/// <c>Atlas.Compiler/Diagnostics/DiagnosticDescriptors.cs</c>, so adding a diagnostic touches that
/// file and spec/diagnostics.md only. A file that differs from what the catalog gives is written as
/// <c>*.received.*</c> beside it and the test fails; <c>ATLAS_ACCEPT=1</c> rewrites it.
/// </summary>
public class DiagnosticMirrorTests
{
    private static readonly string GeneratorDirectory = Path.Combine(TestData.RepositoryRoot(), "generators", "Atlas.Generators");

    private static readonly Regex TrackedRule = new(@"^(ATL\d{4}) \|", RegexOptions.Multiline);

    /// <summary>The catalog's descriptors with their field names, in id order.</summary>
    private static IReadOnlyList<(string Name, FrontEnd.DiagnosticDescriptor Descriptor)> Catalog() => typeof(FrontEnd.DiagnosticDescriptors)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(FrontEnd.DiagnosticDescriptor))
        .Select(f => (f.Name, Descriptor: (FrontEnd.DiagnosticDescriptor)f.GetValue(null)!))
        .OrderBy(d => d.Descriptor.Id, StringComparer.Ordinal)
        .ToList();

    [Fact]
    public void RoslynMirror_IsGeneratedFromTheCatalog() =>
        VerifyGenerated(Path.Combine(GeneratorDirectory, "Diagnostics", "AtlasDiagnosticDescriptors.cs"), RoslynMirror(Catalog()));

    [Fact]
    public void ReleaseTracking_IsGeneratedFromTheCatalog()
    {
        var shipped = TrackedRule.Matches(File.ReadAllText(Path.Combine(GeneratorDirectory, "AnalyzerReleases.Shipped.md")))
            .Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal);
        VerifyGenerated(Path.Combine(GeneratorDirectory, "AnalyzerReleases.Unshipped.md"), UnshippedReleases(Catalog(), shipped));
    }

    [Fact]
    public void RoslynMirror_ForANewDescriptor_GainsItsFieldInIdOrderAndInAll()
    {
        // The generated text follows the catalog, not a copy of today's file: a descriptor added
        // out of order in DiagnosticDescriptors.cs lands in id order, under its band's heading.
        var catalog = Catalog().ToList();
        catalog.Insert(0, ("BrandNew", new FrontEnd.DiagnosticDescriptor("ATL2999", "Brand new", "{0}", FrontEnd.DiagnosticSeverity.Warning, "Atlas.Binding")));
        var text = RoslynMirror(catalog.OrderBy(d => d.Descriptor.Id, StringComparer.Ordinal).ToList());

        const string field = "    public static readonly DiagnosticDescriptor BrandNew = new(\"ATL2999\", FrontEnd.BrandNew.Title, MessageFormat, \"Atlas.Binding\", DiagnosticSeverity.Warning, isEnabledByDefault: true);\n";
        Assert.Contains(field, text, StringComparison.Ordinal);
        Assert.True(text.IndexOf(field, StringComparison.Ordinal) < text.IndexOf("// 3xxx workflow graph", StringComparison.Ordinal));
        Assert.True(text.IndexOf(field, StringComparison.Ordinal) > text.IndexOf("// 2xxx binding and types", StringComparison.Ordinal));
        Assert.Contains("        BrandNew,\n        NonExhaustiveSwitch,\n", text, StringComparison.Ordinal);
        Assert.Contains("ATL2999 | Atlas.Binding | Warning | Brand new\n", UnshippedReleases(catalog, new HashSet<string>()), StringComparison.Ordinal);
    }

    [Fact]
    public void ReleaseTracking_LeavesShippedIdsOutOfUnshipped()
    {
        var text = UnshippedReleases(Catalog(), new HashSet<string>(StringComparer.Ordinal) { "ATL0001" });

        Assert.DoesNotContain("ATL0001 |", text, StringComparison.Ordinal);
        Assert.Contains("ATL0002 | Atlas.Syntax | Error | Unterminated string\n", text, StringComparison.Ordinal);
    }

    private static void VerifyGenerated(string path, string expected)
    {
        var received = Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path) + ".received" + Path.GetExtension(path));
        var existing = File.Exists(path) ? File.ReadAllText(path) : null;
        if (existing == expected)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }

        if (Environment.GetEnvironmentVariable("ATLAS_ACCEPT") == "1")
        {
            File.WriteAllText(path, expected);
            if (File.Exists(received)) File.Delete(received);
            return;
        }

        File.WriteAllText(received, expected);
        Assert.Fail($"{Path.GetFileName(path)} is not what DiagnosticDescriptors.cs gives (see {received}; run with ATLAS_ACCEPT=1 to rewrite it):\n"
            + TextDiff.Unified(existing ?? "", expected));
    }

    private static string RoslynMirror(IReadOnlyList<(string Name, FrontEnd.DiagnosticDescriptor Descriptor)> catalog)
    {
        var text = new StringBuilder();
        text.Append("""
            // Generated from Atlas.Compiler/Diagnostics/DiagnosticDescriptors.cs by
            // tests/Atlas.Generators.Tests/Diagnostics/DiagnosticMirrorTests.cs (RoslynMirror_IsGeneratedFromTheCatalog).
            // Do not edit: change the catalog, then run that test with ATLAS_ACCEPT=1.
            using System.Collections.Immutable;
            using Microsoft.CodeAnalysis;
            using FrontEnd = Atlas.Compiler.Diagnostics.DiagnosticDescriptors;

            namespace Atlas.Generators.Diagnostics;

            /// <summary>
            /// The Roslyn side of Atlas' diagnostic catalog: one <see cref="DiagnosticDescriptor"/> per
            /// front-end descriptor, with the same id, title, category and severity. Ids, categories and
            /// severities are literals so release tracking (AnalyzerReleases.*.md) can check them; titles come
            /// from the front-end. The front-end formats messages itself, so every message format is <c>{0}</c>.
            /// </summary>
            internal static class AtlasDiagnosticDescriptors
            {
                private const string MessageFormat = "{0}";

            """);

        char? band = null;
        foreach (var (name, d) in catalog)
        {
            if (d.Id[3] != band)
            {
                band = d.Id[3];
                text.Append('\n').Append("    // ").Append(BandHeading(band.Value)).Append('\n');
            }
            text.Append("    public static readonly DiagnosticDescriptor ").Append(name)
                .Append(" = new(\"").Append(d.Id).Append("\", FrontEnd.").Append(name).Append(".Title, MessageFormat, \"")
                .Append(d.Category).Append("\", DiagnosticSeverity.").Append(d.Severity).Append(", isEnabledByDefault: true);\n");
        }

        text.Append("""

                /// <summary>Every descriptor, in id order.</summary>
                public static readonly ImmutableArray<DiagnosticDescriptor> All = ImmutableArray.Create(

            """);
        text.Append(string.Join(",\n", catalog.Select(d => "        " + d.Name))).Append(");\n");
        text.Append("""

                private static readonly ImmutableDictionary<string, DiagnosticDescriptor> ById = CreateIndex();

                /// <summary>The descriptor for an Atlas id, or <see langword="null"/> if the catalog does not know it.</summary>
                public static DiagnosticDescriptor? Find(string id) => ById.TryGetValue(id, out var descriptor) ? descriptor : null;

                private static ImmutableDictionary<string, DiagnosticDescriptor> CreateIndex()
                {
                    var builder = ImmutableDictionary.CreateBuilder<string, DiagnosticDescriptor>(System.StringComparer.Ordinal);
                    foreach (var descriptor in All) builder[descriptor.Id] = descriptor;
                    return builder.ToImmutable();
                }
            }

            """);
        return text.ToString().Replace("\r\n", "\n");
    }

    private static string UnshippedReleases(IReadOnlyList<(string Name, FrontEnd.DiagnosticDescriptor Descriptor)> catalog, IReadOnlySet<string> shipped)
    {
        var text = new StringBuilder("""
            ; Unshipped analyzer release
            ; https://github.com/dotnet/roslyn-analyzers/blob/main/src/Microsoft.CodeAnalysis.Analyzers/ReleaseTrackingAnalyzers.Help.md
            ; Generated from Atlas.Compiler/Diagnostics/DiagnosticDescriptors.cs by DiagnosticMirrorTests (tests/Atlas.Generators.Tests);
            ; do not edit: change the catalog, then run that test with ATLAS_ACCEPT=1.

            ### New Rules

            Rule ID | Category | Severity | Notes
            --------|----------|----------|-------

            """);
        foreach (var (_, d) in catalog.Where(d => !shipped.Contains(d.Descriptor.Id)))
            text.Append(d.Id).Append(" | ").Append(d.Category).Append(" | ").Append(d.Severity).Append(" | ").Append(d.Title).Append('\n');
        return text.ToString().Replace("\r\n", "\n");
    }

    private static string BandHeading(char band) => band switch
    {
        '0' => "0xxx syntax",
        '1' => "1xxx YAML",
        '2' => "2xxx binding and types",
        '3' => "3xxx workflow graph",
        '9' => "9xxx internal",
        _ => band + "xxx",
    };
}
