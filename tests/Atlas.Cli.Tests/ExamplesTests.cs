using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Atlas.Compiler;
using Atlas.Compiler.Text;

namespace Atlas.Cli.Tests;

/// <summary>The examples are part of the product: each must check clean, and the YAML twin must mean the same.</summary>
public sealed class ExamplesTests
{
    public static TheoryData<string> Examples => new(
        Directory.GetDirectories(Path.Combine(Cli.RepositoryRoot, "examples"))
            .Select(Path.GetFileName)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray()!);

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_Compiles_WithNoDiagnostics(string example)
    {
        var result = Compile(example);

        Assert.True(result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics.Select(d => d.ToString())));
        Assert.NotEmpty(result.Model.Workflows);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_KnowledgeSources_MatchFiles(string example)
    {
        var directory = Path.Combine(Cli.RepositoryRoot, "examples", example);
        var model = Compile(example).Model;

        Assert.NotEmpty(model.KnowledgeBases);
        foreach (var knowledge in model.KnowledgeBases)
        {
            foreach (var source in knowledge.Sources)
            {
                Assert.True(Glob(directory, source).Length > 0, $"{example}: knowledge `{knowledge.Name}` source `{source}` matches no file");
            }
        }
    }

    [Fact]
    public void DocumentDigestYaml_BindsToTheSameModelAsTheAtlasForm()
    {
        var atlas = Compile("document-digest");
        var yaml = Compile("document-digest-yaml");

        Assert.Empty(atlas.Diagnostics);
        Assert.Empty(yaml.Diagnostics);
        // Piecewise first, so a difference names the declaration that differs.
        Assert.Equal(atlas.Model.Providers, yaml.Model.Providers);
        Assert.Equal(atlas.Model.Routes, yaml.Model.Routes);
        Assert.Equal(atlas.Model.Enums, yaml.Model.Enums);
        Assert.Equal(atlas.Model.Types, yaml.Model.Types);
        Assert.Equal(atlas.Model.Tools, yaml.Model.Tools);
        Assert.Equal(atlas.Model.KnowledgeBases, yaml.Model.KnowledgeBases);
        foreach (var (a, y) in atlas.Model.Agents.Zip(yaml.Model.Agents)) Assert.Equal(a, y);
        foreach (var (a, y) in atlas.Model.Workflows.Zip(yaml.Model.Workflows)) Assert.Equal(a, y);
        Assert.Equal(atlas.Model, yaml.Model);
    }

    [Fact]
    public void DocumentDigestYaml_ShipsTheSameDocuments()
    {
        var atlasDocs = Path.Combine(Cli.RepositoryRoot, "examples", "document-digest", "docs");
        var yamlDocs = Path.Combine(Cli.RepositoryRoot, "examples", "document-digest-yaml", "docs");

        var names = Directory.GetFiles(atlasDocs).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(names, Directory.GetFiles(yamlDocs).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
        foreach (var name in names)
            Assert.Equal(File.ReadAllText(Path.Combine(atlasDocs, name!)), File.ReadAllText(Path.Combine(yamlDocs, name!)));
    }

    [Fact]
    public void MainJob_CheckExamples_Exits0()
    {
        var result = Cli.RunIn(Cli.RepositoryRoot, null, "check", "examples/");

        Assert.Equal("", result.Stderr);
        var files = Directory.GetFiles(Path.Combine(Cli.RepositoryRoot, "examples"), "*.atlas*", SearchOption.AllDirectories).Length;
        Assert.Equal($"checked {files} files ({Examples.Count} projects): no errors\n", result.Stdout);
        Assert.Equal(0, result.ExitCode);
    }

    private static CompilationResult Compile(string example) =>
        AtlasCompiler.Compile(Cli.ExampleFiles(example).Select(f => new SourceFile(f, File.ReadAllText(f))));

    /// <summary>Files under <paramref name="root"/> matching a knowledge source pattern (<c>*</c>, <c>**/</c>).</summary>
    private static string[] Glob(string root, string pattern)
    {
        var regex = new Regex(
            "^" + Regex.Escape(pattern).Replace(@"\*\*/", "(.*/)?").Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]") + "$");
        return Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => regex.IsMatch(f))
            .ToArray();
    }
}
