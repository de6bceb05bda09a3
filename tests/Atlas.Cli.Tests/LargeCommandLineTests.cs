using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;

namespace Atlas.Cli.Tests;

/// <summary>
/// Command lines of 32 KB and more while the MiniLM embedder runs: ONNX Runtime's telemetry used to
/// regex-match the process's command line and overflow the stack (the CLR aborted with exit 134).
/// </summary>
/// <remarks>
/// ONNX Runtime skips its telemetry under CI variables and its own switches, so the children run
/// without them: otherwise the test would pass in CI whether or not the embedder disables it.
/// </remarks>
public sealed class LargeCommandLineTests
{
    private static readonly string[] TelemetrySwitches =
    [
        "ORT_DISABLE_TELEMETRY", "ORT_RUNNING_UNIT_TESTS", "CI", "TF_BUILD", "GITHUB_ACTIONS", "GITLAB_CI", "CIRCLECI", "TRAVIS",
        "JENKINS_URL", "CODEBUILD_BUILD_ID", "BUILDKITE", "TEAMCITY_VERSION", "APPVEYOR", "BITBUCKET_BUILD_NUMBER",
        "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI",
    ];

    [Fact]
    public void Process_SearchWith40KbAnd200KbQueries_ExitZeroWithPassages()
    {
        using var dir = SupportTriageCopy();
        var ingest = Run(dir.Path, "ingest", "support.atlas", "--knowledge", "handbook");
        Assert.True(ingest.ExitCode == 0, ingest.Stderr);

        // One argument of 40 KB; Linux caps a single argument at 128 KB, so 200 KB go as 20 words of 10 KB.
        var forty = Run(dir.Path, "search", "support.atlas", "-k", "handbook", Words(40_000), "--json");
        var twoHundred = Run(dir.Path, ["search", "support.atlas", "-k", "handbook", "--json", .. Enumerable.Range(0, 20).Select(_ => Words(10_000))]);

        foreach (var result in new[] { forty, twoHundred })
        {
            Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr[..Math.Min(2000, result.Stderr.Length)]}");
            Assert.NotEmpty(JsonNode.Parse(result.Stdout)!.AsArray());
        }
    }

    [Fact]
    public void Process_RunWith50KbInlineInput_ExitZeroWithTheReply()
    {
        using var dir = SupportTriageCopy();
        var ticket = new JsonObject { ["id"] = "T-50K", ["subject"] = "Charged twice", ["body"] = Words(50_000) }.ToJsonString();

        var result = Run(dir.Path, "run", "support.atlas", "--workflow", "support", "--input", ticket);

        // The offline mock files this ticket under billing, whose answer a person approves: with no terminal the run
        // waits (exit 3, naming the run); answered with atlas runs answer, --resume finishes it from the recorded input.
        Assert.True(result.ExitCode == 3, $"exit {result.ExitCode}: {result.Stderr[..Math.Min(2000, result.Stderr.Length)]}");
        var waiting = result.StderrLines.Single(l => l.StartsWith("waiting: run ", StringComparison.Ordinal));
        var runId = waiting["waiting: run ".Length..].Split(' ')[0];
        var answer = Run(dir.Path, "runs", "answer", runId, "answer", "--value", "Refund sent.");
        Assert.True(answer.ExitCode == 0, $"exit {answer.ExitCode}: {answer.Stderr}");
        var resumed = Run(dir.Path, "run", "support.atlas", "--resume", runId);

        Assert.True(resumed.ExitCode == 0, $"exit {resumed.ExitCode}: {resumed.Stderr[..Math.Min(2000, resumed.Stderr.Length)]}");
        var reply = JsonNode.Parse(resumed.Stdout)!;
        Assert.Equal("T-50K", reply["ticket"]!.GetValue<string>());
        Assert.Equal("Refund sent.", reply["answer"]!.GetValue<string>());
    }

    /// <summary>About <paramref name="length"/> characters of words the handbook knows.</summary>
    private static string Words(int length)
    {
        var text = new StringBuilder(length + 16);
        while (text.Length < length) text.Append("refund charged twice invoice ");
        return text.ToString(0, length).TrimEnd();
    }

    private static CliResult Run(string workingDirectory, params string[] args)
    {
        var start = AtlasProcess.StartInfo(args);
        foreach (var name in TelemetrySwitches) start.Environment.Remove(name);
        return AtlasProcess.Launch(start, workingDirectory);
    }

    private static TempDirectory SupportTriageCopy()
    {
        var dir = new TempDirectory();
        var from = Cli.Example("support-triage");
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal) || relative.Contains(".db", StringComparison.Ordinal)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir.Path, relative))!);
            File.Copy(file, Path.Combine(dir.Path, relative));
        }
        return dir;
    }
}
