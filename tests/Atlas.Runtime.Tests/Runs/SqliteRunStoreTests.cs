using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Atlas.Runtime.Tests.Runs;

public sealed class SqliteRunStoreTests(ITestOutputHelper output) : RunStoreContract
{
    protected override IRunStore CreateStore(string directory) => new SqliteRunStore(Path.Combine(directory, "runs.db"));

    private string StorePath => Path.Combine(Directory, "runs.db");

    [Fact]
    public async Task Reopened_AfterDispose_KeepsEverything_AndTheFileIsIntact()
    {
        var store = new SqliteRunStore(StorePath);
        var run = Ended(Run("r1"), T0.AddSeconds(1));
        var step = Step("r1", "a");
        AtlasEvent[] events = [new StepStarted("r1", "a", T0), new StepCompleted("r1", "a", T0.AddSeconds(1), step.Duration, step.Usage)];
        await store.StartRunAsync(Run("r1"));
        await store.CompleteStepAsync(step, events);
        var call = await store.RecordModelCallAsync(Call("r1", Key(1), T0));
        await store.EndRunAsync(run, []);
        await store.DisposeAsync();

        var reopened = Track(new SqliteRunStore(StorePath));

        Assert.Equal(run, await reopened.GetRunAsync("r1"));
        Assert.Equal([step], await reopened.GetStepsAsync("r1"));
        Assert.Equal(events, await reopened.GetEventsAsync("r1"));
        Assert.Equal([call], await reopened.GetModelCallsAsync("r1"));
        Assert.Equal("ok", Query(StorePath, "PRAGMA integrity_check"));
        Assert.Equal(2L, Query(StorePath, "PRAGMA auto_vacuum")); // incremental: prune can give pages back
        Assert.Equal("wal", Query(StorePath, "PRAGMA journal_mode"));
    }

    [Fact]
    public async Task FirstWrite_CreatesTheFolder_ReadsCreateNothing()
    {
        var path = Path.Combine(Directory, "deep", "er", "runs.db");
        var store = Track(new SqliteRunStore(path));

        Assert.Null(await store.GetRunAsync("r1"));
        Assert.Empty(await store.ListRunsAsync(new RunQuery()));
        Assert.False(System.IO.Directory.Exists(Path.GetDirectoryName(path)));

        await store.StartRunAsync(Run("r1"));

        Assert.True(File.Exists(path));
        Assert.NotNull(await store.GetRunAsync("r1"));
    }

    [Fact]
    public async Task NewerSchema_IsRefused_NamingTheFile()
    {
        var store = new SqliteRunStore(StorePath);
        await store.StartRunAsync(Run("r1"));
        await store.DisposeAsync();
        Execute(StorePath, "PRAGMA user_version = 3");
        var newer = Track(new SqliteRunStore(StorePath));

        var read = await Assert.ThrowsAsync<RunStoreException>(() => newer.GetRunAsync("r1"));
        var write = await Assert.ThrowsAsync<RunStoreException>(() => newer.StartRunAsync(Run("r2")));

        Assert.Equal($"the run store {StorePath} was written by a newer Atlas (schema version 3; this one reads version 2): upgrade Atlas, or use another store", read.Message);
        Assert.Equal(read.Message, write.Message);
        Assert.Equal(StorePath, read.Location);
    }

    [Fact]
    public async Task Version1File_IsReadAsItIs_AndMigratedByTheFirstWrite_KeepingItsCalls()
    {
        var store = new SqliteRunStore(StorePath);
        await store.StartRunAsync(Run("r1"));
        var old = await store.RecordModelCallAsync(Call("r1", Key(1), T0));
        await store.DisposeAsync();
        // What version 1 wrote: both key columns NOT NULL, every call in the cache's index.
        Execute(StorePath, """
            DROP INDEX model_calls_key;
            ALTER TABLE model_calls RENAME TO v2;
            CREATE TABLE model_calls (id INTEGER PRIMARY KEY, run INTEGER NOT NULL, seq INTEGER NOT NULL, step INTEGER,
                agent INTEGER NOT NULL, model INTEGER NOT NULL, provider INTEGER, model_id INTEGER, cache_hit INTEGER NOT NULL,
                at INTEGER NOT NULL, latency INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost,
                key_prefix INTEGER NOT NULL, request_key BLOB NOT NULL, request TEXT NOT NULL, response TEXT NOT NULL, UNIQUE (run, seq));
            INSERT INTO model_calls SELECT * FROM v2;
            DROP TABLE v2;
            CREATE INDEX model_calls_key ON model_calls (key_prefix);
            PRAGMA user_version = 1;
            """);
        var reopened = Track(new SqliteRunStore(StorePath));

        Assert.Equal(old, await reopened.FindModelCallAsync(Key(1), T0));
        Assert.Equal(1L, Query(StorePath, "PRAGMA user_version"));
        var notCacheable = await reopened.RecordModelCallAsync(Call("r1", Key(2), T0) with { Cacheable = false });

        Assert.Equal(2L, Query(StorePath, "PRAGMA user_version"));
        Assert.Equal([old, notCacheable], await reopened.GetModelCallsAsync("r1"));
        Assert.Equal(old, await reopened.FindModelCallAsync(Key(1), T0));
        Assert.Null(await reopened.FindModelCallAsync(Key(2), T0));
        Assert.Equal("ok", Query(StorePath, "PRAGMA integrity_check"));
    }

    [Fact]
    public async Task PathThatIsADirectory_IsRefused_NamingIt()
    {
        System.IO.Directory.CreateDirectory(StorePath);
        var store = Track(new SqliteRunStore(StorePath));

        var read = await Assert.ThrowsAsync<RunStoreException>(() => store.ListRunsAsync(new RunQuery()));
        var write = await Assert.ThrowsAsync<RunStoreException>(() => store.StartRunAsync(Run("r1")));

        Assert.Equal($"the run store {StorePath} is a directory, not a file", read.Message);
        Assert.Equal(read.Message, write.Message);
    }

    [Fact]
    public async Task FolderThatCannotBeCreated_IsOneLineNamingTheFile()
    {
        var blocker = Path.Combine(Directory, "file");
        System.IO.Directory.CreateDirectory(Directory);
        await File.WriteAllTextAsync(blocker, "a file where a folder should be");
        var path = Path.Combine(blocker, "runs.db");
        var store = Track(new SqliteRunStore(path));

        var error = await Assert.ThrowsAsync<RunStoreException>(() => store.StartRunAsync(Run("r1")));

        Assert.StartsWith($"cannot create the run store {path}: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task AnotherFile_IsRefused_NamingIt()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var garbage = Path.Combine(Directory, "garbage.db");
        await File.WriteAllTextAsync(garbage, new string('x', 5000));
        var other = Path.Combine(Directory, "other.db");
        Execute(other, "CREATE TABLE t (x)");

        var notSqlite = await Assert.ThrowsAsync<RunStoreException>(() => Track(new SqliteRunStore(garbage)).GetRunAsync("r1"));
        var notAtlas = await Assert.ThrowsAsync<RunStoreException>(() => Track(new SqliteRunStore(other)).StartRunAsync(Run("r1")));

        Assert.Equal($"{garbage} is not an Atlas run store: it is not a SQLite database", notSqlite.Message);
        Assert.Equal($"{other} is not an Atlas run store: it is another SQLite database", notAtlas.Message);
    }

    [Fact]
    public async Task DamagedFile_IsOneLineNamingIt()
    {
        var store = new SqliteRunStore(StorePath);
        for (var i = 0; i < 50; i++) await store.EndRunAsync(Ended(Run("r" + i) with { Input = new string('i', 3000) }, T0), []);
        await store.DisposeAsync();
        await using (var file = new FileStream(StorePath, FileMode.Open))
        {
            file.Position = 4096;
            file.Write(Enumerable.Repeat((byte)0xA5, 40_000).ToArray());
        }

        var error = await Assert.ThrowsAsync<RunStoreException>(() => Track(new SqliteRunStore(StorePath)).ListRunsAsync(new RunQuery(Limit: 1000)));

        Assert.Contains(StorePath, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void FullDisk_IsOneLineNamingTheFile()
    {
        var error = RunStoreFile.Describe("/data/runs.db", new SqliteException("SQLite Error 13: 'database or disk is full'.", SQLitePCL.raw.SQLITE_FULL));

        Assert.Equal("cannot write the run store /data/runs.db: the disk is full", error.Message);
    }

    [Fact]
    public async Task AFailingWrite_FailsAlone_TheOthersOfItsCommitAreRecorded()
    {
        var store = Store();
        await store.StartRunAsync(Run("r1"));

        var writes = Enumerable.Range(0, 50).Select(i => i % 10 == 0
            ? store.CompleteStepAsync(Step("unknown", "s" + i), [])
            : store.CompleteStepAsync(Step("r1", "s" + i), [new StepStarted("r1", "s" + i, T0)])).ToArray();
        var outcomes = await Task.WhenAll(writes.Select(async w => { try { await w; return null; } catch (Exception ex) { return ex; } }));

        Assert.Equal(5, outcomes.Count(e => e is InvalidOperationException { Message: "run unknown is not recorded: StartRunAsync must record it before its steps and calls" }));
        Assert.Equal(45, outcomes.Count(e => e is null));
        Assert.Equal(45, (await store.GetStepsAsync("r1")).Count);
        Assert.Equal(45, (await store.GetEventsAsync("r1")).Count);
    }

    [Fact]
    public async Task CancelledBeforeTheWrite_WritesNothing()
    {
        var store = Store();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.StartRunAsync(Run("r1"), cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetRunAsync("r1", cancelled.Token));

        Assert.Null(await store.GetRunAsync("r1"));
    }

    [Fact]
    public async Task Disposed_RefusesWrites_AfterCommittingThoseQueued()
    {
        var store = new SqliteRunStore(StorePath);
        var queued = Enumerable.Range(0, 100).Select(i => store.StartRunAsync(Run("r" + i))).ToArray();
        await store.DisposeAsync();

        await Task.WhenAll(queued);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.StartRunAsync(Run("late")));
        Assert.Equal(100, (await Track(new SqliteRunStore(StorePath)).ListRunsAsync(new RunQuery(Limit: 1000))).Count);
    }

    [Fact]
    public async Task Prune_GivesTheFreedPagesBack()
    {
        var store = new SqliteRunStore(StorePath);
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => store.EndRunAsync(Ended(Run("r" + i) with { Input = new string('x', 4000) }, T0), [])));
        await store.DisposeAsync();
        var before = new FileInfo(StorePath).Length;

        store = new SqliteRunStore(StorePath);
        Assert.Equal(300, await store.PruneAsync(T0.AddTicks(1)));
        await store.DisposeAsync();

        Assert.True(new FileInfo(StorePath).Length < before / 10, $"{new FileInfo(StorePath).Length} bytes after prune, {before} before");
    }

    [Fact]
    public void UseRunStore_RelativePath_StartsAtTheBaseDirectory_AndTheRuntimeDisposesIt()
    {
        var options = new AtlasRuntimeOptions { BaseDirectory = Directory }.UseRunStore("history/runs.db");
        var store = Assert.IsType<SqliteRunStore>(options.RunStore);

        Assert.Equal(Path.Combine(Directory, "history", "runs.db"), store.Path);
        new AtlasRuntime(options).Dispose();
        Assert.Throws<ObjectDisposedException>(() => store.StartRunAsync(Run("r1")).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task MatchRunIds_TheIdsAPrefixCouldMean_InOrder()
    {
        var store = (SqliteRunStore)Store();
        Assert.Empty(await store.MatchRunIdsAsync("a", 10)); // no file yet
        foreach (var id in new[] { "ab2", "ab1", "b", "ab3" }) await store.StartRunAsync(Run(id));

        Assert.Equal(["ab1", "ab2"], await store.MatchRunIdsAsync("ab", 2));
        Assert.Equal(["ab1", "ab2", "ab3"], await store.MatchRunIdsAsync("a", 10));
        Assert.Empty(await store.MatchRunIdsAsync("c", 10));
    }

    [Fact]
    public async Task RepeatedEventDifferences_AreStoredOnce_AndRoundTrip()
    {
        var store = Store();
        var recorded = new List<AtlasEvent[]>();
        for (var i = 0; i < 3; i++)
        {
            var id = "r" + i;
            await store.StartRunAsync(Run(id));
            AtlasEvent[] events = [new StepStarted(id, "a", T0), new ProviderSelected(id, "a", T0.AddTicks(i), "offline", "first available")];
            await store.CompleteStepAsync(Step(id, "a"), events);
            recorded.Add(events);
        }

        for (var i = 0; i < 3; i++) Assert.Equal(recorded[i], await store.GetEventsAsync("r" + i));
        Assert.Equal(2L, Query(StorePath, "SELECT count(*) FROM events WHERE typeof(data) = 'integer'"));
        Assert.Equal(1L, Query(StorePath, "SELECT count(*) FROM strings WHERE text LIKE '%first available%'"));
    }

    /// <summary>Issue 14's goal: under 1 KB a run beyond its payloads, for a run of three steps on the mock.</summary>
    [Fact]
    public async Task ThreeStepRun_TakesUnder1KBeyondItsPayloads()
    {
        const int Runs = 1000;
        var store = new SqliteRunStore(StorePath);
        await store.StartRunAsync(Run("warm-up"));
        await store.DisposeAsync();
        var empty = UsedBytes(StorePath);

        store = new SqliteRunStore(StorePath);
        long payload = 0;
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        await Parallel.ForEachAsync(Enumerable.Range(0, Runs), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            var bytes = await RecordMockLikeRun(store, i);
            Interlocked.Add(ref payload, bytes);
        });
        var elapsed = clock.Elapsed;
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        await store.DisposeAsync();

        var perRun = (double)(UsedBytes(StorePath) - empty - payload) / Runs;
        output.WriteLine($"{perRun:F0} bytes a run beyond {payload / Runs} bytes of payload; {Runs / elapsed.TotalSeconds:F0} runs/s recorded by a cold process (8 writes each, 64 at once), {cpu.TotalMicroseconds / Runs:F0} µs of CPU a run");
        Assert.True(perRun < 1024, $"{perRun:F0} bytes a run beyond its payloads");
    }

    /// <summary>Processes writing one store take turns: none fails, no record is lost.</summary>
    [Fact]
    public async Task EightProcesses_WritingOneStore_LoseNothing()
    {
        const int Processes = 8, RunsEach = 100;
        var writer = typeof(SqliteRunStoreTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RunStoreWriter").Value!;
        System.IO.Directory.CreateDirectory(Directory);

        var exits = await Task.WhenAll(Enumerable.Range(0, Processes).Select(async p =>
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "exec", writer, StorePath, "p" + p, RunsEach.ToString(System.Globalization.CultureInfo.InvariantCulture) }) start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            return (process.ExitCode, stderr);
        }));

        Assert.All(exits, e => Assert.Equal((0, ""), e));
        var store = Store();
        var runs = await store.ListRunsAsync(new RunQuery(Limit: 10_000));
        Assert.Equal(Processes * RunsEach, runs.Count);
        Assert.All(runs, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        Assert.Equal((long)Processes * RunsEach * 3, Query(StorePath, "SELECT count(*) FROM steps"));
        Assert.Equal((long)Processes * RunsEach * 3, Query(StorePath, "SELECT count(*) FROM model_calls"));
        Assert.Equal((long)Processes * RunsEach * 7, Query(StorePath, "SELECT count(*) FROM events"));
        Assert.Equal([1L, 2L, 3L], (await store.GetModelCallsAsync("p5-77")).Select(c => c.Sequence));
        Assert.Equal("ok", Query(StorePath, "PRAGMA integrity_check"));
    }

    /// <summary>Records what a run of three agent steps on the mock records; returns the bytes of its payloads.</summary>
    private static async Task<long> RecordMockLikeRun(IRunStore store, int n)
    {
        var id = n.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        var start = T0.AddSeconds(n).AddTicks(n * 7919 % 10_000);
        var input = $"{{\"ticket\":{{\"id\":{n},\"subject\":\"Cannot log in\",\"body\":\"Since this morning the login page says my password is wrong.\"}}}}";
        var run = new RunRecord(id, "support", "3f2a9c01d4e5b677", input, RunStatus.Running, start, null, Usage.Zero, null) { Source = "/work/flows/support.atlas" };
        await store.StartRunAsync(run);
        long payload = input.Length;
        var at = start;
        var total = Usage.Zero;
        foreach (var (step, agent) in new[] { ("triage", "classifier"), ("draft", "writer"), ("review", "reviewer") })
        {
            var stepStart = at.AddTicks(1234);
            var request = $"{{\"messages\":[{{\"role\":\"system\",\"contents\":[{{\"$type\":\"text\",\"text\":\"You are the {agent}. Answer with JSON.\"}}]}},{{\"role\":\"user\",\"contents\":[{{\"$type\":\"text\",\"text\":\"Ticket {n}: Cannot log in. Since this morning the login page says my password is wrong.\"}}]}}],\"options\":{{\"response_format\":{{\"type\":\"json\",\"schema\":{{\"type\":\"object\",\"properties\":{{\"label\":{{\"type\":\"string\"}}}}}}}}}}}}";
            var response = $"{{\"messages\":[{{\"role\":\"assistant\",\"contents\":[{{\"$type\":\"text\",\"text\":\"{{\\\"label\\\":\\\"{step}-{n}\\\"}}\"}}]}}],\"finish_reason\":\"stop\"}}";
            var usage = new Usage(request.Length / 4, response.Length / 4, 0m);
            var latency = TimeSpan.FromTicks(2_000_000 + (n * 31 % 100_000));
            await store.RecordModelCallAsync(new ModelCallRecord(id, step, agent, "offline", "offline", "mock", Key(n * 3 + step.Length), request, response, usage, latency, stepStart.AddTicks(50)));
            var result = $"{{\"label\":\"{step}-{n}\"}}";
            var duration = latency + TimeSpan.FromTicks(4321);
            var record = new StepRecord(id, step, step + "0123456789ab", StepStatus.Succeeded, result, 1, stepStart, duration, usage, null);
            var stepEnd = stepStart + duration + TimeSpan.FromTicks(17);
            await store.CompleteStepAsync(record,
            [
                new StepStarted(id, step, stepStart),
                new ProviderSelected(id, step, stepStart.AddTicks(30), "offline", "first available"),
                new StepCompleted(id, step, stepEnd, duration, usage),
            ]);
            payload += request.Length + response.Length + result.Length;
            total += usage;
            at = stepEnd;
        }

        var output = $"{{\"reply\":\"Please reset your password: ticket {n}\"}}";
        payload += output.Length;
        var ended = run with { Status = RunStatus.Succeeded, EndedAt = at.AddTicks(99), Usage = total, Output = output };
        await store.EndRunAsync(ended,
        [
            new RunStarted(id, "support", start),
            new RunCompleted(id, at.AddTicks(99), at - start + TimeSpan.FromTicks(55), total, true, null),
        ]);
        return payload;
    }

    /// <summary>The bytes of the file's pages in use (its free pages not counted), the log checkpointed into it.</summary>
    private static long UsedBytes(string path)
    {
        Execute(path, "PRAGMA wal_checkpoint(TRUNCATE)");
        return ((long)Query(path, "PRAGMA page_count")! - (long)Query(path, "PRAGMA freelist_count")!) * (long)Query(path, "PRAGMA page_size")!;
    }

    private static object? Query(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
