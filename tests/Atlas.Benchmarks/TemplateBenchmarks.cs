using Atlas.Compiler;
using Atlas.Compiler.Text;
using Atlas.Testing;
using BenchmarkDotNet.Attributes;

namespace Atlas.Benchmarks;

/// <summary>
/// Parse + bind of one agent whose prompt is a 1 MB or 5 MB multi-line template with tags, as a
/// <c>"""</c> string and as a YAML <c>|</c> block: time must grow linearly with the size (issue 11,
/// item 9; it was quadratic, 144 s for 5 MB).
/// </summary>
[MemoryDiagnoser]
public class TemplateBenchmarks
{
    private SourceFile _file = null!;

    [Params(1, 5)]
    public int Megabytes { get; set; }

    [Params("atlas", "yaml")]
    public string Form { get; set; } = "atlas";

    [GlobalSetup]
    public void Setup()
    {
        int bytes = Megabytes * 1024 * 1024;
        _file = Form == "yaml"
            ? new SourceFile("t.atlas.yaml", HostileInputs.YamlWithPrompt(HostileInputs.TemplateLines(bytes, "      ")))
            : new SourceFile("t.atlas", HostileInputs.AtlasWithPrompt(HostileInputs.TemplateLines(bytes, "    ")));
    }

    [Benchmark(Description = "parse + bind a huge template")]
    public CompilationResult Compile() => AtlasCompiler.Compile(_file);
}
