using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json.Nodes;

namespace Atlas.Cli.Tests;

/// <summary>
/// Slow (runs <c>dotnet pack</c>, <c>dotnet tool install</c> and <c>dotnet run</c>): the CLI packs as a
/// .NET tool that installs from a local folder and runs as <c>atlas</c>, carrying the packages an
/// <c>atlas new</c> project needs, so that project restores, builds through the generator and runs.
/// The pack and install happen once (<see cref="PackedTool"/>).
/// </summary>
[Trait("Category", "Slow")]
public sealed class PackagingTests(PackedTool tool) : IClassFixture<PackedTool>
{
    [Fact]
    public void Pack_ToolInstallsFromALocalFeedAndRunsAnExample()
    {
        using (var zip = ZipFile.OpenRead(tool.Package))
        {
            Assert.Contains(zip.Entries, e => e.FullName == "tools/net10.0/any/atlas.dll");
            Assert.Contains(zip.Entries, e => e.FullName == "tools/net10.0/any/Atlas.Runtime.dll");
            Assert.Contains(zip.Entries, e => e.FullName == "tools/net10.0/any/DotnetToolSettings.xml");
            Assert.Contains(zip.Entries, e => e.FullName == $"tools/net10.0/any/feed/Atlas.Generators.{tool.Version}.nupkg");
            Assert.Contains(zip.Entries, e => e.FullName == $"tools/net10.0/any/feed/Atlas.Runtime.{tool.Version}.nupkg");
            Assert.Contains(zip.Entries, e => e.FullName == $"tools/net10.0/any/feed/Atlas.Runtime.OpenAI.{tool.Version}.nupkg");
            // The CLI runs every provider kind and MCP, and records runs: it carries every runtime package's assembly.
            foreach (var package in new[] { "OpenAI", "Anthropic", "Ollama", "Mcp", "Sqlite" })
            {
                Assert.Contains(zip.Entries, e => e.FullName == $"tools/net10.0/any/Atlas.Runtime.{package}.dll");
            }
        }

        using var temp = new TempDirectory();
        var printed = AtlasProcess.Launch(new ProcessStartInfo(tool.Atlas) { ArgumentList = { "--version" } }, temp.Path);
        Assert.Matches(@"^\d+\.\d+\.\d+", printed.Stdout.Trim()); // the built assembly's version (packed with --no-build)

        var run = AtlasProcess.Launch(
            new ProcessStartInfo(tool.Atlas)
            {
                ArgumentList = { "run", Cli.Example("support-triage/support.atlas"), "--workflow", "support", "--input", "@" + Cli.Example("support-triage/ticket.json") },
            },
            temp.Path);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("T-1042", (string?)JsonNode.Parse(run.Stdout)!["ticket"]);
        Assert.Contains("run support (", run.Stderr);
    }

    [Fact]
    public void New_FromThePackedTool_DotnetRunRestoresTheCarriedPackagesAndRunsOffline()
    {
        using var temp = new TempDirectory();

        // What a user types: `atlas new demo && cd demo && dotnet run`. The scaffold's own nuget.config adds the
        // tool's feed to the sources above it; the one here only keeps this test's packages (Atlas.* of a
        // one-off version) out of the machine's cache, which stays readable as a fallback.
        temp.Write("nuget.config", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(temp.Path, "packages")}" /></config>
              <fallbackPackageFolders><add key="machine" value="{MachinePackages}" /></fallbackPackageFolders>
            </configuration>
            """);
        var scaffolded = AtlasProcess.Launch(new ProcessStartInfo(tool.Atlas) { ArgumentList = { "new", "demo" } }, temp.Path);
        Assert.True(scaffolded.ExitCode == 0, scaffolded.Stderr);
        var directory = Path.Combine(temp.Path, "demo");
        Assert.Contains($"<PackageReference Include=\"Atlas.Runtime\" Version=\"{tool.Version}\" />", File.ReadAllText(Path.Combine(directory, "demo.csproj")));
        Assert.Contains($"<PackageReference Include=\"Atlas.Runtime.OpenAI\" Version=\"{tool.Version}\" />", File.ReadAllText(Path.Combine(directory, "demo.csproj")));
        Assert.Contains($"value=\"{tool.Feed}\"", File.ReadAllText(Path.Combine(directory, "nuget.config")));

        var (ran, output) = DotNet(directory, "run", "-nodeReuse:false", "--disable-build-servers");

        Assert.True(ran == 0, output);
        Assert.DoesNotContain(": warning ", output, StringComparison.Ordinal);
        var answer = JsonNode.Parse(output.Trim())!;
        Assert.Contains((string?)answer["analysis"]!["sentiment"], new[] { "positive", "mixed", "negative" });
        Assert.False(string.IsNullOrEmpty((string?)answer["reply"]));
        Assert.True(Directory.Exists(Path.Combine(temp.Path, "packages", "atlas.runtime", tool.Version)), "Atlas.Runtime was not restored from the tool's feed");
        Assert.True(Directory.Exists(Path.Combine(temp.Path, "packages", "atlas.runtime.openai", tool.Version)), "Atlas.Runtime.OpenAI was not restored from the tool's feed");
    }

    private static string MachinePackages =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages ? packages : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>The configuration these tests were built in (bin/&lt;Configuration&gt;/net10.0/).</summary>
    internal static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary><c>dotnet ...</c> in a clean MSBuild environment (the test host's variables would steer it), nothing left running.</summary>
    internal static (int ExitCode, string Output) DotNet(string directory, params string[] arguments)
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

/// <summary>
/// The CLI packed (<c>--no-build</c>, a one-off version) into a local folder and installed from it alone into a
/// tool path, once for <see cref="PackagingTests"/>.
/// </summary>
public sealed class PackedTool : IDisposable
{
    private readonly TempDirectory _temp = new();

    public PackedTool()
    {
        Version = "0.1.0-test." + Guid.NewGuid().ToString("N")[..8];
        var feed = Path.Combine(_temp.Path, "feed");
        var tools = Path.Combine(_temp.Path, "tools");

        // --no-build: package what these tests were built from (same configuration).
        var (packed, packOutput) = PackagingTests.DotNet(_temp.Path, "pack", Path.Combine(Cli.RepositoryRoot, "cli", "Atlas.Cli", "Atlas.Cli.csproj"),
            "-c", PackagingTests.Configuration, "--no-build", "-o", feed, "-p:PackageVersion=" + Version, "-nodeReuse:false");
        Assert.True(packed == 0, packOutput);
        Package = Path.Combine(feed, $"Atlas.Cli.{Version}.nupkg");

        // Only the local feed, in a folder of its own (a nuget.config applies to the folders below it): the tool must
        // install from it alone.
        var config = _temp.Write("install/nuget.config", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(_temp.Path, "install", "packages")}" /></config>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var (installed, installOutput) = PackagingTests.DotNet(Path.GetDirectoryName(config)!, "tool", "install", "--tool-path", tools, "--configfile", config, "Atlas.Cli", "--version", Version);
        Assert.True(installed == 0, installOutput);
        Atlas = Path.Combine(tools, OperatingSystem.IsWindows() ? "atlas.exe" : "atlas");
        Feed = Path.Combine(tools, ".store", "atlas.cli", Version, "atlas.cli", Version, "tools", "net10.0", "any", "feed");
    }

    /// <summary>The package version the CLI (and the packages it carries) were packed with.</summary>
    public string Version { get; }

    /// <summary>The Atlas.Cli .nupkg.</summary>
    public string Package { get; }

    /// <summary>The installed <c>atlas</c> command.</summary>
    public string Atlas { get; }

    /// <summary>Where the installed tool keeps the packages it carries.</summary>
    public string Feed { get; }

    public void Dispose() => _temp.Dispose();
}
