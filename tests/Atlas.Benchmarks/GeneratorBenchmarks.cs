using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Atlas.Generators;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Atlas.Benchmarks;

/// <summary>
/// The source generator on a project of 50 .atlas files (one domain module each): a cold run
/// (a new driver: parse, bind and emit everything) and an incremental run after one file is edited
/// (the driver keeps its cache; only that file is parsed again and only what it changes re-emits).
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private const int FileCount = 50;

    private CSharpCompilation _compilation = null!;
    private ImmutableArray<AdditionalText> _files;
    private CSharpParseOptions _parseOptions = null!;
    private GeneratorDriver _warm = null!;
    private AdditionalText _current = null!;
    private AdditionalText _edited = null!;

    [GlobalSetup]
    public void Setup()
    {
        var texts = LargeAtlasGenerator.GenerateAtlasFiles(FileCount);
        _files = texts.Select((text, i) => (AdditionalText)new InMemoryAdditionalText($"/project/domain{i:00}.atlas", text)).ToImmutableArray();

        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(Atlas.Runtime.AtlasRuntime).Assembly.Location)
            .Select(p => MetadataReference.CreateFromFile(p));
        _parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        _compilation = CSharpCompilation.Create(
            "GeneratorBench",
            new[] { CSharpSyntaxTree.ParseText("namespace GeneratorBench; public static class Entry { }", _parseOptions) },
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        _warm = NewDriver().RunGenerators(_compilation);
        _current = _files[FileCount / 2];
        // An edit that changes one agent's prompt: a real change, but to one file only.
        var text = _current.GetText()!.ToString();
        int prompt = text.IndexOf("prompt", StringComparison.Ordinal);
        _edited = new InMemoryAdditionalText(_current.Path, text.Insert(text.IndexOf('"', prompt) + 1, "Please: "));

        // A generator that failed to load or threw shows up as a warning (CS8784/CS8785), not an exception.
        var generated = _warm.GetRunResult();
        if (!generated.Diagnostics.IsEmpty || generated.Results.Any(r => r.Exception is not null))
            throw new InvalidOperationException("The generator did not run cleanly: " + string.Join("; ", generated.Diagnostics));
    }

    /// <summary>A fresh driver: everything parsed, bound and emitted.</summary>
    [Benchmark]
    public GeneratorDriver Cold() => NewDriver().RunGenerators(_compilation);

    /// <summary>One file edited on a warm driver (alternating between two versions of it).</summary>
    [Benchmark]
    public GeneratorDriver OneFileEdit()
    {
        _warm = _warm.ReplaceAdditionalText(_current, _edited).RunGenerators(_compilation);
        (_current, _edited) = (_edited, _current);
        return _warm;
    }

    private GeneratorDriver NewDriver() => CSharpGeneratorDriver.Create(
        new[] { new AtlasGenerator().AsSourceGenerator() },
        additionalTexts: _files,
        parseOptions: _parseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));

    private sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }
}
