using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Atlas.Cli.Tests;

/// <summary>
/// Slow (runs <c>dotnet pack</c>, <c>dotnet tool install</c> and <c>dotnet build</c>): the CLI packs as a
/// .NET tool that installs from a local folder and runs as <c>atlas</c>, and what <c>atlas new</c>
/// scaffolds builds through the generator and runs.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PackagingTests
{
    [Fact]
    public void Pack_ToolInstallsFromALocalFeedAndRunsAnExample()
    {
        using var temp = new TempDirectory();
        var feed = Path.Combine(temp.Path, "feed");
        var tools = Path.Combine(temp.Path, "tools");
        var version = "0.1.0-test." + Guid.NewGuid().ToString("N")[..8];

        // --no-build: package what these tests were built from (same configuration).
        var (packed, packOutput) = DotNet(temp.Path, "pack", Path.Combine(Cli.RepositoryRoot, "cli", "Atlas.Cli", "Atlas.Cli.csproj"),
            "-c", Configuration, "--no-build", "-o", feed, "-p:PackageVersion=" + version, "-nodeReuse:false");
        Assert.True(packed == 0, packOutput);
        var package = Path.Combine(feed, $"Atlas.Cli.{version}.nupkg");
        using (var zip = ZipFile.OpenRead(package))
        {
            Assert.Contains(zip.Entries, e => e.FullName == "tools/net10.0/any/atlas.dll");
            Assert.Contains(zip.Entries, e => e.FullName == "tools/net10.0/any/Atlas.Runtime.dll");
            Assert.Contains(zip.Entries, e => e.FullName == "tools/net10.0/any/DotnetToolSettings.xml");
        }

        // Only the local feed: the tool must install from it alone.
        var config = Path.Combine(temp.Path, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(temp.Path, "packages")}" /></config>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var (installed, installOutput) = DotNet(temp.Path, "tool", "install", "--tool-path", tools, "--configfile", config, "Atlas.Cli", "--version", version);
        Assert.True(installed == 0, installOutput);

        var atlas = Path.Combine(tools, OperatingSystem.IsWindows() ? "atlas.exe" : "atlas");
        var printed = AtlasProcess.Launch(new ProcessStartInfo(atlas) { ArgumentList = { "--version" } }, temp.Path);
        Assert.Matches(@"^\d+\.\d+\.\d+", printed.Stdout.Trim()); // the built assembly's version (packed with --no-build)

        var run = AtlasProcess.Launch(
            new ProcessStartInfo(atlas)
            {
                ArgumentList = { "run", Cli.Example("support-triage/support.atlas"), "--workflow", "support", "--input", "@" + Cli.Example("support-triage/ticket.json") },
            },
            temp.Path);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("T-1042", (string?)JsonNode.Parse(run.Stdout)!["ticket"]);
        Assert.Contains("run support (", run.Stderr);
    }

    [Fact]
    public void New_ScaffoldedProject_BuildsThroughTheGeneratorAndRunsOffline()
    {
        using var temp = new TempDirectory();
        var scaffolded = Cli.RunIn(temp.Path, null, "new", "demo");
        Assert.True(scaffolded.ExitCode == 0, scaffolded.Stderr);
        var directory = Path.Combine(temp.Path, "demo");

        // As the scaffold's own comment says to do until the packages are on a feed: reference a clone.
        var project = Path.Combine(directory, "demo.csproj");
        var text = File.ReadAllText(project);
        var generator = Path.Combine(Cli.RepositoryRoot, "generators", "Atlas.Generators", "Atlas.Generators.csproj");
        var runtime = Path.Combine(Cli.RepositoryRoot, "runtime", "Atlas.Runtime", "Atlas.Runtime.csproj");
        var references =
            $"<ProjectReference Include=\"{generator}\" OutputItemType=\"Analyzer\" ReferenceOutputAssembly=\"false\" />" +
            $"<ProjectReference Include=\"{runtime}\" /><AdditionalFiles Include=\"*.atlas\" />";
        var replaced = Regex.Replace(
            text,
            "<PackageReference Include=\"Atlas.Generators\"[^>]*/>\\s*<PackageReference Include=\"Atlas.Runtime\"[^>]*/>",
            references);
        Assert.NotEqual(text, replaced);
        File.WriteAllText(project, replaced);

        var (built, buildOutput) = DotNet(directory, "build", "-c", Configuration, "-nodeReuse:false", "--disable-build-servers");
        Assert.True(built == 0, buildOutput);
        Assert.DoesNotContain(": warning ", buildOutput, StringComparison.Ordinal);

        var (ran, output) = DotNet(directory, Path.Combine(directory, "bin", Configuration, "net10.0", "demo.dll"));
        Assert.True(ran == 0, output);
        Assert.NotEmpty(JsonNode.Parse(output.Trim())!.AsObject());
    }

    /// <summary>The configuration these tests were built in (bin/&lt;Configuration&gt;/net10.0/).</summary>
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary><c>dotnet ...</c> in a clean MSBuild environment (the test host's variables would steer it), nothing left running.</summary>
    private static (int ExitCode, string Output) DotNet(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet");
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        foreach (var key in start.Environment.Keys.Where(k => k.EndsWith("_API_KEY", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        var result = AtlasProcess.Launch(start, directory);
        return (result.ExitCode, result.Stdout + result.Stderr);
    }
}
