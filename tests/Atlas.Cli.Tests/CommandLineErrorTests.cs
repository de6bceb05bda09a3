using System;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace Atlas.Cli.Tests;

/// <summary>
/// Bad command lines that used to end in "internal error" (exit 3): each is one line on stderr
/// naming the problem, and exit 1 (an output failed) or 2 (bad usage or input).
/// </summary>
public sealed class CommandLineErrorTests
{
    private static readonly string Support = Cli.Example("support-triage/support.atlas");
    private static readonly string Ticket = "@" + Cli.Example("support-triage/ticket.json");

    [Theory]
    [InlineData("{\"id\": \"1\", \"subject\": \"a\",\n \"id\": \"2\", \"body\": \"b\"}", "support",
        "atlas run: --input is not valid JSON: duplicate key 'id' at $.id (line 2, column 2)")]
    [InlineData("[{\"id\": \"1\", \"subject\": \"a\", \"body\": \"b\"}, {\"id\": \"2\", \"subject\": \"a\", \"subject\": \"c\", \"body\": \"b\"}]", "triage_all",
        "atlas run: --input is not valid JSON: duplicate key 'subject' at $[1].subject (line 1, column 72)")]
    public void Run_InputWithDuplicateKey_OneLineWithPathAndPositionExit2(string input, string workflow, string expected)
    {
        var result = Cli.Offline("run", Support, "-w", workflow, "--input", input);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(expected + "\n", result.Stderr);
    }

    [Fact]
    public void FindDuplicateKey_NestedObjectsArraysAndOddNames_FirstRepeatInOneObject()
    {
        Assert.Null(JsonText.FindDuplicateKey("""{"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 1}]}"""));
        Assert.Equal("duplicate key 'x' at $.c[1].x (line 1, column 49)", JsonText.FindDuplicateKey("""{"a": 1, "c": [{"x": 1}, {"y": [1, {}], "x": 1, "x": 2}]}"""));
        Assert.Equal("duplicate key 'a b' at $['a b'] (line 1, column 12)", JsonText.FindDuplicateKey("""{"a b": 1, "a b": 2}"""));
        Assert.Null(JsonText.FindDuplicateKey("""{"a": 1, "a": """));
    }

    [Fact]
    public async System.Threading.Tasks.Task Run_StdoutOnAFullDisk_OneLineExit1()
    {
        var full = new StreamWriter(new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0)) { AutoFlush = true };
        var stderr = new StringWriter { NewLine = "\n" };
        var environment = new CliEnvironment
        {
            Output = full,
            Error = stderr,
            GetEnvironmentVariable = _ => null,
            ConfigureRuntime = Cli.MakeRemoteProvidersUnavailable,
        };

        var exitCode = await AtlasCli.RunAsync(["run", Support, "-w", "support", "--input", Ticket], environment);
        try { full.Dispose(); }
        catch (IOException) { } // the unwritten result is still in its buffer

        Assert.Equal(1, exitCode);
        Assert.EndsWith("\natlas run: cannot write stdout: no space left on device\n", stderr.ToString());
    }

    [Fact]
    public void Process_StdoutRedirectedToAFullDisk_OneLineExit1()
    {
        var atlas = AtlasProcess.StartInfo("check", Support);
        var shell = Wrapped("/bin/sh", ["-c", "exec \"$@\" > /dev/full", "sh"], atlas);

        var result = AtlasProcess.Launch(shell, Path.GetTempPath());

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("atlas check: cannot write stdout: no space left on device\n", result.Stderr);
    }

    [Fact]
    public void Process_StderrOnAFullDisk_ExitCodeStillSaysWhatHappened()
    {
        var failing = AtlasProcess.StartInfo("run", "/no/such.atlas");
        var succeeding = AtlasProcess.StartInfo("check", Support);

        var usage = AtlasProcess.Launch(Wrapped("/bin/sh", ["-c", "exec \"$@\" 2> /dev/full", "sh"], failing), Path.GetTempPath());
        var ok = AtlasProcess.Launch(Wrapped("/bin/sh", ["-c", "exec \"$@\" 2> /dev/full", "sh"], succeeding), Path.GetTempPath());

        Assert.Equal(2, usage.ExitCode);
        Assert.Equal(0, ok.ExitCode);
        Assert.Equal("checked 1 file: no errors\n", ok.Stdout);
    }

    [Fact]
    public void Run_EventsOnAFullDisk_OneLineExit1()
    {
        var result = Cli.Offline("run", Support, "-w", "support", "--input", Ticket, "--events", "/dev/full");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("atlas run: cannot write --events file '/dev/full': no space left on device", result.StderrLines[^1]);
        Assert.DoesNotContain("internal error", result.Stderr);
    }

    [Fact]
    public void Batch_OutputOnAFullDisk_OneLineExit1()
    {
        var result = Cli.Offline("run", Support, "-w", "support", "--batch", Cli.Example("support-triage/tickets.jsonl"), "--output", "/dev/full");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("atlas run: cannot write --output file '/dev/full': no space left on device", result.StderrLines[^1]);
        Assert.DoesNotContain("internal error", result.Stderr);
    }

    /// <summary>
    /// Root may list a directory whatever its mode, so as root the check runs without the capabilities
    /// that let it (setpriv drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH): still root, so it can read
    /// the clone and the SDK wherever they are, but held to the directory's mode like any user.
    /// </summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Check_DirectoryThatCannotBeListed_OneLineExit2()
    {
        using var dir = new TempDirectory();
        var locked = dir.CreateDirectory("flows/locked");
        dir.Write("flows/locked/a.atlas", "# nothing\n");
        dir.Write("flows/b.atlas", "# nothing\n");
        File.SetUnixFileMode(locked, UnixFileMode.None);
        try
        {
            CliResult result;
            if (Environment.UserName == "root")
            {
                Assert.True(File.Exists("/usr/bin/setpriv"), "as root this test needs setpriv (util-linux) to drop the capabilities that bypass a directory's mode");
                var atlas = AtlasProcess.StartInfo("check", "flows");
                var start = Wrapped("/usr/bin/setpriv", ["--bounding-set=-dac_override,-dac_read_search"], atlas);
                result = AtlasProcess.Launch(start, dir.Path);
            }
            else
            {
                result = Cli.RunIn(dir.Path, null, "check", "flows");
            }

            Assert.Equal(2, result.ExitCode);
            Assert.Equal("atlas check: cannot read directory 'flows/locked': permission denied\n", result.Stderr);
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Theory]
    [InlineData("--parallel must be from 1 to 256, not 1000000", "run", "{support}", "--batch", "x.jsonl", "--output", "y.jsonl", "--parallel", "1000000")]
    [InlineData("--parallel must be from 1 to 256, not 0", "run", "{support}", "--batch", "x.jsonl", "--output", "y.jsonl", "--parallel", "0")]
    [InlineData("--parallel must be from 1 to 256, not -2", "run", "{support}", "--batch", "x.jsonl", "--output", "y.jsonl", "-p", "-2")]
    [InlineData("--top must be from 1 to 1000, not 0", "search", "{support}", "-k", "handbook", "refund", "--top", "0")]
    [InlineData("--top must be from 1 to 1000, not 2147483647", "search", "{support}", "-k", "handbook", "refund", "--top", "2147483647")]
    [InlineData("--top must be from 1 to 1000, not -5", "search", "{support}", "-k", "handbook", "refund", "-n", "-5")]
    [InlineData("--min-score must be a finite number of at least -1, not NaN", "search", "{support}", "-k", "handbook", "refund", "--min-score", "NaN")]
    [InlineData("--min-score must be a finite number of at least -1, not Infinity", "search", "{support}", "-k", "handbook", "refund", "--min-score", "Infinity")]
    [InlineData("--min-score must be a finite number of at least -1, not -1.5", "search", "{support}", "-k", "handbook", "refund", "--min-score", "-1.5")]
    public void NumericOptions_OutOfRange_OneLineExit2(string expected, params string[] args)
    {
        var result = Cli.Offline(args.Select(a => a.Replace("{support}", Support, StringComparison.Ordinal)).ToArray());

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"atlas {args[0]}: {expected} (see 'atlas {args[0]} --help')\n", result.Stderr);
    }

    [Theory]
    [InlineData("--parallel", "1", "256")]
    [InlineData("--top", "1", "1000")]
    [InlineData("--min-score", "-1", "1e6")]
    public void NumericOptions_AtTheirBounds_Accepted(string option, string low, string high)
    {
        foreach (var value in new[] { low, high })
        {
            var args = option == "--parallel"
                ? new[] { "run", Support, "--batch", "/no/such.jsonl", "--output", "y.jsonl", option, value }
                : new[] { "search", "/no/such.atlas", "-k", "handbook", "refund", option, value };

            var result = Cli.Offline(args);

            // Past the option checks: the command fails only on the missing file.
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("/no/such.", Assert.Single(result.StderrLines));
        }
    }

    /// <summary><paramref name="program"/> with <paramref name="options"/>, then the <c>atlas</c> command line of <paramref name="atlas"/>.</summary>
    private static ProcessStartInfo Wrapped(string program, string[] options, ProcessStartInfo atlas)
    {
        var start = new ProcessStartInfo(program);
        foreach (var option in options) start.ArgumentList.Add(option);
        start.ArgumentList.Add(atlas.FileName);
        foreach (var argument in atlas.ArgumentList) start.ArgumentList.Add(argument);
        return start;
    }
}
