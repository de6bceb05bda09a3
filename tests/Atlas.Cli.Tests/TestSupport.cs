using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Atlas.Compiler;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Model;
using Atlas.Compiler.Text;
using Atlas.Runtime;

namespace Atlas.Cli.Tests;

/// <summary>A fresh directory under the temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "atlas-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="text"/> to <paramref name="relativePath"/> ('/' separated) and returns the full path.</summary>
    public string Write(string relativePath, string text = "")
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    public string CreateDirectory(string relativePath)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(full);
        return full;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>What one <c>atlas</c> invocation did.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => Lines(Stdout);

    public string[] StderrLines => Lines(Stderr);

    private static string[] Lines(string text) =>
        text.Replace("\r\n", "\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Stands in for the front-end: records what it was given and returns set diagnostics.</summary>
internal sealed class FakeCompiler
{
    private readonly Diagnostic[] _diagnostics;

    public FakeCompiler(params Diagnostic[] diagnostics) => _diagnostics = diagnostics;

    /// <summary>Every file compiled, in order, across all calls.</summary>
    public List<SourceFile> Files { get; } = new();

    /// <summary>The files of each call: one call per project.</summary>
    public List<SourceFile[]> Calls { get; } = new();

    public CompilationResult Compile(IReadOnlyList<SourceFile> files)
    {
        Files.AddRange(files);
        Calls.Add(files.ToArray());
        return new CompilationResult(AtlasModel.Empty, new EquatableArray<Diagnostic>(_diagnostics));
    }

    public static Diagnostic Error(string path, int line, int column, string id, string message) =>
        new(id, DiagnosticSeverity.Error, message, At(path, line, column));

    public static Diagnostic Warning(string path, int line, int column, string id, string message) =>
        new(id, DiagnosticSeverity.Warning, message, At(path, line, column));

    private static Location At(string path, int line, int column) =>
        new(path, new TextSpan(0, 1), new LinePosition(line, column), new LinePosition(line, column + 1));
}

internal static class Cli
{
    /// <summary>Runs <c>atlas</c> in process with <paramref name="workingDirectory"/> as the current directory.</summary>
    public static CliResult RunIn(string? workingDirectory, FakeCompiler? compiler, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int exitCode;
        lock (CurrentDirectoryLock)
        {
            var previous = Directory.GetCurrentDirectory();
            if (workingDirectory is not null) Directory.SetCurrentDirectory(workingDirectory);
            try
            {
                exitCode = AtlasCli.Run(args, stdout, stderr, compiler is null ? null : compiler.Compile);
            }
            finally
            {
                Directory.SetCurrentDirectory(previous);
            }
        }
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    public static CliResult Run(params string[] args) => RunIn(null, null, args);

    /// <summary>
    /// Runs <c>atlas</c> in process with no API keys and every remote provider unavailable (so no
    /// test reaches a network or a local model server, whatever the machine has): routes fall
    /// through to mock. <paramref name="stdin"/> is what the command reads.
    /// </summary>
    public static CliResult OfflineWithInput(string? stdin, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var environment = new CliEnvironment
        {
            Input = new StringReader(stdin ?? ""),
            Output = stdout,
            Error = stderr,
            GetEnvironmentVariable = _ => null,
            ConfigureRuntime = MakeRemoteProvidersUnavailable,
        };
        var exitCode = AtlasCli.RunAsync(args, environment).GetAwaiter().GetResult();
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    public static CliResult Offline(params string[] args) => OfflineWithInput(null, args);

    /// <summary>A remote provider without an API key variable (ollama) gets one that is never set.</summary>
    /// <remarks>MCP servers are left out too: the examples' servers run through npx, which reaches the npm registry.</remarks>
    public static void MakeRemoteProvidersUnavailable(AtlasRuntimeOptions options)
    {
        options.McpServers.Clear();
        for (var i = 0; i < options.Providers.Count; i++)
        {
            var provider = options.Providers[i];
            if (provider.Kind != Atlas.Runtime.ProviderKind.Mock && provider.ApiKeyVariable is null)
                options.Providers[i] = provider with { ApiKeyVariable = "ATLAS_TESTS_NO_NETWORK" };
        }
    }

    /// <summary>The path of a file under examples/.</summary>
    public static string Example(string relativePath) => System.IO.Path.Combine(RepositoryRoot, "examples", relativePath);

    /// <summary>The current directory is process-wide; tests that change it take turns.</summary>
    public static readonly object CurrentDirectoryLock = new();

    /// <summary>The repository root (holds Atlas.Dsl.sln), found upwards from the test binaries.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Atlas.Dsl.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Atlas.Dsl.sln not found above " + AppContext.BaseDirectory);
    }

    public static string[] ExampleFiles(string example) =>
        Directory.GetFiles(System.IO.Path.Combine(RepositoryRoot, "examples", example))
            .Where(f => AtlasFileSet.IsAtlasFileName(System.IO.Path.GetFileName(f)))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();
}

/// <summary>The built <c>atlas</c> executable as a process: what a user or CI sees.</summary>
internal static class AtlasProcess
{
    /// <summary>Environment variables that would let a run reach a real LLM service; removed from every child.</summary>
    private static readonly string[] Keys = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GROQ_API_KEY"];

    /// <summary>The apphost next to the test binaries (an Exe reference copies it), else <c>dotnet atlas.dll</c>.</summary>
    public static CliResult Run(string workingDirectory, params string[] args) => RunWithInput(workingDirectory, null, args);

    public static CliResult RunWithInput(string workingDirectory, string? stdin, params string[] args) =>
        Launch(StartInfo(args), workingDirectory, stdin);

    /// <summary>The apphost next to the test binaries.</summary>
    public static string AppHost { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "atlas.exe" : "atlas");

    /// <summary>How to start <c>atlas</c> with <paramref name="args"/>, for a test that changes the child's environment.</summary>
    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var appHost = AppHost;
        var start = File.Exists(appHost)
            ? new ProcessStartInfo(appHost)
            : new ProcessStartInfo("dotnet") { ArgumentList = { System.IO.Path.Combine(AppContext.BaseDirectory, "atlas.dll") } };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return start;
    }

    /// <summary>Starts <paramref name="start"/> without API keys, feeds <paramref name="stdin"/>, waits up to two minutes.</summary>
    public static CliResult Launch(ProcessStartInfo start, string workingDirectory, string? stdin = null)
    {
        using var process = Start(start, workingDirectory, out var stdout, out var stderr);
        if (stdin is not null) process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} did not exit within 2 minutes");
        }

        return new CliResult(process.ExitCode, stdout.Result.Replace("\r\n", "\n"), stderr.Result.Replace("\r\n", "\n"));
    }

    /// <summary>Starts <paramref name="start"/> without API keys and with stdin closed, for a test that may kill it while it runs.</summary>
    public static RunningAtlas Start(ProcessStartInfo start, string workingDirectory)
    {
        var process = Start(start, workingDirectory, out var stdout, out var stderr);
        process.StandardInput.Close();
        return new RunningAtlas(process, stdout, stderr);
    }

    private static Process Start(ProcessStartInfo start, string workingDirectory, out Task<string> stdout, out Task<string> stderr)
    {
        start.WorkingDirectory = workingDirectory;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        foreach (var key in Keys) start.Environment.Remove(key);

        var process = Process.Start(start)!;
        stdout = process.StandardOutput.ReadToEndAsync();
        stderr = process.StandardError.ReadToEndAsync();
        return process;
    }
}

/// <summary>An <c>atlas</c> process still running (<see cref="AtlasProcess.Start(ProcessStartInfo, string)"/>): it may be killed, then waited for.</summary>
internal sealed class RunningAtlas(Process process, Task<string> stdout, Task<string> stderr) : IDisposable
{
    /// <summary>The exit code of a process killed by SIGKILL (128 + 9).</summary>
    public const int KilledExitCode = 137;

    public bool HasExited => process.HasExited;

    /// <summary>Kills it at once (SIGKILL, as <c>kill -9</c>), unless it has exited already.</summary>
    public void Kill()
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // It exited just before.
        }
    }

    /// <summary>Waits up to three minutes for it to exit; <see cref="CliResult.ExitCode"/> is <see cref="KilledExitCode"/> when it was killed.</summary>
    public async Task<CliResult> ExitAsync()
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("atlas did not exit within 3 minutes");
        }

        return new CliResult(process.ExitCode, (await stdout).Replace("\r\n", "\n"), (await stderr).Replace("\r\n", "\n"));
    }

    public void Dispose() => process.Dispose();
}
