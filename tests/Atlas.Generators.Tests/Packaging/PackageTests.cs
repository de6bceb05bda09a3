using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;

namespace Atlas.Generators.Tests.Packaging;

/// <summary>
/// Slow (runs <c>dotnet pack</c> and <c>dotnet build</c>): the package holds the generator and
/// its dependencies under analyzers/dotnet/cs and nothing under lib/, and a project that
/// references it from a local feed gets .atlas diagnostics as build errors.
/// </summary>
[Collection(DotNetProcessCollection.Name)]
[Trait("Category", "Slow")]
public class PackageTests
{
    private const string Version = "0.0.0-test";

    [Fact]
    public void Package_ShipsGeneratorAndDependenciesAsAnalyzers_AndLoadsInAConsumer()
    {
        using var temp = new TempDirectory();
        var feed = Path.Combine(temp.Path, "feed");

        // --no-build: package the outputs these tests were built from (same configuration).
        var (packed, packOutput) = DotNetCli.Run(
            temp.Path, "pack", DotNetCli.GeneratorProject, "-c", DotNetCli.Configuration, "--no-build", "-o", feed, "-p:PackageVersion=" + Version, "-nodeReuse:false");
        Assert.True(packed == 0, packOutput);

        var package = Path.Combine(feed, "Atlas.Generators." + Version + ".nupkg");
        using (var zip = ZipFile.OpenRead(package))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToArray();
            var analyzers = entries.Where(e => e.StartsWith("analyzers/dotnet/cs/", StringComparison.Ordinal)).Select(e => e.Substring("analyzers/dotnet/cs/".Length)).OrderBy(e => e, StringComparer.Ordinal);
            Assert.Equal(new[] { "Atlas.Compiler.dll", "Atlas.Generators.dll", "Sprache.dll", "YamlDotNet.dll" }, analyzers);
            Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) || e.StartsWith("ref/", StringComparison.Ordinal));
            Assert.Contains("build/Atlas.Generators.props", entries);
            Assert.Contains("buildTransitive/Atlas.Generators.props", entries);

            using var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
            var dependencies = XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency");
            Assert.Empty(dependencies); // everything it needs is inside analyzers/dotnet/cs
        }

        // A consumer restoring only from the local feed, into its own packages folder, so nothing
        // leaks into (or comes from) the machine's global package cache.
        temp.Write("Consumer/nuget.config", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(temp.Path, "packages")}" />
              </config>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        temp.Write("Consumer/Consumer.csproj", ConsumerProject.Project($"""    <PackageReference Include="Atlas.Generators" Version="{Version}" />"""));
        temp.Write("Consumer/Program.cs", ConsumerProject.Program);
        temp.Write("Consumer/flow.atlas", ConsumerProject.BrokenAtlas);

        var (built, buildOutput) = DotNetCli.Build(Path.Combine(temp.Path, "Consumer"));

        Assert.True(built != 0, buildOutput);
        Assert.Contains(ConsumerProject.BrokenAtlasError, buildOutput, StringComparison.Ordinal); // found by the package's props, loaded from analyzers/
        ProjectReferenceBuildTests.AssertGeneratorLoaded(buildOutput);
    }
}
