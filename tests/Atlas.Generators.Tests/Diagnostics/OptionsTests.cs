using System.Linq;
using Atlas.Generators.Configuration;
using Atlas.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace Atlas.Generators.Tests.Diagnostics;

/// <summary>The namespace of generated code: AtlasNamespace, else RootNamespace, else the assembly name.</summary>
public class OptionsTests
{
    [Theory]
    [InlineData("Acme.Support", "Acme", "Acme.Support")]
    [InlineData(null, "Acme", "Acme")]
    [InlineData("", "Acme", "Acme")]
    [InlineData(null, null, "Consumer")]
    public void Namespace_FallsBackInOrder(string? atlasNamespace, string? rootNamespace, string expected)
    {
        var properties = new (string, string)[] { ("AtlasNamespace", atlasNamespace!), ("RootNamespace", rootNamespace!) }.Where(p => p.Item2 is not null).ToArray();
        var harness = new GeneratorHarness(
            new[] { new InMemoryAdditionalText("/src/a.atlas", TestData.Agents) },
            new FakeEmitter(),
            TestAnalyzerConfigOptionsProvider.FromProperties(properties));

        var result = harness.Run();

        Assert.All(result.GeneratedTrees, t => Assert.Contains("namespace " + expected + "\n", t.GetText().ToString(), System.StringComparison.Ordinal));
        Assert.NotEmpty(result.GeneratedTrees);
    }

    [Theory]
    [InlineData("my-app", "my_app")]
    [InlineData("1st.Tool", "_1st.Tool")]
    [InlineData("A..B", "A.B")]
    [InlineData("  ", "Atlas.Generated")]
    public void Namespace_IsMadeAValidIdentifier(string name, string expected) =>
        Assert.Equal(expected, AtlasGeneratorOptions.ToNamespace(name));

    [Fact]
    public void ChangingAtlasNamespace_ReEmits()
    {
        var harness = new GeneratorHarness(new[] { new InMemoryAdditionalText("/src/a.atlas", TestData.Agents) }, new FakeEmitter());
        harness.Run();

        harness.WithOptions(TestAnalyzerConfigOptionsProvider.FromProperties(("AtlasNamespace", "Other")));
        var result = harness.Run();

        Assert.All(result.OutputReasons(TrackingNames.Units), r => Assert.Equal(IncrementalStepRunReason.Modified, r));
        Assert.All(result.GeneratedTrees, t => Assert.Contains("namespace Other\n", t.GetText().ToString(), System.StringComparison.Ordinal));
    }
}
