using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Atlas.Generators.Tests.Support;

namespace Atlas.Generators.Tests.Packaging;

/// <summary>Runs the <c>dotnet</c> CLI as a user would, in a clean MSBuild environment.</summary>
internal static class DotNetCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    /// <summary>The configuration these tests were built in (bin/&lt;Configuration&gt;/net10.0/), so child builds reuse its outputs.</summary>
    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string GeneratorProject => Path.Combine(TestData.RepositoryRoot(), "generators", "Atlas.Generators", "Atlas.Generators.csproj");

    public static string GeneratorProps => Path.Combine(TestData.RepositoryRoot(), "generators", "Atlas.Generators", "build", "Atlas.Generators.props");

    /// <summary><c>dotnet build</c> without build servers or node reuse: nothing is left running after the test.</summary>
    public static (int ExitCode, string Output) Build(string directory) =>
        Run(directory, "build", "-c", Configuration, "-nodeReuse:false", "--disable-build-servers", "-clp:NoSummary");

    public static (int ExitCode, string Output) Run(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        // The test host runs under `dotnet test`, whose MSBuild variables would steer the child.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        // Examples must run offline: with no API keys their routes fall through to mock.
        foreach (var key in start.Environment.Keys.Where(k => k.EndsWith("_API_KEY", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(" ", arguments)} took over {Timeout}:\n{output}");
        }
        process.WaitForExit(); // flush the output handlers
        lock (output) return (process.ExitCode, output.ToString());
    }
}

/// <summary>A temporary directory outside the repository (so its Directory.Build.props do not apply), deleted afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "atlas-generator-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string relativePath, string text)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory is harmless.
        }
    }
}

/// <summary>Tests that start <c>dotnet</c> processes: slow (seconds each), and run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DotNetProcessCollection
{
    public const string Name = "dotnet processes (slow)";
}
