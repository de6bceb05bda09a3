using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Atlas.Runtime;

namespace Atlas.Cli.Tests;

/// <summary>
/// A human step under <c>atlas run</c>: asked on a real terminal (tmux), where an invalid answer is asked again; and
/// without one, where the run waits and its resume goes on writing the same <c>--events</c> file.
/// </summary>
public sealed class HumanStepTests : IDisposable
{
    private const string Flow = """
        provider offline { kind = mock }
        agent writer(to: string) -> string {
          model  = offline
          prompt = "Write to {{to}}"
        }
        human approver(text: string) -> bool {
          prompt = "Send this? {{text}}"
        }
        workflow review(to: string) -> bool {
          draft = writer(to)
          ok    = approver(draft)
          return ok
        }
        """;

    private readonly TempDirectory _dir = new();
    private readonly string _file;
    private readonly string _store;

    public HumanStepTests()
    {
        _file = _dir.Write("review.atlas", Flow);
        _store = Path.Combine(_dir.Path, "runs.db");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task OnATerminal_ThePromptIsShown_AnInvalidAnswerIsAskedAgain_AndTheAnswerIsTheResult()
    {
        var session = "atlas-human-" + Guid.NewGuid().ToString("N")[..8];
        var exitFile = Path.Combine(_dir.Path, "exit");
        var start = AtlasProcess.StartInfo("run", _file, "--input", "\"Ann\"", "--store", _store);
        var command = string.Join(' ', new[] { start.FileName }.Concat(start.ArgumentList).Select(Quote));
        Tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "40", "-c", _dir.Path,
            $"env -u OPENAI_API_KEY -u ANTHROPIC_API_KEY -u GROQ_API_KEY {command}; echo $? > {Quote(exitFile)}; sleep 60");
        try
        {
            var asked = await WaitForScreenAsync(session, s => s.Contains("answer (y/n):", StringComparison.Ordinal));
            Assert.Contains("? approver (step ok):", asked);
            Assert.Contains("Send this? ", asked);

            Tmux("send-keys", "-t", session, "maybe", "Enter");
            var again = await WaitForScreenAsync(session, s => s.Split("answer (y/n):").Length > 2);
            Assert.Contains("maybe", again);

            Tmux("send-keys", "-t", session, "y", "Enter");
            var done = await WaitForScreenAsync(session, _ => File.Exists(exitFile) && File.ReadAllText(exitFile).Trim().Length > 0);
            Assert.Equal("0", File.ReadAllText(exitFile).Trim());
            Assert.Contains("true", done.Split('\n').Select(l => l.Trim()));
        }
        finally
        {
            RunTmux(["kill-session", "-t", session]);
        }

        await using var store = new SqliteRunStore(_store);
        var run = Assert.Single(await store.ListRunsAsync(new RunQuery()));
        Assert.Equal(RunStatus.Succeeded, run.Status);
        var question = Assert.Single(await store.GetHumanRequestsAsync(run.RunId));
        Assert.Equal("true", question.Answer);
    }

    [Fact]
    public void WithoutATerminal_TheRunWaits_AndItsResumeAppendsToTheEventsFile()
    {
        var events = Path.Combine(_dir.Path, "events.jsonl");

        var waiting = Cli.Offline("run", _file, "--input", "\"Ann\"", "--store", _store, "--events", events);
        Assert.Equal(3, waiting.ExitCode);
        var runId = waiting.StderrLines.Single(l => l.StartsWith("waiting: run ", StringComparison.Ordinal))["waiting: run ".Length..].Split(' ')[0];
        var first = File.ReadAllLines(events);
        File.AppendAllText(events, "{\"type\":\"step_sta"); // a line cut off by a kill
        Assert.Equal(0, Cli.Offline("runs", "answer", runId, "ok", "--value", "n", "--store", _store).ExitCode);

        var resumed = Cli.Offline("run", _file, "--resume", runId, "--store", _store, "--events", events);

        Assert.Equal(0, resumed.ExitCode);
        Assert.Equal("false", resumed.Stdout.Trim());
        var lines = File.ReadAllLines(events);
        Assert.Equal(first, lines[..first.Length]);
        var types = lines.Select(l => JsonNode.Parse(l)!["type"]!.GetValue<string>()).ToList();
        Assert.Equal(2, types.Count(t => t == "run_started"));
        Assert.Equal(2, types.Count(t => t == "run_completed"));
        Assert.Contains("human_requested", types[..first.Length]);
        Assert.Contains("human_answered", types[first.Length..]);
        Assert.Equal("run_completed", types[^1]);
        Assert.True(JsonNode.Parse(lines[^1])!["succeeded"]!.GetValue<bool>());
    }

    [Fact]
    public void Batch_LinesThatWait_AreWaitingRecords_ExitThree_AndGoOnWithTheirAnswersWhenResumed()
    {
        var input = _dir.Write("in.jsonl", "\"Ann\"\n\n\"Bob\"\n\"Cy\"\n");
        var output = Path.Combine(_dir.Path, "out.jsonl");
        string[] batch = ["run", _file, "--batch", input, "--output", output, "--store", _store];

        var first = Cli.Offline(batch);

        Assert.Equal(3, first.ExitCode);
        var waiting = File.ReadAllLines(output).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal([1L, 3L, 4L], waiting.Select(r => r["line"]!.GetValue<long>()));
        Assert.All(waiting, r => Assert.Equal(("approver", "ok"), (r["waiting"]!.GetValue<string>(), r["step"]!.GetValue<string>())));
        Assert.Contains("batch done: 3 lines · 0 ok · 0 failed · 3 waiting · ", first.Stderr);
        Assert.Contains("waiting: 3 lines wait for a human step", first.Stderr);
        var runs = waiting.Select(r => r["run"]!.GetValue<string>()).ToList();

        // The second line is answered first: the first still waits, so every line is written again in order.
        var answered = Cli.Offline("runs", "answer", runs[1], "ok", "--value", "y", "--store", _store);
        Assert.StartsWith($"answered 'ok' of run {runs[1]}: true\ncontinue its batch: atlas run ", answered.Stdout);
        var second = Cli.Offline([.. batch, "--resume"]);

        Assert.Equal(3, second.ExitCode);
        var lines = File.ReadAllLines(output);
        Assert.Equal(3, lines.Length);
        Assert.Equal(runs[0], JsonNode.Parse(lines[0])!["run"]!.GetValue<string>());
        Assert.Equal("true", lines[1]);
        Assert.Equal(runs[2], JsonNode.Parse(lines[2])!["run"]!.GetValue<string>());
        Assert.Contains("batch done: 3 lines · 1 ok · 0 failed · 2 waiting · 0 tokens", second.Stderr); // no model call again

        Assert.Equal(0, Cli.Offline("runs", "answer", runs[0], "ok", "--value", "n", "--store", _store).ExitCode);
        Assert.Equal(0, Cli.Offline("runs", "answer", runs[2], "ok", "--value", "yes", "--store", _store).ExitCode);
        var third = Cli.Offline([.. batch, "--resume"]);

        Assert.Equal(0, third.ExitCode);
        Assert.Equal(["false", "true", "true"], File.ReadAllLines(output));
        Assert.Contains("batch done: 3 lines · 3 ok · 0 failed · 0 tokens", third.Stderr);
    }

    /// <summary>The pane's text once <paramref name="ready"/> holds for it (polled for up to a minute).</summary>
    private static async Task<string> WaitForScreenAsync(string session, Func<string, bool> ready)
    {
        var deadline = Stopwatch.StartNew();
        var screen = "";
        while (deadline.Elapsed < TimeSpan.FromMinutes(1))
        {
            screen = RunTmux(["capture-pane", "-p", "-t", session]);
            if (ready(screen)) return screen;
            await Task.Delay(100);
        }

        throw new TimeoutException("the terminal never showed what was expected; it shows:\n" + screen);
    }

    private static void Tmux(params string[] args) => RunTmux(args);

    private static string RunTmux(string[] args)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
