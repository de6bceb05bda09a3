using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Atlas.Runtime;

namespace Atlas.Cli.Tests;

/// <summary>
/// <c>atlas runs</c> in process, against a store these tests fill through <see cref="SqliteRunStore"/> (as
/// <c>atlas run</c> would): <c>flows/.atlas/runs.db</c> beside <c>flows/support.atlas</c>.
/// </summary>
public sealed class RunsCommandTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 30, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();
    private readonly string _file;
    private readonly string _store;

    public RunsCommandTests()
    {
        _file = _dir.Write("flows/support.atlas", "# the runs below were recorded from it\n");
        _dir.Write("flows/digest.atlas", "");
        _store = Path.Combine(_dir.Path, "flows", ".atlas", "runs.db");
    }

    public void Dispose() => _dir.Dispose();

    private static StepRecord Step(string run, string step, string? result, DateTimeOffset at, StepStatus status = StepStatus.Succeeded, string? error = null) =>
        new(run, step, "fp-" + step, status, result, status == StepStatus.Failed ? 3 : 1, at, TimeSpan.FromMilliseconds(250), new Usage(100, 20, 0.0012m), error);

    /// <summary>
    /// a1 and a2: support runs of flows/support.atlas (a2 failed at draft, another input); b3: a digest run of
    /// flows/digest.atlas that waits for two answers; c4: a line of a batch, re-run from a step of a1.
    /// </summary>
    private async Task RecordAsync()
    {
        await using var store = new SqliteRunStore(_store);
        var support = Path.GetFullPath(_file);
        var a1 = new RunRecord("a1c0ffee00000001", "support", "5f5f5f5f5f5f5f5f", "{\"ticket\": {\"id\": \"T-1\"}}", RunStatus.Running, T0, null, Usage.Zero, null) { Source = support };
        await store.StartRunAsync(a1);
        var triage = Step(a1.RunId, "triage", "{\"label\":\"billing\",\"urgent\":false}", T0.AddSeconds(1));
        await store.RecordModelCallAsync(new ModelCallRecord(a1.RunId, "triage", "classifier", "fast", "offline", "mock", new string('a', 64), "{}", "{}", triage.Usage, TimeSpan.FromMilliseconds(40), T0.AddSeconds(1)));
        await store.RecordToolCallAsync(new ToolCallRecord(a1.RunId, "triage", "classifier", "lookup", "{\"id\":\"T-1\"}", "{\"plan\":\"pro\"}", null, TimeSpan.FromMilliseconds(3), T0.AddSeconds(1)));
        await store.CompleteStepAsync(triage, [new StepStarted(a1.RunId, "triage", T0.AddSeconds(1)), new StepCompleted(a1.RunId, "triage", T0.AddSeconds(1.25), triage.Duration, triage.Usage)]);
        var draft = Step(a1.RunId, "draft", "\"Dear customer\"", T0.AddSeconds(2));
        await store.RecordModelCallAsync(new ModelCallRecord(a1.RunId, "draft", "writer", "fast", "offline", "mock", new string('b', 64), "{}", "{}", draft.Usage, TimeSpan.FromMilliseconds(40), T0.AddSeconds(2)));
        await store.CompleteStepAsync(draft, [new StepStarted(a1.RunId, "draft", T0.AddSeconds(2))]);
        await store.EndRunAsync(
            a1 with { Status = RunStatus.Succeeded, EndedAt = T0.AddSeconds(3), Usage = new Usage(200, 40, 0.0024m), Output = "{\"reply\":\"Dear customer\"}" },
            [new RunStarted(a1.RunId, "support", T0), new RunCompleted(a1.RunId, T0.AddSeconds(3), TimeSpan.FromSeconds(3), new Usage(200, 40, 0.0024m), true, null)]);

        var a2 = new RunRecord("a2c0ffee00000002", "support", "5f5f5f5f5f5f5f5f", "{\"ticket\":{\"id\":\"T-2\"}}", RunStatus.Running, T0.AddMinutes(1), null, Usage.Zero, null) { Source = support };
        await store.StartRunAsync(a2);
        await store.CompleteStepAsync(Step(a2.RunId, "triage", "{\"urgent\":false,\"label\":\"billing\"}", T0.AddMinutes(1)), []);
        await store.CompleteStepAsync(Step(a2.RunId, "draft", null, T0.AddMinutes(1), StepStatus.Failed, "timed out after 30s"), []);
        await store.EndRunAsync(a2 with { Status = RunStatus.Failed, EndedAt = T0.AddMinutes(1).AddSeconds(31), Error = "step 'draft' failed: timed out after 30s" }, []);

        var b3 = new RunRecord("b3c0ffee00000003", "digest", "6e6e6e6e6e6e6e6e", "\"weekly\"", RunStatus.Running, T0.AddMinutes(2), null, Usage.Zero, null) { Source = Path.GetFullPath(Path.Combine(_dir.Path, "flows/digest.atlas")) };
        await store.StartRunAsync(b3);
        await store.RequestHumanAsync(new HumanRequestRecord(b3.RunId, "approve", "manager", "Send the weekly digest?", "bool", "{\"type\":\"boolean\"}", T0.AddMinutes(2)) { ExpiresAt = T0.AddDays(1) });
        await store.RequestHumanAsync(new HumanRequestRecord(b3.RunId, "tone", "editor", "Which tone?", "Tone", "{\"type\":\"string\",\"enum\":[\"formal\",\"casual\"]}", T0.AddMinutes(2)));
        await store.CompleteStepAsync(Step(b3.RunId, "approve", null, T0.AddMinutes(2), StepStatus.Waiting), []);
        await store.EndRunAsync(b3 with { Status = RunStatus.Waiting }, []);

        var c4 = new RunRecord("c4c0ffee00000004", "support", "5f5f5f5f5f5f5f5f", "{\"ticket\":{\"id\":\"T-1\"}}", RunStatus.Running, T0.AddMinutes(3), null, Usage.Zero, null)
        {
            ParentRunId = a1.RunId,
            BatchId = "0b0b",
            BatchLine = 7,
        };
        await store.StartRunAsync(c4);
        await store.CompleteStepAsync(Step(c4.RunId, "triage", "{\"label\":\"billing\",\"urgent\":false}", T0.AddMinutes(3)) with { Reused = true, Usage = Usage.Zero }, []);
        await store.CompleteStepAsync(Step(c4.RunId, "draft", "\"Dear customer\"", T0.AddMinutes(3)), []);
        await store.EndRunAsync(c4 with { Status = RunStatus.Succeeded, EndedAt = T0.AddMinutes(3).AddSeconds(2), Usage = new Usage(100, 20, 0.0012m), Output = "{\"reply\":\"Dear customer\"}" }, []);
    }

    private CliResult Runs(params string[] args) => Cli.Run(["runs", .. args]);

    [Fact]
    public async Task List_File_ItsRunsNewestFirst_AsATable()
    {
        await RecordAsync();

        var listed = Runs("list", _file);

        Assert.Equal(0, listed.ExitCode);
        Assert.Equal(
            """
            id                workflow  status     started (UTC)         duration  tokens  cost
            a2c0ffee00000002  support   failed     2026-11-30 09:31:00Z  31.0 s    0       $0.000000
            a1c0ffee00000001  support   succeeded  2026-11-30 09:30:00Z  3.0 s     240     $0.002400

            """,
            listed.Stdout);
        Assert.Equal("", listed.Stderr);
    }

    [Fact]
    public async Task List_Directory_EveryRunOfItsStore_WithWhereEachComesFrom()
    {
        await RecordAsync();

        var listed = Runs("list", Path.Combine(_dir.Path, "flows"));

        Assert.Equal(0, listed.ExitCode);
        Assert.Equal(["id", "c4c0ffee00000004", "b3c0ffee00000003", "a2c0ffee00000002", "a1c0ffee00000001"], listed.StdoutLines.Select(l => l.Split(' ')[0]));
        Assert.EndsWith("from", listed.StdoutLines[0]);
        Assert.EndsWith("re-run of a1c0ffee00000001, batch 0b0b line 7", listed.StdoutLines[1]);
        Assert.Contains("waiting", listed.StdoutLines[2]);
    }

    [Fact]
    public async Task List_Filters_Limit_Json_Quiet()
    {
        await RecordAsync();

        Assert.Equal(["c4c0ffee00000004", "a2c0ffee00000002", "a1c0ffee00000001"], Runs("list", "--store", _store, "-q", "--workflow", "support").StdoutLines);
        Assert.Equal(["b3c0ffee00000003"], Runs("list", "--store", _store, "-q", "--status", "waiting").StdoutLines);
        Assert.Equal(["c4c0ffee00000004", "b3c0ffee00000003"], Runs("list", "--store", _store, "-q", "--since", "2026-11-30T09:32:00Z").StdoutLines);
        Assert.Empty(Runs("list", "--store", _store, "-q", "--since", "1h").StdoutLines); // recorded long ago
        Assert.Equal(4, Runs("list", "--store", _store, "-q", "--since", "2026-11-30").StdoutLines.Length);
        var limited = Runs("list", "--store", _store, "--limit", "2");
        Assert.Equal(3, limited.StdoutLines.Length);
        Assert.Equal("(the newest 2; --limit N shows more)\n", limited.Stderr);

        var json = JsonNode.Parse(Runs("list", "--store", _store, "--json", "--status", "succeeded").Stdout)!.AsArray();
        Assert.Equal(["c4c0ffee00000004", "a1c0ffee00000001"], json.Select(r => (string)r!["run_id"]!));
        var a1 = json[1]!;
        Assert.Equal("succeeded", (string)a1["status"]!);
        Assert.Equal("T-1", (string)a1["input"]!["ticket"]!["id"]!);
        Assert.Equal(240, (long)a1["usage"]!["total_tokens"]!);
        Assert.Equal(0.0024m, (decimal)a1["usage"]!["cost_usd"]!);
        Assert.Equal("00:00:03", (string)a1["duration"]!);
        Assert.Equal(7, (long)json[0]!["batch_line"]!);
        Assert.Null(a1["error"]);
    }

    [Fact]
    public async Task List_NoFileNoStore_ReadsTheCurrentDirectorysStore()
    {
        await RecordAsync();

        var listed = Cli.RunIn(Path.Combine(_dir.Path, "flows"), null, "runs", "list", "-q");

        Assert.Equal(0, listed.ExitCode);
        Assert.Equal(4, listed.StdoutLines.Length);
    }

    [Fact]
    public void MissingStore_OneLineExit1_AndNoFileCreated()
    {
        var elsewhere = Path.Combine(_dir.Path, "none", "runs.db");

        var byStore = Runs("list", "--store", elsewhere);
        var byFile = Runs("show", "a1", "--store", elsewhere);
        var byProject = Runs("list", _file);

        Assert.Equal((1, "", $"atlas runs list: no runs recorded in {elsewhere}\n"), (byStore.ExitCode, byStore.Stdout, byStore.Stderr));
        Assert.Equal((1, $"atlas runs show: no runs recorded in {elsewhere}\n"), (byFile.ExitCode, byFile.Stderr));
        Assert.Equal((1, $"atlas runs list: no runs recorded in {_store}\n"), (byProject.ExitCode, byProject.Stderr));
        Assert.False(Directory.Exists(Path.GetDirectoryName(elsewhere)));
        Assert.False(Directory.Exists(Path.GetDirectoryName(_store)));
    }

    [Fact]
    public void StoreThatIsADirectory_OneLineExit1()
    {
        var folder = _dir.CreateDirectory("folder.db");

        var listed = Runs("list", "--store", folder);
        var pruned = Runs("prune", "--older-than", "1d", "--store", folder);

        Assert.Equal((1, $"atlas runs list: the run store {folder} is a directory, not a file\n"), (listed.ExitCode, listed.Stderr));
        Assert.Equal((1, $"atlas runs prune: the run store {folder} is a directory, not a file\n"), (pruned.ExitCode, pruned.Stderr));
    }

    [Fact]
    public async Task BadUsage_OneLineExit2()
    {
        await RecordAsync();

        var since = Runs("list", "--store", _store, "--since", "yesterday");
        var status = Runs("list", "--store", _store, "--status", "done");
        var olderThan = Runs("prune", "--store", _store, "--older-than", "30 days ago");
        var noOlderThan = Runs("prune", "--store", _store);
        var noFile = Runs("list", Path.Combine(_dir.Path, "missing.atlas"));
        var none = Runs();

        Assert.Equal((2, "atlas runs list: --since 'yesterday' is neither an age (30m, 12h, 7d) nor a date (2026-12-01) or time (2026-12-01T09:30:00Z)\n"), (since.ExitCode, since.Stderr));
        Assert.Equal(2, status.ExitCode);
        Assert.Single(status.StderrLines);
        Assert.Equal((2, "atlas runs prune: --older-than '30 days ago' is neither an age (30m, 12h, 7d) nor a date (2026-12-01) or time (2026-12-01T09:30:00Z)\n"), (olderThan.ExitCode, olderThan.Stderr));
        Assert.Equal(2, noOlderThan.ExitCode);
        Assert.Single(noOlderThan.StderrLines);
        Assert.Equal((2, $"atlas runs list: '{Path.Combine(_dir.Path, "missing.atlas")}' does not exist\n"), (noFile.ExitCode, noFile.Stderr));
        Assert.Equal((2, "atlas runs: no subcommand given; try 'atlas runs list' (see 'atlas runs --help')\n"), (none.ExitCode, none.Stderr));
    }

    [Fact]
    public async Task RunArgument_UniquePrefix_Found_UnknownOrAmbiguous_OneLineExit1()
    {
        await RecordAsync();

        var byPrefix = Runs("events", "b3", "--store", _store);
        var unknown = Runs("show", "ff", "--store", _store);
        var ambiguous = Runs("show", "a", "--store", _store);
        var diffUnknown = Runs("diff", "a1", "zz", "--store", _store);

        Assert.Equal(0, byPrefix.ExitCode);
        Assert.Equal((1, "", $"atlas runs show: no run 'ff' in {_store}\n"), (unknown.ExitCode, unknown.Stdout, unknown.Stderr));
        Assert.Equal((1, "atlas runs show: several runs start with 'a' (a1c0ffee00000001, a2c0ffee00000002); give more of the id\n"), (ambiguous.ExitCode, ambiguous.Stderr));
        Assert.Equal((1, $"atlas runs diff: no run 'zz' in {_store}\n"), (diffUnknown.ExitCode, diffUnknown.Stderr));
    }

    [Fact]
    public async Task Show_HeaderStepsCallsAndQuestions()
    {
        await RecordAsync();

        var a1 = Runs("show", "a1", "--store", _store);
        var b3 = Runs("show", "b3c0", "--store", _store);

        Assert.Equal(0, a1.ExitCode);
        Assert.Equal(
            $$$"""
            run a1c0ffee00000001: workflow support, succeeded
              fingerprint  5f5f5f5f5f5f5f5f
              started      2026-11-30 09:30:00Z, took 3.0 s
              usage        240 tokens · $0.002400
              input        {"ticket":{"id":"T-1"}}
              output       {"reply":"Dear customer"}
              source       {{{Path.GetFullPath(_file)}}}

            step    status     reused  attempts  duration  tokens  cost       model calls  tool calls
            triage  succeeded  no      1         250 ms    120     $0.001200  1            1
            draft   succeeded  no      1         250 ms    120     $0.001200  1            0

            """,
            a1.Stdout);
        Assert.Equal(0, b3.ExitCode);
        Assert.Contains("run b3c0ffee00000003: workflow digest, waiting\n", b3.Stdout);
        Assert.Contains("  started      2026-11-30 09:32:00Z, waiting for an answer\n", b3.Stdout);
        Assert.Contains("approve  waiting  no      1", b3.Stdout);
        Assert.EndsWith(
            """
            questions:
              approve: manager asks (bool) Send the weekly digest?
                unanswered (times out at 2026-12-01 09:30:00Z): atlas runs answer b3c0ffee00000003 approve --value VALUE
              tone: editor asks (Tone) Which tone?
                unanswered: atlas runs answer b3c0ffee00000003 tone --value VALUE

            """,
            b3.Stdout);
    }

    [Fact]
    public async Task Show_FailedAndReRun_SayWhyAndWhereFrom()
    {
        await RecordAsync();

        var a2 = Runs("show", "a2", "--store", _store).Stdout;
        var c4 = Runs("show", "c4", "--store", _store).Stdout;

        Assert.Contains("  error        step 'draft' failed: timed out after 30s\n", a2);
        Assert.Contains("draft   failed     no      3", a2);
        Assert.EndsWith("draft failed: timed out after 30s\n", a2);
        Assert.Contains("  from         re-run of a1c0ffee00000001, batch 0b0b line 7\n", c4);
        Assert.Contains("triage  succeeded  yes     1", c4);
    }

    [Fact]
    public async Task ShowJson_TheRunItsStepsQuestionsAndCalls()
    {
        await RecordAsync();

        var shown = Runs("show", "a1", "--json", "--store", _store);
        var json = JsonNode.Parse(shown.Stdout)!;
        var waiting = JsonNode.Parse(Runs("show", "b3", "--json", "--store", _store).Stdout)!;

        Assert.Equal(0, shown.ExitCode);
        Assert.Equal("a1c0ffee00000001", (string)json["run"]!["run_id"]!);
        Assert.Equal(["triage", "draft"], json["steps"]!.AsArray().Select(s => (string)s!["step"]!));
        var triage = json["steps"]![0]!;
        Assert.Equal((1, 1, false, "billing"), ((int)triage["model_calls"]!, (int)triage["tool_calls"]!, (bool)triage["reused"]!, (string)triage["result"]!["label"]!));
        Assert.Equal(["classifier", "writer"], json["model_calls"]!.AsArray().Select(c => (string)c!["agent"]!));
        Assert.Null(json["model_calls"]![0]!["request"]);
        Assert.Equal("lookup", (string)json["tool_calls"]![0]!["tool"]!);
        Assert.Empty(json["questions"]!.AsArray());
        Assert.Equal(["approve", "tone"], waiting["questions"]!.AsArray().Select(q => (string)q!["step"]!));
        Assert.Equal("waiting", (string)waiting["run"]!["status"]!);
    }

    [Fact]
    public async Task Events_OneJsonLineEach_AsRecorded()
    {
        await RecordAsync();

        var events = Runs("events", "a1c0ffee00000001", "--store", _store);

        Assert.Equal(0, events.ExitCode);
        Assert.Equal(
            [
                "run_started", "step_started", "step_completed", "step_started", "run_completed",
            ],
            events.StdoutLines.Select(l => (string)JsonNode.Parse(l)!["type"]!));
        Assert.Equal(AtlasEventJson.SerializeEvent(new RunStarted("a1c0ffee00000001", "support", T0)), events.StdoutLines[0]);
        Assert.Empty(Runs("events", "a2", "--store", _store).StdoutLines);
    }

    [Fact]
    public async Task Diff_SameResults_Exit0_DifferentOnes_Exit1()
    {
        await RecordAsync();

        var same = Runs("diff", "a1", "c4", "--store", _store);
        var different = Runs("diff", "a1", "a2", "--store", _store);
        var otherWorkflow = Runs("diff", "a2", "b3", "--store", _store);

        Assert.Equal(
            (0,
            """
            run a1c0ffee00000001 (support, succeeded) against run c4c0ffee00000004 (support, succeeded)
              input        same
              step triage  same
              step draft   same
              output       same
            the runs are the same

            """),
            (same.ExitCode, same.Stdout));
        Assert.Equal(
            (1,
            """
            run a1c0ffee00000001 (support, succeeded) against run a2c0ffee00000002 (support, failed)
              input        differs
              step triage  same
              step draft   differs: succeeded → failed
              output       differs
            the runs differ: input, 1 step, output

            """),
            (different.ExitCode, different.Stdout));
        Assert.Equal(1, otherWorkflow.ExitCode);
        Assert.Contains("  workflow      differs: support → digest\n", otherWorkflow.Stdout);
        Assert.Contains("  step triage   only in a2c0ffee00000002\n", otherWorkflow.Stdout);
        Assert.Contains("  step approve  only in b3c0ffee00000003\n", otherWorkflow.Stdout);
        Assert.EndsWith("the runs differ: workflow, input, 3 steps\n", otherWorkflow.Stdout);
    }

    [Fact]
    public async Task Prune_DeletesRunsThatEndedBefore_AndSaysHowMany()
    {
        await RecordAsync();

        var pruned = Runs("prune", _file, "--older-than", "2026-11-30T09:31:10Z");
        var again = Runs("prune", "--store", _store, "--older-than", "2026-11-30T09:31:10Z");

        Assert.Equal((0, $"pruned 1 run that ended before 2026-11-30 09:31:10Z from {_store}\n"), (pruned.ExitCode, pruned.Stdout));
        Assert.Equal($"pruned 0 runs that ended before 2026-11-30 09:31:10Z from {_store}\n", again.Stdout);
        Assert.Equal(["c4c0ffee00000004", "b3c0ffee00000003", "a2c0ffee00000002"], Runs("list", "--store", _store, "-q").StdoutLines);
    }

    [Fact]
    public async Task Answer_Valid_StoresCanonicalJson_AndSaysHowToContinue()
    {
        await RecordAsync();

        var approve = Runs("answer", "b3", "approve", "--value", "YES", "--store", _store);
        var tone = Runs("answer", "b3c0ffee00000003", "tone", "--value", "\"casual\"", "--store", _store);
        var again = Runs("answer", "b3", "approve", "--value", "n", "--store", _store);

        var digest = Path.GetFullPath(Path.Combine(_dir.Path, "flows/digest.atlas"));
        Assert.Equal(
            (0, $"answered 'approve' of run b3c0ffee00000003: true\ncontinue the run: atlas run {digest} --resume b3c0ffee00000003 --store {_store}\n"),
            (approve.ExitCode, approve.Stdout));
        Assert.Equal(0, tone.ExitCode);
        Assert.StartsWith("answered 'approve' of run b3c0ffee00000003: false (it was true)\n", again.Stdout);
        await using var store = new SqliteRunStore(_store);
        var answers = (await store.GetHumanRequestsAsync("b3c0ffee00000003")).Select(q => q.Answer);
        Assert.Equal(["false", "\"casual\""], answers);
    }

    [Fact]
    public async Task Answer_FromTheProjectFolder_ContinueCommandNeedsNoStore()
    {
        await RecordAsync();

        var answered = Cli.RunIn(Path.Combine(_dir.Path, "flows"), null, "runs", "answer", "b3", "tone", "--value", "formal");

        Assert.Equal(0, answered.ExitCode);
        Assert.EndsWith($"continue the run: atlas run {Path.GetFullPath(Path.Combine(_dir.Path, "flows/digest.atlas"))} --resume b3c0ffee00000003\n", answered.Stdout);
    }

    [Fact]
    public async Task Answer_Invalid_NoQuestion_OrNothingWaits_OneLine()
    {
        await RecordAsync();

        var notBool = Runs("answer", "b3", "approve", "--value", "maybe", "--store", _store);
        var notMember = Runs("answer", "b3", "tone", "--value", "angry", "--store", _store);
        var noQuestion = Runs("answer", "b3", "send", "--value", "yes", "--store", _store);
        var asksNone = Runs("answer", "a2", "draft", "--value", "yes", "--store", _store);
        var succeeded = Runs("answer", "a1", "triage", "--value", "yes", "--store", _store);

        Assert.Equal((2, "atlas runs answer: --value 'maybe' does not answer 'approve': answer y or n\n"), (notBool.ExitCode, notBool.Stderr));
        Assert.Equal((2, "atlas runs answer: --value 'angry' does not answer 'tone': answer one of formal, casual\n"), (notMember.ExitCode, notMember.Stderr));
        Assert.Equal((1, "atlas runs answer: run b3c0ffee00000003 has no question for step 'send' (its questions: approve, tone)\n"), (noQuestion.ExitCode, noQuestion.Stderr));
        Assert.Equal((1, "atlas runs answer: run a2c0ffee00000002 has no question for step 'draft' (it asked none)\n"), (asksNone.ExitCode, asksNone.Stderr));
        Assert.Equal((1, "atlas runs answer: run a1c0ffee00000001 already succeeded; it waits for no answer\n"), (succeeded.ExitCode, succeeded.Stderr));
        await using var store = new SqliteRunStore(_store);
        Assert.All(await store.GetHumanRequestsAsync("b3c0ffee00000003"), q => Assert.Null(q.Answer));
    }

    /// <summary>What <c>atlas run</c> records, <c>atlas runs</c> reads back: the run by its file, and its events as --events wrote them.</summary>
    [Fact]
    public void RecordedByAtlasRun_ListedShownAndItsEventsAsWrittenLive()
    {
        var file = _dir.Write("live/flow.atlas", """
            provider offline { kind = mock }
            agent shout(text: string) -> string {
              model  = offline
              prompt = "Shout {{text}}"
            }
            agent whisper(text: string) -> string {
              model  = offline
              prompt = "Whisper {{text}}"
            }
            workflow echo(text: string) -> string {
              loud  = shout(text)
              quiet = whisper(loud)
              return quiet
            }
            """);
        var live = Path.Combine(_dir.Path, "live", "events.jsonl");

        var ran = Cli.Offline("run", file, "--input", "\"hi\"", "--events", live);
        var id = Runs("list", file, "-q");
        var shown = Runs("show", id.Stdout.Trim(), "--store", Path.Combine(_dir.Path, "live", ".atlas", "runs.db"));
        var recorded = Cli.RunIn(Path.Combine(_dir.Path, "live"), null, "runs", "events", id.Stdout.Trim());

        Assert.True(ran.ExitCode == 0, ran.Stderr);
        Assert.Single(id.StdoutLines);
        Assert.Contains(": workflow echo, succeeded\n", shown.Stdout);
        Assert.Contains("loud   succeeded  no      1", shown.Stdout);
        // The store keeps each model call's whole request and reply as a call of the run (atlas runs show), not as events.
        string[] notStored = ["{\"type\":\"token\"", "{\"type\":\"model_called\""];
        Assert.Equal(File.ReadAllLines(live).Where(l => !notStored.Any(p => l.StartsWith(p, StringComparison.Ordinal))), recorded.StdoutLines);
        Assert.Equal(2, File.ReadAllLines(live).Count(l => l.StartsWith(notStored[1], StringComparison.Ordinal)));
    }

    [Fact]
    public void Help_EverySubcommand_HasExamples()
    {
        foreach (var subcommand in new[] { "list", "show", "events", "diff", "prune", "answer" })
        {
            var help = Runs(subcommand, "--help");
            Assert.Equal(0, help.ExitCode);
            Assert.Contains("Examples:\n  ", help.Stdout);
            Assert.Contains("--store <PATH>", help.Stdout);
        }
    }
}
