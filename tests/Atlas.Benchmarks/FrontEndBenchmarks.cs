using System.Text;
using Atlas.Compiler;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;
using Atlas.Compiler.Yaml;
using BenchmarkDotNet.Attributes;

namespace Atlas.Benchmarks;

/// <summary>
/// Parse only, and parse + bind (the whole <see cref="AtlasCompiler.Compile(SourceFile[])"/>), on the
/// generated project in both forms. The input size is known, so the MB/s column is size / mean.
/// </summary>
[MemoryDiagnoser]
public class FrontEndBenchmarks
{
    private SourceFile _atlas = null!;
    private SourceFile _yaml = null!;

    [GlobalSetup]
    public void Setup()
    {
        _atlas = new SourceFile("large.atlas", Inputs.Atlas);
        _yaml = new SourceFile("large.atlas.yaml", Inputs.Yaml);
    }

    [Benchmark(Description = "parse .atlas")]
    [BenchmarkCategory("atlas")]
    public SyntaxTree ParseAtlas() => AtlasParser.ParseFile(_atlas, new DiagnosticBag());

    [Benchmark(Description = "parse + bind .atlas")]
    [BenchmarkCategory("atlas")]
    public CompilationResult CompileAtlas() => AtlasCompiler.Compile(_atlas);

    [Benchmark(Description = "parse .atlas.yaml")]
    [BenchmarkCategory("yaml")]
    public SyntaxTree ParseYaml() => YamlLoader.Load(_yaml, new DiagnosticBag(), default);

    [Benchmark(Description = "parse + bind .atlas.yaml")]
    [BenchmarkCategory("yaml")]
    public CompilationResult CompileYaml() => AtlasCompiler.Compile(_yaml);
}

/// <summary>The generated inputs, made once per process (the host and each benchmark process).</summary>
public static class Inputs
{
    private static string? s_atlas;
    private static string? s_yaml;

    public static string Atlas => s_atlas ??= LargeAtlasGenerator.GenerateAtlas();

    public static string Yaml => s_yaml ??= LargeAtlasGenerator.GenerateYaml();

    public static int AtlasBytes => Encoding.UTF8.GetByteCount(Atlas);

    public static int YamlBytes => Encoding.UTF8.GetByteCount(Yaml);

    /// <summary>The input size of a benchmark method of <see cref="FrontEndBenchmarks"/>.</summary>
    public static int BytesFor(string methodName) => methodName.Contains("Yaml", System.StringComparison.Ordinal) ? YamlBytes : AtlasBytes;
}
