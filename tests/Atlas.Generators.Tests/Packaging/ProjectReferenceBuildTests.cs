using System;
using System.IO;
using Atlas.Generators.Tests.Support;

namespace Atlas.Generators.Tests.Packaging;

/// <summary>
/// Slow (runs <c>dotnet build</c>): a console project that references the generator project as
/// an analyzer gets its .atlas diagnostics as build errors, which proves the generator and its
/// dependencies (Atlas.Compiler, Sprache, YamlDotNet) load inside the real compiler.
/// </summary>
[Collection(DotNetProcessCollection.Name)]
[Trait("Category", "Slow")]
public class ProjectReferenceBuildTests
{
    [Fact]
    public void ProjectReferenceConsumer_FailsOnBrokenAtlasFiles_AndBuildsOnceFixed()
    {
        using var temp = new TempDirectory();
        var references = $"""    <ProjectReference Include="{DotNetCli.GeneratorProject}" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />""";
        // Generated agents and workflows need the runtime; reference it once it exists.
        var runtime = Path.Combine(TestData.RepositoryRoot(), "runtime", "Atlas.Runtime", "Atlas.Runtime.csproj");
        if (File.Exists(runtime)) references += $"""{Environment.NewLine}    <ProjectReference Include="{runtime}" />""";
        temp.Write("Consumer/Consumer.csproj", ConsumerProject.Project(references, $"""  <Import Project="{DotNetCli.GeneratorProps}" />"""));
        temp.Write("Consumer/Program.cs", ConsumerProject.Program);
        temp.Write("Consumer/flow.atlas", ConsumerProject.BrokenAtlas);
        temp.Write("Consumer/Sub/extra.atlas.yml", "providers:\n  offline: { kind: mock, latency: 20xs }\n");
        temp.Write("Consumer/bin/stale/old.atlas", ConsumerProject.BrokenAtlas); // under bin/: not picked up by the props' glob
        var consumer = Path.Combine(temp.Path, "Consumer");

        var (broken, brokenOutput) = DotNetCli.Build(consumer);

        Assert.True(broken != 0, brokenOutput);
        Assert.Contains(ConsumerProject.BrokenAtlasError, brokenOutput, StringComparison.Ordinal);
        Assert.Contains("extra.atlas.yml(2,35): error ATL2008:", brokenOutput, StringComparison.Ordinal);
        AssertGeneratorLoaded(brokenOutput);

        temp.Write("Consumer/flow.atlas", ConsumerProject.GoodAtlas);
        temp.Write("Consumer/Sub/extra.atlas.yml", "types:\n  Ticket: { id: string }\n");
        var (good, goodOutput) = DotNetCli.Build(consumer);

        Assert.True(good == 0, goodOutput);
        AssertGeneratorLoaded(goodOutput);
        Assert.DoesNotContain("warning CS", goodOutput, StringComparison.Ordinal);
    }

    internal static void AssertGeneratorLoaded(string output)
    {
        Assert.DoesNotContain("CS8784", output, StringComparison.Ordinal); // generator failed to initialize (e.g. a dependency did not load)
        Assert.DoesNotContain("CS8785", output, StringComparison.Ordinal); // generator threw while running
        Assert.DoesNotContain("CS9057", output, StringComparison.Ordinal); // generator built against a newer Roslyn than the compiler
        Assert.DoesNotContain("CS8032", output, StringComparison.Ordinal); // analyzer instance could not be created
        Assert.DoesNotContain("ATL9001", output, StringComparison.Ordinal);
    }
}
