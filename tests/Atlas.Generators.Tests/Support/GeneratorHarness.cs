using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Atlas.Generators.Emit;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Atlas.Generators.Tests.Support;

/// <summary>
/// Drives <see cref="AtlasGenerator"/> through a <see cref="CSharpGeneratorDriver"/> the way the
/// compiler does, with step tracking on, and keeps the driver between runs so edits can be
/// checked for what re-ran.
/// </summary>
internal sealed class GeneratorHarness
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray());

    private readonly List<AdditionalText> _texts;
    private GeneratorDriver _driver;

    public GeneratorHarness(
        IEnumerable<AdditionalText> texts,
        IAtlasEmitter? emitter = null,
        AnalyzerConfigOptionsProvider? options = null,
        string assemblyName = "Consumer",
        bool referencesKnowledge = true,
        bool referencesRuntimePackages = true)
    {
        _texts = texts.ToList();
        var generator = emitter is null ? new AtlasGenerator() : new AtlasGenerator(emitter);
        _driver = CSharpGeneratorDriver.Create(
            new[] { generator.AsSourceGenerator() },
            _texts,
            ParseOptions,
            options ?? TestAnalyzerConfigOptionsProvider.FromProperties(),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        Compilation = CSharpCompilation.Create(
            assemblyName,
            new[] { CSharpSyntaxTree.ParseText("namespace App { public static class Program { public static void Main() { } } }", ParseOptions, "/src/Program.cs") },
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        // As a project with knowledge bases must (ATL2031); tests of that diagnostic leave them out.
        if (referencesKnowledge) AddReferences("Atlas.Knowledge", "Atlas.Embeddings.MiniLM");

        // As a project declaring remote providers or MCP servers must (ATL2036); tests of that diagnostic leave them out.
        if (referencesRuntimePackages) AddReferences(RuntimePackageNames);
    }

    public GeneratorHarness(params (string Path, string Text)[] files)
        : this(files.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)))
    {
    }

    public CSharpCompilation Compilation { get; private set; }

    /// <summary>The compilation with the generated sources, after the last <see cref="Run"/>.</summary>
    public Compilation? Output { get; private set; }

    public GeneratorDriverRunResult Run()
    {
        _driver = _driver.RunGeneratorsAndUpdateCompilation(Compilation, out var output, out _);
        Output = output;
        return _driver.GetRunResult();
    }

    public void ReplaceText(string path, string text)
    {
        int index = _texts.FindIndex(t => t.Path == path);
        var replacement = new InMemoryAdditionalText(path, text);
        _driver = _driver.ReplaceAdditionalText(_texts[index], replacement);
        _texts[index] = replacement;
    }

    public void AddText(string path, string text)
    {
        var added = new InMemoryAdditionalText(path, text);
        _driver = _driver.AddAdditionalTexts(ImmutableArray.Create<AdditionalText>(added));
        _texts.Add(added);
    }

    public void AddCSharp(string path, string text) =>
        Compilation = Compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(text, ParseOptions, path));

    public void ReplaceCSharp(string path, string text)
    {
        var old = Compilation.SyntaxTrees.Single(t => t.FilePath == path);
        Compilation = Compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, ParseOptions, path));
    }

    public void WithOptions(AnalyzerConfigOptionsProvider options) => _driver = _driver.WithUpdatedAnalyzerConfigOptions(options);

    /// <summary>Adds a reference to an (empty) assembly of each name, as a PackageReference or ProjectReference would.</summary>
    public void AddReferences(params string[] assemblyNames)
    {
        foreach (var name in assemblyNames)
        {
            Compilation = Compilation.AddReferences(EmptyAssemblies.GetOrAdd(name, static n =>
            {
                var library = CSharpCompilation.Create(n, [CSharpSyntaxTree.ParseText("namespace " + n + " { }", ParseOptions)], References.Value, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
                using var image = new MemoryStream();
                var emitted = library.Emit(image);
                if (!emitted.Success) throw new InvalidOperationException(string.Join("\n", emitted.Diagnostics));
                return MetadataReference.CreateFromImage(image.ToArray());
            }));
        }
    }

    /// <summary>The packages of the provider kinds' clients and of MCP, as the front-end's checks name them.</summary>
    public static readonly string[] RuntimePackageNames = Atlas.Compiler.CompilationHost.CheckedPackages.Where(p => p.StartsWith("Atlas.Runtime.", StringComparison.Ordinal)).ToArray();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, MetadataReference> EmptyAssemblies = new(StringComparer.Ordinal);
}
