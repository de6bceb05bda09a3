using System.Globalization;
using System.Linq;
using Atlas.Generators.Emit;
using Atlas.Generators.Tests.Support;
using Atlas.Testing;

namespace Atlas.Generators.Tests.Limits;

/// <summary>
/// The generator shares the front-end, so what crashed <c>atlas check</c> crashed <c>dotnet build</c>
/// (issue 11): through the GeneratorDriver, each hostile input is diagnostics, never a crashed build.
/// </summary>
public class HostileInputTests
{
    public static TheoryData<string, int> DeepBlockForms()
    {
        var data = new TheoryData<string, int>();
        foreach (int depth in new[] { 2_350, 100_000 })
        {
            foreach (var form in HostileInputs.DeepBlocks(1))
                data.Add(form.Name, depth);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DeepBlockForms))]
    public void DeeplyNestedBlock_OneNestingError(string form, int depth)
    {
        var input = HostileInputs.DeepBlocks(depth).Single(f => f.Name == form);
        var result = new GeneratorHarness(new[] { new InMemoryAdditionalText("/src/" + input.Path, input.Text) }, CSharpAtlasEmitter.Instance).Run();

        result.AssertNoGeneratorException();
        var errors = result.Diagnostics.Where(d => d.Id != "ATL2013").ToArray();
        var error = Assert.Single(errors);
        Assert.True(error.Id is "ATL0001" or "ATL1001", error.Id);
        Assert.Contains("64 levels", error.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ThousandsOfErrors_FirstHundredAndOneSummary()
    {
        var result = new GeneratorHarness(("/src/tags.atlas", HostileInputs.ManyBadTags(5_000))).Run();

        result.AssertNoGeneratorException();
        Assert.Equal(101, result.Diagnostics.Length);
        var summary = result.Diagnostics[^1];
        Assert.Equal("ATL0006", summary.Id);
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Error, summary.Severity);
        Assert.StartsWith("4,900 more diagnostics in this file are not shown (4,900 errors)", summary.GetMessage(CultureInfo.InvariantCulture));
    }
}
