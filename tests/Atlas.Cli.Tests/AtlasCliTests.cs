namespace Atlas.Cli.Tests;

/// <summary>The command tree: help, version, unknown commands, no command.</summary>
public sealed class AtlasCliTests
{
    [Fact]
    public void Help_Root_ListsCheckAndExamples()
    {
        var result = Cli.Run("--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Stdout);
        Assert.Contains("check", result.Stdout);
        Assert.Contains("Examples:\n  atlas check examples/", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Theory]
    [InlineData("check", "--help")]
    [InlineData("check", "-h")]
    [InlineData("help-for", "check")]
    public void Help_Check_DescribesFilesExamplesAndExitCodes(string first, string second)
    {
        var result = first == "help-for" ? Cli.Run(second, "--help") : Cli.Run(first, second);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("atlas check [<FILES>...] [options]", result.Stdout);
        Assert.Contains("*.atlas.yaml", result.Stdout);
        Assert.Contains("Examples:\n  atlas check examples/support-triage/support.atlas", result.Stdout);
        Assert.Contains("atlas check examples/", result.Stdout);
        Assert.Contains("Exit codes:\n  0 no errors (warnings allowed), 1 errors found, 2 bad usage", result.Stdout);
    }

    [Fact]
    public void Version_PrintsPackageVersion()
    {
        var result = Cli.Run("--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Stdout.Trim());
    }

    [Fact]
    public void UnknownCommand_Exits2WithOneLine()
    {
        var result = Cli.Run("chek", "a.atlas");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("atlas: ", line);
        Assert.Contains("'chek'", line);
        Assert.EndsWith("(see 'atlas --help')", line);
    }

    [Fact]
    public void UnknownRootOption_Exits2WithOneLine()
    {
        var result = Cli.Run("--verbose");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'--verbose'", Assert.Single(result.StderrLines));
    }

    [Fact]
    public void NoCommand_Exits2WithOneLine()
    {
        var result = Cli.Run();

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.StartsWith("atlas: no command given", Assert.Single(result.StderrLines));
    }

    [Fact]
    public void Errors_NeverPrintAStackTrace()
    {
        var results = new[] { Cli.Run("check"), Cli.Run("check", "/no/such/dir"), Cli.Run("bogus"), Cli.Run("check", "--x") };

        Assert.All(results, r => Assert.DoesNotContain("   at ", r.Stderr));
        Assert.All(results, r => Assert.Single(r.StderrLines));
        Assert.All(results, r => Assert.Equal(2, r.ExitCode));
    }
}
