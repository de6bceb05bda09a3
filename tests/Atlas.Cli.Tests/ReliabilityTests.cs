using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Atlas.Cli.Tests;

/// <summary>
/// Issue 14's reliability bar, on the real <c>atlas</c> process and its SQLite run store: a run or a batch killed with
/// SIGKILL at random moments and resumed ends with what an uninterrupted one gives, never sends again a request whose
/// reply (or step, or output line) was recorded before the kill, and leaves a file that passes <c>integrity_check</c>;
/// processes recording in one store lose nothing and never find it locked.
/// </summary>
/// <remarks>
/// The model is an OpenAI-format server on 127.0.0.1 whose replies are a hash of the prompt (so results are
/// deterministic) after a delay (so kills land mid-run). Each process gets an API key of its own, which the server sees
/// in the Authorization header: that is how a request is told to come from the killed process or from a later one,
/// however late it reaches the server. Run alone with <c>dotnet test tests/Atlas.Cli.Tests --filter Category=Reliability</c>.
/// </remarks>
[Trait("Category", "Reliability")]
public sealed class ReliabilityTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempDirectory _dir = new();
    private int _processes;

    public void Dispose() => _dir.Dispose();

    /// <summary>A chain and two diamonds of ten steps; each prompt names its step, so every request is distinct.</summary>
    private static string TenSteps(string endpoint) => $$$"""
        provider remote {
          kind     = openai_compatible
          model    = "chat-model"
          endpoint = "{{{endpoint}}}"
          api_key  = env("CHAT_KEY")
        }
        agent worker(step: string, context: string) -> string {
          model  = remote
          prompt = "step {{step}} works on: {{context}}"
        }
        agent merger(step: string, left: string, right: string) -> string {
          model  = remote
          prompt = "step {{step}} merges: {{left}} and {{right}}"
        }
        workflow ten(seed: string) -> string {
          s1  = worker("s1", seed)
          s2  = worker("s2", s1)
          s3  = worker("s3", s1)
          s4  = merger("s4", s2, s3)
          s5  = worker("s5", s4)
          s6  = worker("s6", s4)
          s7  = worker("s7", s5)
          s8  = worker("s8", s6)
          s9  = merger("s9", s7, s8)
          s10 = worker("s10", s9)
          return s10
        }
        """;

    private static readonly string[] StepNames = [.. Enumerable.Range(1, 10).Select(i => "s" + i.ToString(CultureInfo.InvariantCulture))];

    /// <summary>
    /// 50 kills, each at a random moment of a run or of its resume; after each, resumed (and maybe killed again) until the
    /// run completes. No checkpointed step and no recorded request is sent again; the result is the uninterrupted one.
    /// </summary>
    [Fact]
    public async Task Run_KilledAt50RandomMoments_ResumesToTheUninterruptedResult_AndSendsNoRecordedRequestAgain()
    {
        const int Kills = 50;
        var random = new Random(14);
        var sent = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await using var server = CountingServer(sent, minDelay: 20, maxDelay: 80);
        var flow = _dir.Write("ten.atlas", TenSteps(server.Endpoint));
        var clock = Stopwatch.StartNew();

        // The uninterrupted run: its result, and how long a process takes to send its first request (its startup).
        var referenceStore = Path.Combine(_dir.Path, "reference.db");
        var reference = StartAtlas("run", flow, "--input", "\"go\"", "--store", referenceStore);
        var startup = Stopwatch.StartNew();
        while (Sent(sent, reference.Auth) == 0 && !reference.Process.HasExited) await Task.Delay(2);
        var startupTime = startup.Elapsed;
        var referenceResult = await reference.Process.ExitAsync();
        var referenceTime = startup.Elapsed;
        reference.Process.Dispose();
        Assert.True(referenceResult.ExitCode == 0, referenceResult.Stderr);
        Assert.Equal(StepNames.Order(StringComparer.Ordinal), StepsSentBy(server, reference.Auth).Order(StringComparer.Ordinal));
        var expected = await ReadRunAsync(referenceStore);
        Assert.Equal(RunStatus.Succeeded, expected.Status);

        var kills = 0;
        var iterations = 0;
        var processes = 0;
        var killedAfterSuccess = 0;
        var repeatedAfterReply = new List<string>();
        var repeatedBeforeReply = new List<string>();
        while (kills < Kills)
        {
            iterations++;
            var store = Path.Combine(_dir.Path, $"run-{iterations}.db");
            var attempts = new List<(string Auth, RunState? AfterKill)>();
            RunState? last = null;
            CliResult? final = null;
            while (true)
            {
                string[] args = last?.RunId is { } runId
                    ? ["run", flow, "--resume", runId, "--store", store]
                    : ["run", flow, "--input", "\"go\"", "--store", store];
                var (process, auth) = StartAtlas(args);
                processes++;
                CliResult result;
                using (process)
                {
                    // Every first attempt is killed; a resume is killed too, four times in ten.
                    if (kills < Kills && (attempts.Count == 0 || random.NextDouble() < 0.4))
                    {
                        var remaining = StepNames.Length - (last?.Recorded.Count ?? 0);
                        await KillAtRandomMomentAsync(process, () => Sent(sent, auth), remaining, startupTime, random);
                    }

                    result = await process.ExitAsync();
                }

                if (result.ExitCode != RunningAtlas.KilledExitCode)
                {
                    attempts.Add((auth, null));
                    final = result;
                    break;
                }

                kills++;
                Assert.Equal("ok", IntegrityCheck(store));
                last = await ReadRunAsync(store);
                attempts.Add((auth, last));
                if (last.RunId is null) Assert.Empty(StepsSentBy(server, auth)); // killed before the run was recorded: it sent nothing
                if (last.Status == RunStatus.Succeeded)
                {
                    killedAfterSuccess++; // killed after its end was recorded: nothing to resume
                    break;
                }
            }

            // What a killed process had recorded is never asked of the model again, by any later attempt.
            for (var i = 0; i < attempts.Count; i++)
            {
                if (attempts[i].AfterKill is not { } state) continue;
                Assert.Subset(state.Recorded, state.Checkpointed); // a step is checkpointed after its reply is recorded
                foreach (var (later, _) in attempts.Skip(i + 1))
                {
                    var again = StepsSentBy(server, later);
                    Assert.True(!again.Intersect(state.Checkpointed).Any(), $"iteration {iterations}: steps checkpointed before kill {i + 1} were sent again: {string.Join(", ", again.Intersect(state.Checkpointed))}");
                    Assert.True(!again.Intersect(state.Recorded).Any(), $"iteration {iterations}: requests recorded before kill {i + 1} were sent again: {string.Join(", ", again.Intersect(state.Recorded))}");
                }
            }

            // A request sent twice: the kill came before its reply was recorded, while the reply was on its way or after it came.
            var requests = attempts.SelectMany(a => server.Requests.Where(r => r.Authorization == a.Auth)).ToList();
            foreach (var attempt in attempts)
            {
                var steps = StepsSentBy(server, attempt.Auth);
                Assert.Equal(steps.Count, steps.Distinct().Count()); // one process sends each request once
            }

            foreach (var repeated in requests.GroupBy(r => StepOf(r.Body)).Where(g => g.Count() > 1))
            {
                foreach (var earlier in repeated.OrderBy(r => r.Index).SkipLast(1))
                {
                    (server.Answered.ContainsKey(earlier.Index) ? repeatedAfterReply : repeatedBeforeReply).Add($"{iterations}:{repeated.Key}");
                }
            }

            var end = await ReadRunAsync(store);
            Assert.Equal(RunStatus.Succeeded, end.Status);
            Assert.Equal(expected.Output, end.Output);
            Assert.Equal(StepNames.Order(StringComparer.Ordinal), end.Checkpointed.Order(StringComparer.Ordinal));
            if (final is not null)
            {
                Assert.True(final.ExitCode == 0, $"iteration {iterations}: {final.Stderr}");
                Assert.Equal(referenceResult.Stdout, final.Stdout);
            }

            Assert.Equal("ok", IntegrityCheck(store));
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{kills} kills in {iterations} runs, {processes} processes, {clock.Elapsed.TotalSeconds:F0} s (uninterrupted run {referenceTime.TotalSeconds:F1} s, first request after {startupTime.TotalSeconds:F1} s); " +
            $"{killedAfterSuccess} kills after the run's end was recorded; requests sent twice: {repeatedAfterReply.Count + repeatedBeforeReply.Count} " +
            $"({repeatedAfterReply.Count} killed after the server's reply, before its record committed: {string.Join(" ", repeatedAfterReply)}; " +
            $"{repeatedBeforeReply.Count} killed before the reply was whole: {string.Join(" ", repeatedBeforeReply)})"));
    }

    /// <summary>One step per line: the prompt names the line.</summary>
    private static string OneStepPerLine(string endpoint) => $$$"""
        provider remote {
          kind     = openai_compatible
          model    = "chat-model"
          endpoint = "{{{endpoint}}}"
          api_key  = env("CHAT_KEY")
        }
        type Ticket {
          id:   string
          text: string
        }
        type Answer {
          id:     string
          answer: string
        }
        agent answerer(ticket: Ticket) -> string {
          model  = remote
          prompt = "line {{ticket.id}}: {{ticket.text}}"
        }
        workflow answer(ticket: Ticket) -> Answer {
          a = answerer(ticket)
          return Answer { id = ticket.id, answer = a }
        }
        """;

    /// <summary>
    /// A 5,000-line batch, 8 at a time, killed 10 times at moments spread over its work, each time continued with
    /// <c>--resume</c>: the output is the uninterrupted one, and no line written (or whose reply was recorded) before a kill is asked again.
    /// </summary>
    [Fact]
    public async Task Batch_Killed10Times_ResumesToTheUninterruptedOutput_AndSendsNoWrittenLineAgain()
    {
        const int Lines = 5_000, Kills = 10;
        var random = new Random(1414);
        var sent = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await using var server = CountingServer(sent, minDelay: 1, maxDelay: 10);
        var flow = _dir.Write("line.atlas", OneStepPerLine(server.Endpoint));
        var input = _dir.Write("in.jsonl", string.Concat(Enumerable.Range(1, Lines).Select(i => $"{{\"id\": \"{LineId(i)}\", \"text\": \"ticket {i}: the printer on floor {i % 7} jams\"}}\n")));
        var clock = Stopwatch.StartNew();

        var referenceOutput = Path.Combine(_dir.Path, "reference.jsonl");
        var reference = StartAtlas("run", flow, "--batch", input, "--output", referenceOutput, "--parallel", "8", "--store", Path.Combine(_dir.Path, "reference.db"));
        CliResult referenceResult;
        using (reference.Process) referenceResult = await reference.Process.ExitAsync();
        var referenceTime = clock.Elapsed;
        Assert.True(referenceResult.ExitCode == 0, referenceResult.Stderr);
        var expected = File.ReadAllText(referenceOutput);
        Assert.Equal(Enumerable.Range(1, Lines).Select(LineId), expected.TrimEnd('\n').Split('\n').Select(l => (string?)JsonNode.Parse(l)!["id"]));

        // Kill k comes once the batch's attempts together have sent thresholds[k] requests (then 0–100 ms later).
        var thresholds = Enumerable.Range(0, Kills).Select(_ => random.Next(1, Lines)).Order().ToArray();
        var output = Path.Combine(_dir.Path, "out.jsonl");
        var store = Path.Combine(_dir.Path, "batch.db");
        var attempts = new List<(string Auth, BatchState? AfterKill)>();
        CliResult final;
        while (true)
        {
            string[] args = ["run", flow, "--batch", input, "--output", output, "--parallel", "8", "--store", store, .. (attempts.Count > 0 ? new[] { "--resume" } : [])];
            var (process, auth) = StartAtlas(args);
            CliResult result;
            using (process)
            {
                if (attempts.Count < Kills)
                {
                    var threshold = thresholds[attempts.Count];
                    var auths = attempts.Select(a => a.Auth).Append(auth).ToArray();
                    while (!process.HasExited && auths.Sum(a => Sent(sent, a)) < threshold) await Task.Delay(2);
                    await Task.Delay(random.Next(0, 101));
                    process.Kill();
                }

                result = await process.ExitAsync();
            }

            if (result.ExitCode != RunningAtlas.KilledExitCode)
            {
                attempts.Add((auth, null));
                final = result;
                break;
            }

            Assert.Equal("ok", IntegrityCheck(store));
            var state = await ReadBatchAsync(store, output);
            Assert.StartsWith(state.Text, expected); // its whole lines are the uninterrupted output's first lines
            attempts.Add((auth, state));
        }

        Assert.True(final.ExitCode == 0, final.Stderr);
        Assert.Equal(expected, File.ReadAllText(output));
        Assert.Equal("ok", IntegrityCheck(store));

        var kills = attempts.Count - 1;
        var repeatedAfterReply = 0;
        var repeatedBeforeReply = 0;
        for (var i = 0; i < attempts.Count; i++)
        {
            if (attempts[i].AfterKill is not { } state) continue;
            foreach (var (later, _) in attempts.Skip(i + 1))
            {
                var again = LinesSentBy(server, later);
                Assert.True(!again.Overlaps(state.Written), $"lines written before kill {i + 1} were sent again: {string.Join(", ", again.Intersect(state.Written).Take(10))}");
                Assert.True(!again.Overlaps(state.Recorded), $"lines whose reply was recorded before kill {i + 1} were sent again: {string.Join(", ", again.Intersect(state.Recorded).Take(10))}");
            }
        }

        var requests = attempts.SelectMany(a => server.Requests.Where(r => r.Authorization == a.Auth)).ToList();
        foreach (var repeated in requests.GroupBy(r => LineOf(r.Body)).Where(g => g.Count() > 1))
        {
            foreach (var earlier in repeated.OrderBy(r => r.Index).SkipLast(1))
            {
                if (server.Answered.ContainsKey(earlier.Index)) repeatedAfterReply++;
                else repeatedBeforeReply++;
            }
        }

        Assert.Equal(Lines + repeatedAfterReply + repeatedBeforeReply, requests.Count);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{kills} kills, {attempts.Count} processes, {clock.Elapsed.TotalSeconds:F0} s (uninterrupted batch {referenceTime.TotalSeconds:F1} s); " +
            $"lines written at each kill: {string.Join(" ", attempts.Where(a => a.AfterKill is not null).Select(a => a.AfterKill!.Written.Count))}; " +
            $"replies recorded but not written at each kill: {string.Join(" ", attempts.Where(a => a.AfterKill is not null).Select(a => a.AfterKill!.Recorded.Except(a.AfterKill.Written).Count()))}; " +
            $"requests sent twice: {repeatedAfterReply + repeatedBeforeReply} ({repeatedAfterReply} killed after the server's reply, before its record committed; {repeatedBeforeReply} killed before the reply was whole)"));
    }

    private const string ThreeStepsOnMock = """
        provider offline {
          kind    = mock
          latency = 0ms
        }
        enum Category { billing, bug, account, other }
        type Ticket {
          id:   string
          text: string
        }
        type Triage {
          category: Category
          summary:  string
        }
        type Reply {
          id:       string
          category: Category
          answer:   string
        }
        agent classifier(ticket: Ticket) -> Triage {
          model  = offline
          prompt = "Classify ticket {{ticket.id}}: {{ticket.text}}"
        }
        agent writer(ticket: Ticket, triage: Triage) -> string {
          model  = offline
          prompt = "Answer ticket {{ticket.id}} ({{triage.summary}}): {{ticket.text}}"
        }
        agent reviewer(draft: string) -> string {
          model  = offline
          prompt = "Review this reply: {{draft}}"
        }
        workflow support(ticket: Ticket) -> Reply {
          triage = classifier(ticket)
          draft  = writer(ticket, triage)
          final  = reviewer(draft)
          return Reply { id = ticket.id, category = triage.category, answer = final }
        }
        """;

    /// <summary>
    /// Eight processes at once record in one store that none of them has created yet: eight batches of 200 lines, then
    /// twice eight single runs. Every run is recorded with its three steps and model calls, every status succeeded.
    /// </summary>
    [Fact]
    public async Task EightProcesses_RecordingInOneStore_LoseNothing_AndNoneFindsItLocked()
    {
        const int Processes = 8, LinesEach = 200, Rounds = 2;
        var flow = _dir.Write("support.atlas", ThreeStepsOnMock);
        var store = Path.Combine(_dir.Path, "shared", "runs.db");
        var batches = Enumerable.Range(0, Processes).Select(p => (
            Input: _dir.Write($"in-{p}.jsonl", string.Concat(Enumerable.Range(1, LinesEach).Select(i => $"{{\"id\": \"B{p}-{i}\", \"text\": \"the printer on floor {i % 7} jams\"}}\n"))),
            Output: Path.Combine(_dir.Path, $"out-{p}.jsonl"))).ToArray();

        var results = (await Task.WhenAll(batches.Select(b => RunToEndAsync("run", flow, "--batch", b.Input, "--output", b.Output, "--parallel", "8", "--store", store)))).ToList();
        for (var round = 0; round < Rounds; round++)
        {
            results.AddRange(await Task.WhenAll(Enumerable.Range(0, Processes).Select(p =>
                RunToEndAsync("run", flow, "--input", $"{{\"id\": \"S{round}-{p}\", \"text\": \"cannot log in\"}}", "--store", store))));
        }

        Assert.All(results, r =>
        {
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.DoesNotContain("locked", r.Stderr, StringComparison.OrdinalIgnoreCase);
        });
        Assert.All(batches, b => Assert.Equal(LinesEach, File.ReadAllLines(b.Output).Length));

        await using var runs = new SqliteRunStore(store);
        var recorded = await runs.ListRunsAsync(new RunQuery(Limit: int.MaxValue));
        Assert.Equal(Processes * (LinesEach + Rounds), recorded.Count);
        Assert.All(recorded, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        Assert.Equal(Processes, recorded.Where(r => r.BatchId is not null).Select(r => r.BatchId).Distinct().Count());
        Assert.All(recorded.Where(r => r.BatchId is not null).GroupBy(r => r.BatchId), batch => Assert.Equal(Enumerable.Range(1, LinesEach).Select(i => (long?)i), batch.Select(r => r.BatchLine).Order()));
        foreach (var run in recorded)
        {
            var steps = await runs.GetStepsAsync(run.RunId);
            Assert.Equal(["draft", "final", "triage"], steps.Where(s => s.Status == StepStatus.Succeeded).Select(s => s.Step).Order(StringComparer.Ordinal));
            Assert.Equal(3, (await runs.GetModelCallsAsync(run.RunId)).Count);
            Assert.NotNull(run.Output);
        }

        Assert.Equal("ok", IntegrityCheck(store));
    }

    /// <summary>What a killed run had recorded: its checkpointed steps and the steps whose model reply is in the store.</summary>
    private sealed record RunState(string? RunId, RunStatus? Status, string? Output, HashSet<string> Checkpointed, HashSet<string> Recorded);

    /// <summary>What a killed batch had done: its output's whole lines (their text, their ids), and the lines whose reply is in the store.</summary>
    private sealed record BatchState(string Text, HashSet<string> Written, HashSet<string> Recorded);

    private static async Task<RunState> ReadRunAsync(string path)
    {
        await using var store = new SqliteRunStore(path);
        var runs = await store.ListRunsAsync(new RunQuery());
        if (runs.Count == 0) return new RunState(null, null, null, [], []);
        var run = Assert.Single(runs);
        var steps = await store.GetStepsAsync(run.RunId);
        var calls = await store.GetModelCallsAsync(run.RunId);
        return new RunState(
            run.RunId,
            run.Status,
            run.Output,
            steps.Where(s => s.Status == StepStatus.Succeeded).Select(s => s.Step).ToHashSet(StringComparer.Ordinal),
            calls.Select(c => c.Step!).ToHashSet(StringComparer.Ordinal));
    }

    private static async Task<BatchState> ReadBatchAsync(string path, string output)
    {
        var text = File.Exists(output) ? File.ReadAllText(output) : "";
        text = text[..(text.LastIndexOf('\n') + 1)];
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        await using var store = new SqliteRunStore(path);
        foreach (var run in await store.ListRunsAsync(new RunQuery(Limit: int.MaxValue)))
        {
            if (run.Status == RunStatus.Succeeded || (await store.GetModelCallsAsync(run.RunId)).Count > 0) recorded.Add(LineId((int)run.BatchLine!.Value));
        }

        return new BatchState(text, Enumerable.Range(1, text.Count(c => c == '\n')).Select(LineId).ToHashSet(StringComparer.Ordinal), recorded);
    }

    /// <summary>Kills <paramref name="process"/> once it has sent a random number of its <paramref name="requests"/> (0: during its startup), 0–150 ms later.</summary>
    private static async Task KillAtRandomMomentAsync(RunningAtlas process, Func<int> sent, int requests, TimeSpan startup, Random random)
    {
        var after = random.Next(requests + 1);
        var delay = TimeSpan.FromMilliseconds(after == 0 ? startup.TotalMilliseconds * random.NextDouble() : random.Next(0, 151));
        while (after > 0 && sent() < after && !process.HasExited) await Task.Delay(2);
        await Task.Delay(delay);
        process.Kill();
    }

    private (RunningAtlas Process, string Auth) StartAtlas(params string[] args)
    {
        // A key of its own for each process: the server tells its requests apart by it. Long enough to be redacted as a key.
        var key = "sk-reliability-" + Interlocked.Increment(ref _processes).ToString("D6", CultureInfo.InvariantCulture);
        var start = AtlasProcess.StartInfo(args);
        start.Environment["CHAT_KEY"] = key;
        return (AtlasProcess.Start(start, _dir.Path), "Bearer " + key);
    }

    private async Task<CliResult> RunToEndAsync(params string[] args)
    {
        using var process = StartAtlas(args).Process;
        return await process.ExitAsync();
    }

    /// <summary>A model whose reply is a hash of the prompt, after a random delay; it counts the requests of each API key.</summary>
    private static ChatServer CountingServer(ConcurrentDictionary<string, int> sent, int minDelay, int maxDelay) =>
        ChatServer.Start(
            request =>
            {
                sent.AddOrUpdate(request.Authorization ?? "", 1, static (_, n) => n + 1);
                var prompt = Prompt(request.Body);
                return ChatReply.Text("R", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prompt)))[..8]);
            },
            _ => TimeSpan.FromMilliseconds(Random.Shared.Next(minDelay, maxDelay + 1)));

    private static int Sent(ConcurrentDictionary<string, int> sent, string auth) => sent.GetValueOrDefault(auth);

    /// <summary>The text of a request's last message: the agent's prompt.</summary>
    private static string Prompt(string body)
    {
        var content = JsonNode.Parse(body)!["messages"]!.AsArray()[^1]!["content"];
        return content is JsonArray parts ? string.Concat(parts.Select(p => (string?)p!["text"])) : (string)content!;
    }

    private static string StepOf(string body) => Regex.Match(Prompt(body), @"^step (s\d+) ").Groups[1].Value;

    private static string LineOf(string body) => Regex.Match(Prompt(body), @"^line (L\d+): ").Groups[1].Value;

    private static List<string> StepsSentBy(ChatServer server, string auth) =>
        [.. server.Requests.Where(r => r.Authorization == auth).Select(r => StepOf(r.Body))];

    private static HashSet<string> LinesSentBy(ChatServer server, string auth) =>
        server.Requests.Where(r => r.Authorization == auth).Select(r => LineOf(r.Body)).ToHashSet(StringComparer.Ordinal);

    private static string LineId(int line) => "L" + line.ToString("D5", CultureInfo.InvariantCulture);

    private static string IntegrityCheck(string path)
    {
        if (!File.Exists(path)) return "ok"; // killed before it created the file
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string)command.ExecuteScalar()!;
    }
}
