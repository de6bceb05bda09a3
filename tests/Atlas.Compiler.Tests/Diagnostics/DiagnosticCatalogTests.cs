using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Tests.Fuzzing;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Tests.Diagnostics;

/// <summary>
/// spec/diagnostics.md is executable: every section's example is compiled and must print exactly
/// the lines shown. With ATLAS_ACCEPT=1 the expected lines are rewritten from the actual output.
/// </summary>
public class DiagnosticCatalogTests
{
    private static readonly string SpecPath = Path.Combine(FrontEndFuzzTests.RepositoryRoot(), "spec", "diagnostics.md");

    private static readonly Regex Section = new(@"^## (ATL\d{4}): (.+)$", RegexOptions.Multiline);
    // An example may name the host that reports its diagnostic: ```atlas atlas-check or ```atlas dotnet-build.
    private static readonly Regex Example = new(@"```(atlas|yaml)(?: ([a-z-]+))?\n(.*?)```", RegexOptions.Singleline);
    private static readonly Regex Expected = new(@"```text\n(.*?)```", RegexOptions.Singleline);

    public static IEnumerable<DiagnosticDescriptor> Descriptors() => typeof(DiagnosticDescriptors)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!);

    public static IEnumerable<object[]> DocumentedExamples() =>
        Sections(File.ReadAllText(SpecPath)).Where(s => s.Example is not null).Select(s => new object[] { s.Id });

    [Fact]
    public void Catalog_Ids_AreUniqueWellFormedAndInTheirBand()
    {
        var descriptors = Descriptors().ToList();
        Assert.Equal(descriptors.Count, descriptors.Select(d => d.Id).Distinct().Count());
        foreach (var d in descriptors)
        {
            Assert.Matches(@"^ATL\d{4}$", d.Id);
            char band = d.Id[3];
            string expectedCategory = band switch
            {
                '0' => "Atlas.Syntax",
                '1' => "Atlas.Yaml",
                '2' => "Atlas.Binding",
                '3' => "Atlas.Workflow",
                '9' => "Atlas.Internal",
                _ => "no such band",
            };
            Assert.True(d.Category == expectedCategory, $"{d.Id} is in category {d.Category}, expected {expectedCategory}");
        }
    }

    [Fact]
    public void Catalog_EveryId_IsDocumentedWithAnExample()
    {
        var sections = Sections(File.ReadAllText(SpecPath)).ToDictionary(s => s.Id);
        foreach (var d in Descriptors())
        {
            Assert.True(sections.ContainsKey(d.Id), $"{d.Id} ({d.Title}) has no section in spec/diagnostics.md");
            // These two cannot come from text (see their sections); unit tests trigger them from built trees.
            if (d.Id != DiagnosticDescriptors.InternalError.Id && d.Id != DiagnosticDescriptors.NestingTooDeep.Id)
                Assert.True(sections[d.Id].Example is not null, $"{d.Id} has no example in spec/diagnostics.md");
        }
        Assert.All(sections.Keys, id => Assert.Contains(Descriptors(), d => d.Id == id));
    }

    [Theory]
    [MemberData(nameof(DocumentedExamples))]
    public void Catalog_Example_PrintsExactlyItsDiagnostics(string id)
    {
        string doc = File.ReadAllText(SpecPath);
        var section = Sections(doc).Single(s => s.Id == id);
        var actual = Run(section).ToList();

        if (Environment.GetEnvironmentVariable("ATLAS_ACCEPT") == "1")
        {
            Accept(id, actual);
            return;
        }

        Assert.True(actual.Any(line => line.Contains(" " + id + ": ", StringComparison.Ordinal)),
            $"The example for {id} does not trigger it. It printed:\n" + string.Join("\n", actual));
        Assert.Equal(section.Expected, actual);
    }

    [Fact]
    public void InternalError_WhenBindingThrows_IsAnAtl9001AtTheFileStartNotAnException()
    {
        var file = new SourceFile("broken.atlas", "provider p { kind = mock }");
        var bag = new DiagnosticBag();
        var tree = AtlasParser.ParseFile(file, bag);

        var model = AtlasCompiler.Bind(new[] { tree }, bag, default, (_, _, _) => throw new InvalidOperationException("boom"));

        var diagnostic = Assert.Single(bag.ToSortedArray());
        Assert.Equal("ATL9001", diagnostic.Id);
        Assert.Equal(new LinePosition(1, 1), diagnostic.Location.Start);
        Assert.Contains("InvalidOperationException: boom", diagnostic.Message);
        Assert.Same(Atlas.Compiler.Model.AtlasModel.Empty, model);
    }

    [Fact]
    public void InternalError_Cancellation_IsRethrownNotReported()
    {
        var bag = new DiagnosticBag();
        Assert.Throws<OperationCanceledException>(() =>
            AtlasCompiler.Bind(Array.Empty<SyntaxTree>(), bag, default, (_, _, _) => throw new OperationCanceledException()));
        Assert.Equal(0, bag.Count);
    }

    private static IEnumerable<string> Run(DocSection section)
    {
        string path = section.Language == "yaml" ? "example.atlas.yaml" : "example.atlas";
        var host = section.Host switch
        {
            null => null,
            // atlas check in a folder that holds no file the example's sources could match
            "atlas-check" => new CompilationHost { SourcesMatch = (_, _) => false },
            // dotnet build of a project that references the runtime and nothing else of Atlas
            "dotnet-build" => new CompilationHost { References = name => name == "Atlas.Runtime" },
            _ => throw new InvalidOperationException($"{section.Id}: unknown host `{section.Host}` in spec/diagnostics.md"),
        };
        var result = AtlasCompiler.Compile(new[] { new SourceFile(path, section.Example!) }, host);
        return result.Diagnostics
            .Where(d => d.Id != DiagnosticDescriptors.UnusedDeclaration.Id || section.Id == d.Id)
            .Select(d => d.ToString());
    }

    private static void Accept(string id, List<string> actual)
    {
        string doc = File.ReadAllText(SpecPath);
        var match = Section.Matches(doc).Cast<Match>().Single(m => m.Groups[1].Value == id);
        int start = match.Index;
        int next = doc.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        int end = next < 0 ? doc.Length : next;
        string body = doc.Substring(start, end - start);
        string replaced = Expected.Replace(body, "```text\n" + string.Concat(actual.Select(l => l + "\n")) + "```", 1);
        lock (typeof(DiagnosticCatalogTests))
        {
            doc = File.ReadAllText(SpecPath);
            File.WriteAllText(SpecPath, doc.Substring(0, start) + replaced + doc.Substring(end));
        }
    }

    private sealed record DocSection(string Id, string? Language, string? Host, string? Example, IReadOnlyList<string> Expected);

    private static IEnumerable<DocSection> Sections(string doc)
    {
        var matches = Section.Matches(doc).Cast<Match>().ToList();
        for (int i = 0; i < matches.Count; i++)
        {
            int start = matches[i].Index;
            int end = i + 1 < matches.Count ? matches[i + 1].Index : doc.Length;
            string body = doc.Substring(start, end - start);
            var example = Example.Match(body);
            var expected = Expected.Match(body);
            yield return new DocSection(
                matches[i].Groups[1].Value,
                example.Success ? example.Groups[1].Value : null,
                example.Success && example.Groups[2].Success ? example.Groups[2].Value : null,
                example.Success ? example.Groups[3].Value : null,
                expected.Success ? expected.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries) : Array.Empty<string>());
        }
    }
}
