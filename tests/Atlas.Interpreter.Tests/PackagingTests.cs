using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;

namespace Atlas.Interpreter.Tests;

/// <summary>
/// Slow (runs <c>dotnet pack</c>): the front-end is no package of its own, so the interpreter's package carries
/// <c>Atlas.Compiler.dll</c> in its <c>lib/</c> and depends on the front-end's packages instead.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PackagingTests
{
    [Fact]
    public void Pack_CarriesTheFrontEndAndDependsOnItsPackages()
    {
        var output = Directory.CreateTempSubdirectory("atlas-interpreter-pack-");
        try
        {
            var version = "0.1.0-test." + Guid.NewGuid().ToString("N")[..8];
            // --no-build: package what these tests were built from (bin/<Configuration>/net10.0/).
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var (exitCode, log) = DotNet(
                "pack", Path.Combine(RepositoryRoot(), "runtime", "Atlas.Interpreter", "Atlas.Interpreter.csproj"),
                "-c", configuration, "--no-build", "-o", output.FullName, "-p:PackageVersion=" + version, "-nodeReuse:false");
            Assert.True(exitCode == 0, log);

            using var package = ZipFile.OpenRead(Path.Combine(output.FullName, $"Atlas.Interpreter.{version}.nupkg"));
            var entries = package.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("lib/net10.0/Atlas.Interpreter.dll", entries);
            Assert.Contains("lib/net10.0/Atlas.Interpreter.xml", entries);
            Assert.Contains("lib/net10.0/Atlas.Compiler.dll", entries);

            using var nuspec = package.Entries.Single(e => e.FullName == "Atlas.Interpreter.nuspec").Open();
            var dependencies = XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!).Order(StringComparer.Ordinal);
            Assert.Equal(["Atlas.Runtime", "Sprache", "YamlDotNet"], dependencies);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Atlas.Dsl.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("Atlas.Dsl.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary><c>dotnet ...</c> in a clean MSBuild environment (the test host's variables would steer it).</summary>
    private static (int ExitCode, string Output) DotNet(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
