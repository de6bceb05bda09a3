using System.Linq;
using System.Text;
using Atlas.Benchmarks;
using Atlas.Compiler;
using Atlas.Compiler.Text;

namespace Atlas.Cli.Tests;

/// <summary>The benchmark input: big enough, deterministic, and valid in both forms.</summary>
public sealed class LargeAtlasGeneratorTests
{
    private const int SmallTarget = 40_000;

    [Fact]
    public void Generate_Default_IsAtLeastOneMegabyteAndDeterministic()
    {
        var first = LargeAtlasGenerator.GenerateAtlas();
        var second = LargeAtlasGenerator.GenerateAtlas();

        Assert.True(Encoding.UTF8.GetByteCount(first) >= 1_000_000);
        Assert.Equal(first, second);
        Assert.Equal(LargeAtlasGenerator.GenerateYaml(), LargeAtlasGenerator.GenerateYaml());
    }

    [Fact]
    public void Generate_Atlas_BindsWithNoDiagnostics()
    {
        var result = AtlasCompiler.Compile(new SourceFile("large.atlas", LargeAtlasGenerator.GenerateAtlas(SmallTarget)));

        Assert.True(result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics.Take(20).Select(d => d.ToString())));
        Assert.True(result.Model.Workflows.Count >= 10, $"{result.Model.Workflows.Count} workflows");
    }

    [Fact]
    public void Generate_Yaml_BindsToTheSameModel()
    {
        var atlas = AtlasCompiler.Compile(new SourceFile("large.atlas", LargeAtlasGenerator.GenerateAtlas(SmallTarget)));
        var yaml = AtlasCompiler.Compile(new SourceFile("large.atlas.yaml", LargeAtlasGenerator.GenerateYaml(SmallTarget)));

        Assert.True(yaml.Diagnostics.Count == 0, string.Join("\n", yaml.Diagnostics.Take(20).Select(d => d.ToString())));
        Assert.Equal(atlas.Model, yaml.Model);
    }
}
