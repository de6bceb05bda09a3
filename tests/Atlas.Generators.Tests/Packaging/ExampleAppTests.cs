using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Atlas.Generators.Tests.Support;

namespace Atlas.Generators.Tests.Packaging;

/// <summary>
/// Every project under examples/ is a real console app: it builds with `dotnet build` through the
/// generator (ProjectReference as an analyzer) and runs its workflow offline on the mock provider,
/// printing the typed result as JSON.
/// </summary>
[Collection(DotNetProcessCollection.Name)]
[Trait("Category", "Slow")]
public class ExampleAppTests
{
    public static IEnumerable<object[]> Examples() =>
        Directory.EnumerateFiles(Path.Combine(TestData.RepositoryRoot(), "examples"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => new object[] { Path.GetFileName(Path.GetDirectoryName(p)!) });

    [Fact]
    public void Examples_AreFound()
    {
        Assert.True(Examples().Count() >= 4);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_BuildsAndRunsOffline_PrintingItsResultAsJson(string example)
    {
        using var result = JsonDocument.Parse(BuildAndRun(example));
        Assert.Equal(JsonValueKind.Object, result.RootElement.ValueKind);
        Assert.NotEmpty(result.RootElement.EnumerateObject());
    }

    [Fact]
    public void DocumentDigest_AtlasAndYamlForms_PrintTheSameResult()
    {
        Assert.Equal(BuildAndRun("document-digest"), BuildAndRun("document-digest-yaml"));
    }

    [Fact]
    public void Dispatch_BuiltApp_CallsItsReadOnlyToolAndBothSpecialists_RecordsThePager()
    {
        using var result = JsonDocument.Parse(BuildAndRun("dispatch"));
        var trace = result.RootElement.GetProperty("trace").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(4, trace.Count);
        // page_team pages someone, so the offline mock only records the call (before the calls of that turn run).
        Assert.StartsWith("dispatcher would call page_team with {\"team\":", trace[0], StringComparison.Ordinal);
        Assert.EndsWith("(not read-only: the offline mock does not call it)", trace[0], StringComparison.Ordinal);
        Assert.StartsWith("dispatcher called lookup_account with {\"customer\":", trace[1], StringComparison.Ordinal);
        Assert.StartsWith("dispatcher delegated to billing_specialist: answered (", trace[2], StringComparison.Ordinal);
        Assert.StartsWith("dispatcher delegated to tech_specialist: answered (", trace[3], StringComparison.Ordinal);
        Assert.EndsWith(
            "(consulted lookup_account, billing_specialist, tech_specialist; would call page_team (not read-only: not called offline))",
            result.RootElement.GetProperty("resolution").GetProperty("answer").GetString(),
            StringComparison.Ordinal);
    }

    private static string BuildAndRun(string example)
    {
        string directory = Path.Combine(TestData.RepositoryRoot(), "examples", example);
        var (buildExit, buildOutput) = DotNetCli.Build(directory);
        Assert.True(buildExit == 0, $"dotnet build {example} failed:\n{buildOutput}");
        Assert.DoesNotContain(": warning ", buildOutput, StringComparison.Ordinal);

        string project = Path.GetFileNameWithoutExtension(Directory.GetFiles(directory, "*.csproj").Single());
        string dll = Path.Combine(directory, "bin", DotNetCli.Configuration, "net10.0", project + ".dll");
        var (exit, output) = DotNetCli.Run(directory, dll);
        Assert.True(exit == 0, $"{example} exited with {exit}:\n{output}");
        return output.Trim();
    }
}
