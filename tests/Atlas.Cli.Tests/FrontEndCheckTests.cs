using System.Text.RegularExpressions;

namespace Atlas.Cli.Tests;

/// <summary><c>atlas check</c> with the real front-end: the whole path from files to exit code.</summary>
public sealed class FrontEndCheckTests
{
    private const string Valid = """
        provider offline {
          kind    = mock
          latency = 20ms
        }

        type Ticket {
          id:      string
          subject: string
        }

        agent echo(ticket: Ticket) -> string {
          model  = offline
          prompt = "Echo {{ticket.subject}}"
        }

        workflow run(ticket: Ticket) -> string {
          text = echo(ticket)
          return text
        }
        """;

    [Fact]
    public void Check_ValidFile_Exits0()
    {
        using var dir = new TempDirectory();
        dir.Write("flow.atlas", Valid);

        var result = Cli.RunIn(dir.Path, null, "check", "flow.atlas");

        Assert.Equal("checked 1 file: no errors\n", result.Stdout);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public void Check_UnknownMember_ReportsItsLineAndExits1()
    {
        using var dir = new TempDirectory();
        dir.Write("flow.atlas", Valid.Replace("{{ticket.subject}}", "{{ticket.subjct}}"));

        var result = Cli.RunIn(dir.Path, null, "check", "flow.atlas");

        Assert.Equal(1, result.ExitCode);
        Assert.Matches(new Regex(@"^flow\.atlas\(13,\d+\): error ATL2002: .*subjct.*$", RegexOptions.Multiline), result.Stdout);
        Assert.EndsWith("1 error, 0 warnings in 1 file\n", result.Stdout);
    }

    [Fact]
    public void Check_FilesShareOneNamespace()
    {
        using var dir = new TempDirectory();
        var split = Valid.IndexOf("agent echo", System.StringComparison.Ordinal);
        dir.Write("src/types.atlas", Valid[..split]);
        dir.Write("src/flows.atlas", Valid[split..]);

        var result = Cli.RunIn(dir.Path, null, "check", "src");

        Assert.Equal("checked 2 files: no errors\n", result.Stdout);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public void Check_SyntaxError_PointsIntoTheFileAndExits1()
    {
        using var dir = new TempDirectory();
        dir.Write("bad.atlas", "provider offline {\n  kind = mock\n\nagent (\n");

        var result = Cli.RunIn(dir.Path, null, "check", "bad.atlas");

        Assert.Equal(1, result.ExitCode);
        Assert.Matches(new Regex(@"^bad\.atlas\(\d+,\d+\): error ATL0\d{3}: .+$", RegexOptions.Multiline), result.Stdout);
        Assert.Equal("", result.Stderr);
    }
}
