using System.IO;

namespace Atlas.Cli.Tests;

/// <summary>The built <c>atlas</c> executable, launched as a process: what a user or CI sees.</summary>
public sealed class ProcessTests
{
    [Fact]
    public void Process_CheckAndBadUsage_ExitCodesAndStreams()
    {
        using var dir = new TempDirectory();
        dir.Write("flows/a.atlas", "# nothing declared yet\n");

        var ok = Launch(dir.Path, "check", "flows");
        var missing = Launch(dir.Path, "check", "flows/missing.atlas");
        var unknown = Launch(dir.Path, "check", "--frobnicate", "flows");

        Assert.Equal(0, ok.ExitCode);
        Assert.Equal("checked 1 file: no errors\n", ok.Stdout);
        Assert.Equal("", ok.Stderr);

        Assert.Equal(2, missing.ExitCode);
        Assert.Equal("", missing.Stdout);
        Assert.Equal("atlas check: 'flows/missing.atlas' does not exist\n", missing.Stderr);

        Assert.Equal(2, unknown.ExitCode);
        Assert.Single(unknown.StderrLines);
    }

    [Fact]
    public void Process_Help_ExitsZeroWithExamples()
    {
        var help = Launch(Path.GetTempPath(), "check", "--help");

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("Examples:", help.Stdout);
    }

    private static CliResult Launch(string workingDirectory, params string[] args) => AtlasProcess.Run(workingDirectory, args);
}
