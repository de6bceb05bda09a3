using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace Atlas.Cli.Tests;

/// <summary>
/// Every example that <c>atlas --help</c> and <c>atlas COMMAND --help</c> print runs as printed and
/// exits 0: as a user would paste it into a shell, in a folder holding a fresh copy of examples/.
/// </summary>
public sealed partial class HelpExamplesTests
{
    private static readonly string[] Commands = ["", "check", "run", "chat", "graph", "providers", "new", "ingest", "search"];

    /// <summary>
    /// The commands that read recorded runs, run after those above have recorded theirs into the examples' stores;
    /// <c>runs answer</c> is not run as printed: no example declares a human step, so no run waits for an answer.
    /// </summary>
    private static readonly string[] RunsCommands = ["runs", "runs list", "runs show", "runs events", "runs diff", "runs prune"];

    /// <summary><c>view</c> serves until Ctrl+C (Atlas.Viewer.Tests run it as a process).</summary>
    private static readonly string[] NotRunAsPrinted = ["runs answer", "view"];

    [Fact]
    public void HelpExamples_EveryCommand_PrintsAtLeastOneThatCallsAtlas()
    {
        foreach (var command in Commands.Concat(RunsCommands).Concat(NotRunAsPrinted))
        {
            var examples = Examples(command);
            Assert.True(examples.Count > 0, $"'{("atlas " + command).Trim()} --help' prints no examples");
            Assert.All(examples, e => Assert.Matches(@"(^|[|&;]\s*)atlas ", e));
        }
    }

    /// <summary>
    /// In help order, as a reader would try them (so <c>atlas search</c> finds the store that
    /// <c>atlas run</c> and <c>atlas ingest</c> filled). A tools assembly an example names is built first.
    /// </summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void HelpExamples_RunAsPrinted_ExitZero()
    {
        using var dir = new TempDirectory();
        CopyExamples(Path.Combine(dir.Path, "examples"));
        var bin = dir.CreateDirectory(".bin");
        var atlas = AtlasProcess.StartInfo();
        var wrapper = Path.Combine(bin, "atlas");
        File.WriteAllText(wrapper, "#!/bin/sh\nexec " + string.Join(" ", new[] { atlas.FileName }.Concat(atlas.ArgumentList).Select(Quote)) + " \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var failures = new List<string>();
        var ran = 0;
        foreach (var command in Commands.Concat(RunsCommands))
        {
            foreach (var example in Examples(command))
            {
                var line = Comment().Replace(example, "");
                foreach (Match tools in ToolsAssembly().Matches(line)) BuildExample(tools.Groups[1].Value, Path.Combine(dir.Path, tools.Value));

                var shell = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", line } };
                shell.Environment["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
                var result = AtlasProcess.Launch(shell, dir.Path);
                ran++;
                if (result.ExitCode != 0) failures.Add($"{("atlas " + command).Trim()} --help: `{line}` exited {result.ExitCode}: {Tail(result.Stderr)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(ran >= Commands.Length, $"only {ran} examples ran");
    }

    /// <summary>The lines under "Examples:" in <c>atlas COMMAND --help</c>.</summary>
    private static List<string> Examples(string command)
    {
        var help = Cli.Run([.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);
        Assert.Equal(0, help.ExitCode);
        var lines = help.Stdout.Split('\n');
        var start = Array.IndexOf(lines, "Examples:");
        Assert.True(start >= 0, $"'atlas {command} --help' has no Examples section");
        return lines.Skip(start + 1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
    }

    private static void BuildExample(string example, string assembly)
    {
        if (File.Exists(assembly)) return;
        var project = Path.Combine(Cli.RepositoryRoot, "examples", example);
        var build = new ProcessStartInfo("dotnet") { ArgumentList = { "build", project, "-c", "Debug", "-o", Path.GetDirectoryName(assembly)!, "-nologo", "-v", "q" } };
        build.RedirectStandardOutput = true;
        build.RedirectStandardError = true;
        using var process = Process.Start(build)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10))) process.Kill(entireProcessTree: true);
        Assert.True(process.ExitCode == 0 && File.Exists(assembly), $"dotnet build {project} failed: {output.Result}{errors.Result}");
    }

    private static void CopyExamples(string to)
    {
        var from = Path.Combine(Cli.RepositoryRoot, "examples");
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Any(p => p is "bin" or "obj") || relative.Contains(".db", StringComparison.Ordinal)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }

    private static string Quote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Tail(string text) => text.Length <= 1500 ? text : "…" + text[^1500..];

    /// <summary>A trailing comment: two or more spaces, then <c>#</c>.</summary>
    [GeneratedRegex(@"\s{2,}#.*$")]
    private static partial Regex Comment();

    /// <summary>A tools assembly built from an example's project: examples/NAME/bin/Debug/net10.0/X.dll.</summary>
    [GeneratedRegex(@"examples/([\w-]+)/bin/Debug/net10\.0/[\w.]+\.dll")]
    private static partial Regex ToolsAssembly();
}
