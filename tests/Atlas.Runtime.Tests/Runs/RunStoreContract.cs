using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace Atlas.Runtime.Tests.Runs;

/// <summary>
/// What every <see cref="IRunStore"/> must do (the interface's doc comments, as tests): a store's own test class derives
/// from this one and says how to make the store.
/// </summary>
public abstract class RunStoreContract : IDisposable
{
    protected static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 30, 0, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "atlas-run-store-" + Guid.NewGuid().ToString("N"));
    private readonly List<IRunStore> _stores = [];

    /// <summary>A new, empty store keeping its data under <paramref name="directory"/> (which need not exist yet).</summary>
    protected abstract IRunStore CreateStore(string directory);

    /// <summary>The directory the store of this test keeps its data in.</summary>
    protected string Directory => _directory;

    protected IRunStore Store() => Track(CreateStore(_directory));

    protected IRunStore Track(IRunStore store)
    {
        _stores.Add(store);
        return store;
    }

    public void Dispose()
    {
        foreach (var store in _stores) store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        try { System.IO.Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
        GC.SuppressFinalize(this);
    }

    protected static RunRecord Run(string id, string workflow = "triage", DateTimeOffset? startedAt = null, RunStatus status = RunStatus.Running) =>
        new(id, workflow, "0123456789abcdef", "{\"ticket\":1}", status, startedAt ?? T0, null, Usage.Zero, null);

    protected static RunRecord Ended(RunRecord run, DateTimeOffset endedAt, RunStatus status = RunStatus.Succeeded) =>
        run with { Status = status, EndedAt = endedAt, Output = "\"ok\"" };

    protected static StepRecord Step(string runId, string step, DateTimeOffset? startedAt = null) =>
        new(runId, step, "fp-" + step, StepStatus.Succeeded, "{\"step\":\"" + step + "\"}", 1, startedAt ?? T0, TimeSpan.FromMilliseconds(250), new Usage(10, 5, 0.0025m), null);

    protected static ModelCallRecord Call(string runId, string key, DateTimeOffset at, string? step = "triage") =>
        new(runId, step, "classifier", "fast", "openai", "gpt-x", key, "{\"messages\":[]}", "{\"messages\":[],\"finish_reason\":\"stop\"}", new Usage(100, 20, 0.00042m), TimeSpan.FromMilliseconds(812), at)
        {
            Cacheable = true,
        };

    protected static string Key(int n) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(n)));

    [Fact]
    public async Task Run_EveryField_RoundTrips()
    {
        var store = Store();
        var run = new RunRecord(
            "a1b2c3d4e5f60718", "résumé_flow", "fedcba9876543210", "{\"text\":\"日本語 ✓ \\\"quoted\\\"\"}", RunStatus.Failed,
            T0.AddTicks(1234567), T0.AddSeconds(3).AddTicks(7), new Usage(123_456_789_012, 42, 12.3456789012345678m), "step 'x' failed: ✗ boom")
        {
            Output = "[1,2,3]",
            ParentRunId = "ffffeeeeddddcccc",
            Source = "/home/u/flows/support.atlas",
            BatchId = "batch-日本",
            BatchLine = 3_000_000_000,
        };

        await store.StartRunAsync(run);

        Assert.Equal(run, await store.GetRunAsync(run.RunId));
    }

    [Fact]
    public async Task Run_NullAndEmpty_AreKeptApart()
    {
        var store = Store();
        var empty = new RunRecord("e", "w", "f", "", RunStatus.Running, T0, null, Usage.Zero, "") { Output = "", Source = "", BatchId = "", ParentRunId = "" };
        var none = new RunRecord("n", "w", "f", null, RunStatus.Running, T0, null, Usage.Zero, null);

        await store.StartRunAsync(empty);
        await store.StartRunAsync(none);

        Assert.Equal(empty, await store.GetRunAsync("e"));
        Assert.Equal(none, await store.GetRunAsync("n"));
    }

    [Fact]
    public async Task StartRun_SameIdAgain_ReplacesItsFields()
    {
        var store = Store();
        var first = Ended(Run("r1"), T0.AddSeconds(1), RunStatus.Failed) with { Error = "boom", BatchId = "b", BatchLine = 1 };
        await store.EndRunAsync(first, []);

        var resumed = Run("r1", startedAt: T0.AddMinutes(5)) with { Fingerprint = "1111111111111111", ParentRunId = "r0" };
        await store.StartRunAsync(resumed);

        Assert.Equal(resumed, await store.GetRunAsync("r1"));
        Assert.Single(await store.ListRunsAsync(new RunQuery()));
    }

    [Fact]
    public async Task EndRun_ReplacesTheRunAndRecordsItsEvents()
    {
        var store = Store();
        var run = Run("r1");
        await store.StartRunAsync(run);
        var ended = run with { Status = RunStatus.Succeeded, EndedAt = T0.AddSeconds(2), Usage = new Usage(7, 8, 0.5m), Output = "\"done\"" };
        AtlasEvent[] events =
        [
            new RunStarted("r1", "triage", T0),
            new RunCompleted("r1", T0.AddSeconds(2), TimeSpan.FromSeconds(1.9999999), ended.Usage, true, null),
        ];

        await store.EndRunAsync(ended, events);

        Assert.Equal(ended, await store.GetRunAsync("r1"));
        Assert.Equal(events, await store.GetEventsAsync("r1"));
    }

    [Fact]
    public async Task Steps_InTheOrderTheyCompleted_EveryFieldRoundTrips()
    {
        var store = Store();
        await store.StartRunAsync(Run("r1"));
        var b = Step("r1", "b") with { Status = StepStatus.Failed, Result = null, Error = "timed out after 30s ✗", Attempts = 3, Reused = false };
        var a = Step("r1", "a", T0.AddTicks(5)) with { Reused = true, Usage = new Usage(0, 0, 0), Result = "" };
        var c = Step("r1", "c") with { Status = StepStatus.Waiting, Result = null, Usage = new Usage(long.MaxValue, 1, 0.000000001m) };

        await store.CompleteStepAsync(b, []);
        await store.CompleteStepAsync(a, []);
        await store.CompleteStepAsync(c, []);

        Assert.Equal([b, a, c], await store.GetStepsAsync("r1"));
    }

    [Fact]
    public async Task CompleteStep_Again_ReplacesTheStepAndItsEvents()
    {
        var store = Store();
        await store.StartRunAsync(Run("r1"));
        var failed = Step("r1", "a") with { Status = StepStatus.Failed, Result = null, Error = "boom" };
        await store.CompleteStepAsync(failed, [new StepStarted("r1", "a", T0), new StepFailed("r1", "a", T0.AddSeconds(1), "boom")]);
        await store.CompleteStepAsync(Step("r1", "b"), [new StepStarted("r1", "b", T0)]);

        var again = Step("r1", "a", T0.AddMinutes(1));
        AtlasEvent[] againEvents = [new StepStarted("r1", "a", again.StartedAt), new StepCompleted("r1", "a", again.StartedAt + again.Duration, again.Duration, again.Usage)];
        await store.CompleteStepAsync(again, againEvents);

        Assert.Equal([Step("r1", "b"), again], await store.GetStepsAsync("r1"));
        Assert.Equal([new StepStarted("r1", "b", T0), .. againEvents], await store.GetEventsAsync("r1"));
    }

    [Fact]
    public async Task Items_ByItemNumber_ReplacedWhenRecordedAgain()
    {
        var store = Store();
        await store.StartRunAsync(Run("r1"));
        await store.CompleteItemAsync(new StepItemRecord("r1", "each", 3, "\"c\""));
        await store.CompleteItemAsync(new StepItemRecord("r1", "each", 1, "\"a\""));
        await store.CompleteItemAsync(new StepItemRecord("r1", "other", 2, "\"x\""));
        await store.CompleteItemAsync(new StepItemRecord("r1", "each", 1, "\"a2\""));

        Assert.Equal(
            [new StepItemRecord("r1", "each", 1, "\"a2\""), new StepItemRecord("r1", "each", 3, "\"c\"")],
            await store.GetItemsAsync("r1", "each"));
        Assert.Empty(await store.GetItemsAsync("r1", "missing"));
        Assert.Empty(await store.GetItemsAsync("nope", "each"));
    }

    [Fact]
    public async Task ModelCalls_NumberedPerRun_EveryFieldRoundTrips()
    {
        var store = Store();
        await store.StartRunAsync(Run("r1"));
        await store.StartRunAsync(Run("r2"));
        var first = Call("r1", Key(1), T0.AddTicks(3)) with { CacheHit = true, Cacheable = false, Usage = Usage.Zero };
        var outside = new ModelCallRecord("r1", null, "a", "m", null, null, "not-hex KEY ✓", "{\"messages\":[{\"text\":\"日本\"}]}", "", new Usage(1, 2, 3.25m), TimeSpan.FromTicks(1), T0);
        var other = Call("r2", Key(2), T0);

        var recorded1 = await store.RecordModelCallAsync(first with { Sequence = 99 });
        var recorded2 = await store.RecordModelCallAsync(outside);
        var recordedOther = await store.RecordModelCallAsync(other);

        Assert.Equal(first with { Sequence = 1 }, recorded1);
        Assert.Equal(outside with { Sequence = 2 }, recorded2);
        Assert.Equal(other with { Sequence = 1 }, recordedOther);
        Assert.Equal([recorded1, recorded2], await store.GetModelCallsAsync("r1"));
        Assert.Equal([recordedOther], await store.GetModelCallsAsync("r2"));
    }

    [Fact]
    public async Task ToolCalls_NumberedPerRun_EveryFieldRoundTrips()
    {
        var store = Store();
        await store.StartRunAsync(Run("r1"));
        var ok = new ToolCallRecord("r1", "triage", "classifier", "lookup", "{\"id\":\"✓\"}", "{\"found\":true}", null, TimeSpan.FromMilliseconds(12.3456), T0.AddTicks(9));
        var failed = new ToolCallRecord("r1", null, "classifier", "send", "{}", null, "not read-only: not called offline", TimeSpan.Zero, T0);

        var first = await store.RecordToolCallAsync(ok);
        var second = await store.RecordToolCallAsync(failed with { Sequence = 7 });

        Assert.Equal(ok with { Sequence = 1 }, first);
        Assert.Equal(failed with { Sequence = 2 }, second);
        Assert.Equal([first, second], await store.GetToolCallsAsync("r1"));
        Assert.Empty(await store.GetToolCallsAsync("r2"));
    }

    [Fact]
    public async Task HumanRequests_AnsweredAndAskedAgain_KeepTheAnswer()
    {
        var store = Store();
        await store.StartRunAsync(Run("r1"));
        var approve = new HumanRequestRecord("r1", "approve", "manager", "Approve a refund of 12 €?", "bool", "{\"type\":\"boolean\"}", T0) { ExpiresAt = T0.AddHours(1) };
        var pick = new HumanRequestRecord("r1", "pick#2", "agent_on_call", "Pick one", "string", null, T0.AddTicks(1));
        await store.RequestHumanAsync(approve);
        await store.RequestHumanAsync(pick);

        Assert.True(await store.AnswerHumanAsync("r1", "approve", "true", T0.AddMinutes(3)));
        var askedAgain = approve with { Prompt = "Approve a refund of 13 €?", RequestedAt = T0.AddMinutes(10), ExpiresAt = null };
        await store.RequestHumanAsync(askedAgain);

        Assert.Equal(
            [askedAgain with { Answer = "true", AnsweredAt = T0.AddMinutes(3) }, pick],
            await store.GetHumanRequestsAsync("r1"));
    }

    [Fact]
    public async Task AnswerHuman_NoSuchQuestion_IsFalse()
    {
        var store = Store();
        await store.StartRunAsync(Run("r1"));
        await store.RequestHumanAsync(new HumanRequestRecord("r1", "approve", "manager", "ok?", "bool", null, T0));

        Assert.False(await store.AnswerHumanAsync("r1", "other", "true", T0));
        Assert.False(await store.AnswerHumanAsync("r2", "approve", "true", T0));
        Assert.Null((await store.GetHumanRequestsAsync("r1")).Single().Answer);
    }

    [Fact]
    public async Task Events_EqualToTheRecorded_InTheOrderTheyHappened()
    {
        var store = Store();
        var run = Run("r1");
        await store.StartRunAsync(run);
        var a = Step("r1", "a");
        var b = Step("r1", "b", T0.AddMilliseconds(10)) with { Status = StepStatus.Failed, Result = null, Error = "boom", Attempts = 2 };
        // Steps a and b ran at once: their events interleave in time, but each step is checkpointed with its own.
        AtlasEvent[] aEvents =
        [
            new StepStarted("r1", "a", T0),
            new ProviderSelected("r1", "a", T0.AddMilliseconds(1), "openai", "first available; skipped local: circuit open"),
            new TokenEmitted("r1", "a", T0.AddMilliseconds(2), "hel"),
            new ToolCalled("r1", "a", T0.AddMilliseconds(20), "classifier", "lookup", "{\"id\":1}", TimeSpan.FromMilliseconds(3), true, null),
            new DelegationStarted("r1", "a", T0.AddMilliseconds(21), "classifier", "helper", "{}", 1),
            new DelegationCompleted("r1", "a", T0.AddMilliseconds(22), "classifier", "helper", 1, TimeSpan.FromMilliseconds(1), new Usage(1, 1, 0.01m), false, "refused"),
            new StepCompleted("r1", "a", T0.AddMilliseconds(250), a.Duration, a.Usage),
        ];
        AtlasEvent[] bEvents =
        [
            new StepStarted("r1", "b", b.StartedAt),
            new RetryScheduled("r1", "b", T0.AddMilliseconds(15), 1, TimeSpan.FromMilliseconds(100), "HTTP 503 ✗"),
            new ToolCalled("r1", "b", T0.AddMilliseconds(16), "x", "send", "{}", TimeSpan.Zero, false, "would call send", Called: false),
            new StepFailed("r1", "b", T0.AddMilliseconds(30), "boom"),
        ];
        // b fails first, so it is checkpointed first.
        await store.CompleteStepAsync(b, bEvents);
        await store.CompleteStepAsync(a, aEvents);
        var ended = Ended(run, T0.AddMilliseconds(300), RunStatus.Failed) with { Error = "step 'b' failed: boom", Output = null };
        AtlasEvent[] runEvents =
        [
            new RunStarted("r1", "triage", T0),
            new ProviderSelected("r1", null, T0.AddMilliseconds(260), "openai", "outside any step"),
            new RunCompleted("r1", T0.AddMilliseconds(300), TimeSpan.FromMilliseconds(299.5), Usage.Zero, false, "step 'b' failed: boom"),
        ];
        await store.EndRunAsync(ended, runEvents);

        var events = await store.GetEventsAsync("r1");

        AtlasEvent[] expected =
        [
            runEvents[0],
            aEvents[0], aEvents[1], bEvents[0], bEvents[1], bEvents[2], aEvents[3], aEvents[4], aEvents[5], bEvents[3], aEvents[6],
            runEvents[1],
            runEvents[2],
        ];
        Assert.Equal(expected, events);
    }

    [Fact]
    public async Task Events_SameTimestamps_RunStartedFirstAndStepsInRecordedOrder()
    {
        var store = Store();
        var run = Run("r1");
        await store.StartRunAsync(run);
        // A frozen clock: every event has the same timestamp.
        var a = Step("r1", "a") with { Duration = TimeSpan.Zero };
        var b = Step("r1", "b") with { Duration = TimeSpan.Zero };
        AtlasEvent[] aEvents = [new StepStarted("r1", "a", T0), new StepCompleted("r1", "a", T0, TimeSpan.Zero, a.Usage)];
        AtlasEvent[] bEvents = [new StepStarted("r1", "b", T0), new StepCompleted("r1", "b", T0, TimeSpan.Zero, b.Usage)];
        await store.CompleteStepAsync(a, aEvents);
        await store.CompleteStepAsync(b, bEvents);
        AtlasEvent[] runEvents = [new RunStarted("r1", "triage", T0), new RunCompleted("r1", T0, TimeSpan.Zero, Usage.Zero, true, null)];
        await store.EndRunAsync(Ended(run, T0), runEvents);

        Assert.Equal([runEvents[0], .. aEvents, .. bEvents, runEvents[1]], await store.GetEventsAsync("r1"));
    }

    [Fact]
    public async Task Events_ThatDifferFromTheirRecords_StillRoundTrip()
    {
        var store = Store();
        var run = Run("r1");
        await store.StartRunAsync(run);
        var step = Step("r1", "a");
        AtlasEvent[] stepEvents =
        [
            new StepStarted("r1", "a", T0.AddTicks(-1)),
            new StepStarted("r1", "other", new DateTimeOffset(2026, 12, 1, 11, 30, 0, TimeSpan.FromHours(2))),
            new ProviderSelected("called-run", null, T0.AddDays(-400), "p", ""),
            new StepCompleted("r1", "a", T0.AddYears(30), TimeSpan.FromDays(-1), new Usage(1, 1, 1)),
            new StepFailed("r1", "a", T0, "not the step's error"),
        ];
        await store.CompleteStepAsync(step, stepEvents);
        var ended = Ended(run, T0.AddSeconds(1)) with { Usage = new Usage(5, 5, 0.1m) };
        AtlasEvent[] runEvents =
        [
            new RunStarted("r1", "another_workflow", T0),
            new RunCompleted("r1", T0.AddSeconds(1), TimeSpan.FromSeconds(1), Usage.Zero, false, null),
        ];
        await store.EndRunAsync(ended, runEvents);

        // A step's events keep the order it emitted them in, whatever their timestamps say.
        Assert.Equal([runEvents[0], .. stepEvents, runEvents[1]], await store.GetEventsAsync("r1"));
    }

    [Fact]
    public async Task Events_OfResumesCachesAndHumanSteps_RoundTrip()
    {
        var store = Store();
        var run = Run("r1");
        await store.StartRunAsync(run);
        var reused = Step("r1", "a") with { Reused = true };
        AtlasEvent[] reusedEvents = [new StepStarted("r1", "a", T0), new StepCompleted("r1", "a", T0.AddSeconds(1), reused.Duration, reused.Usage) { Reused = true }];
        await store.CompleteStepAsync(reused, reusedEvents);
        var cached = Step("r1", "b", T0.AddSeconds(1));
        AtlasEvent[] cachedEvents =
        [
            new StepStarted("r1", "b", cached.StartedAt),
            new CacheHit("r1", "b", T0.AddSeconds(1.5), "classifier", "cache", "r0"),
            new StepCompleted("r1", "b", T0.AddSeconds(2), cached.Duration, cached.Usage),
        ];
        await store.CompleteStepAsync(cached, cachedEvents);
        var asks = Step("r1", "approve", T0.AddSeconds(2)) with { Status = StepStatus.Waiting, Result = null };
        AtlasEvent[] askEvents =
        [
            new StepStarted("r1", "approve", asks.StartedAt),
            new HumanRequested("r1", "approve", T0.AddSeconds(2.1), "manager", "Refund 12 €?"),
            new HumanAnswered("r1", "approve", T0.AddSeconds(2.2), "manager", "true"),
        ];
        await store.CompleteStepAsync(asks, askEvents);
        AtlasEvent[] runEvents =
        [
            new RunStarted("r1", "triage", T0),
            new RunCompleted("r1", T0.AddSeconds(3), TimeSpan.FromSeconds(3), Usage.Zero, false, "waits") { Waiting = true },
        ];
        await store.EndRunAsync(run with { Status = RunStatus.Waiting, Error = "waits" }, runEvents);

        Assert.Equal([runEvents[0], .. reusedEvents, .. cachedEvents, .. askEvents, runEvents[1]], await store.GetEventsAsync("r1"));
    }

    [Fact]
    public async Task StartRun_Again_DropsTheEventsOfItsPreviousEnd()
    {
        var store = Store();
        var run = Run("r1");
        await store.StartRunAsync(run);
        AtlasEvent[] stepEvents = [new StepStarted("r1", "a", T0)];
        await store.CompleteStepAsync(Step("r1", "a"), stepEvents);
        await store.EndRunAsync(Ended(run, T0.AddSeconds(1), RunStatus.Waiting) with { EndedAt = null }, [new RunStarted("r1", "triage", T0)]);

        await store.StartRunAsync(run with { StartedAt = T0.AddHours(1) });

        Assert.Equal(stepEvents, await store.GetEventsAsync("r1"));
    }

    [Fact]
    public async Task GetRun_UniquePrefix_FindsTheRun_AmbiguousOrUnknownIsNull()
    {
        var store = Store();
        await store.StartRunAsync(Run("abc123"));
        await store.StartRunAsync(Run("abd456"));
        await store.StartRunAsync(Run("abd4567"));

        Assert.Equal("abc123", (await store.GetRunAsync("abc"))?.RunId);
        Assert.Equal("abc123", (await store.GetRunAsync("abc123"))?.RunId);
        Assert.Equal("abd456", (await store.GetRunAsync("abd456"))?.RunId); // an exact id wins over the longer one it starts
        Assert.Equal("abd4567", (await store.GetRunAsync("abd4567"))?.RunId);
        Assert.Null(await store.GetRunAsync("ab"));
        Assert.Null(await store.GetRunAsync("abd"));
        Assert.Null(await store.GetRunAsync("abc1234"));
        Assert.Null(await store.GetRunAsync("x"));
        Assert.Null(await store.GetRunAsync(""));
    }

    [Fact]
    public async Task ListRuns_NewestFirst_Filtered_Limited()
    {
        var store = Store();
        await store.StartRunAsync(Run("r1", "triage", T0) with { Source = "a.atlas" });
        await store.EndRunAsync(Ended(Run("r2", "triage", T0.AddMinutes(1)), T0.AddMinutes(2), RunStatus.Failed) with { Source = "a.atlas" }, []);
        await store.StartRunAsync(Run("r3", "digest", T0.AddMinutes(2)) with { Source = "b.atlas" });
        await store.StartRunAsync(Run("r4", "triage", T0.AddMinutes(3)) with { Status = RunStatus.Waiting, Source = "a.atlas" });

        async Task<string[]> Ids(RunQuery query) => (await store.ListRunsAsync(query)).Select(r => r.RunId).ToArray();

        Assert.Equal(["r4", "r3", "r2", "r1"], await Ids(new RunQuery()));
        Assert.Equal(["r4", "r2", "r1"], await Ids(new RunQuery(Workflow: "triage")));
        Assert.Equal(["r2"], await Ids(new RunQuery(Status: RunStatus.Failed)));
        Assert.Equal(["r4", "r3", "r2"], await Ids(new RunQuery(Since: T0.AddMinutes(1))));
        Assert.Equal(["r3"], await Ids(new RunQuery(Source: "b.atlas")));
        Assert.Equal(["r4", "r3"], await Ids(new RunQuery(Limit: 2)));
        Assert.Equal(["r4"], await Ids(new RunQuery(Workflow: "triage", Status: RunStatus.Waiting, Since: T0, Source: "a.atlas")));
        Assert.Empty(await Ids(new RunQuery(Workflow: "unknown")));
        Assert.Empty(await Ids(new RunQuery(Limit: 0)));
    }

    [Fact]
    public async Task ListRuns_OfABatch_InLineOrder()
    {
        var store = Store();
        await store.StartRunAsync(Run("l3", startedAt: T0) with { BatchId = "b1", BatchLine = 3 });
        await store.StartRunAsync(Run("l1", startedAt: T0.AddSeconds(1)) with { BatchId = "b1", BatchLine = 1 });
        await store.StartRunAsync(Run("x1", startedAt: T0.AddSeconds(2)) with { BatchId = "b2", BatchLine = 2 });
        await store.StartRunAsync(Run("l2", startedAt: T0.AddSeconds(3)) with { BatchId = "b1", BatchLine = 2 });
        await store.StartRunAsync(Run("single", startedAt: T0.AddSeconds(4)));

        var lines = await store.ListRunsAsync(new RunQuery(BatchId: "b1"));

        Assert.Equal(["l1", "l2", "l3"], lines.Select(r => r.RunId));
    }

    [Fact]
    public async Task FindModelCall_TheNewestFromAnyRun_NotBeforeTheGivenTime()
    {
        var store = Store();
        await store.StartRunAsync(Run("r1"));
        await store.StartRunAsync(Run("r2"));
        await store.RecordModelCallAsync(Call("r1", Key(1), T0));
        var newest = await store.RecordModelCallAsync(Call("r2", Key(1), T0.AddMinutes(5)) with { Response = "{\"newest\":true}" });
        await store.RecordModelCallAsync(Call("r1", Key(1), T0.AddMinutes(2)));
        await store.RecordModelCallAsync(Call("r1", Key(2), T0.AddMinutes(9)));
        await store.RecordModelCallAsync(Call("r1", Key(1), T0.AddMinutes(7)) with { CacheHit = true }); // a cached reply is not a model's

        Assert.Equal(newest, await store.FindModelCallAsync(Key(1), T0));
        Assert.Equal(newest, await store.FindModelCallAsync(Key(1), T0.AddMinutes(5)));
        Assert.Null(await store.FindModelCallAsync(Key(1), T0.AddMinutes(5).AddTicks(1)));
        Assert.Null(await store.FindModelCallAsync(Key(3), T0));
        Assert.Null(await store.FindModelCallAsync(Key(1).ToUpperInvariant(), T0));
    }

    [Fact]
    public async Task FindModelCall_OnlyCacheableReplies()
    {
        var store = Store();
        await store.StartRunAsync(Run("r1"));
        var notCacheable = await store.RecordModelCallAsync(Call("r1", Key(1), T0) with { Cacheable = false });
        var hit = await store.RecordModelCallAsync(Call("r1", Key(1), T0.AddMinutes(1)) with { CacheHit = true });

        Assert.Null(await store.FindModelCallAsync(Key(1), T0));
        Assert.Equal([notCacheable, hit with { Cacheable = false }], await store.GetModelCallsAsync("r1"));
    }

    [Fact]
    public async Task FindModelCall_KeysThatShareTheirFirstBytes_AndKeysThatAreTheRequestsHash_AreToldApart()
    {
        var store = Store();
        await store.StartRunAsync(Run("r1"));
        var request = "{\"model\":\"gpt-x\",\"messages\":[{\"role\":\"user\",\"contents\":[{\"text\":\"hi\"}]}]}";
        var hashed = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(request)));
        var sameStart = hashed[..16] + new string('0', 48);
        var byHash = await store.RecordModelCallAsync(Call("r1", hashed, T0) with { Request = request });
        var byPrefix = await store.RecordModelCallAsync(Call("r1", sameStart, T0.AddMinutes(1)) with { Request = request, Response = "{\"other\":true}" });

        Assert.Equal(byHash, await store.FindModelCallAsync(hashed, T0));
        Assert.Equal(byPrefix, await store.FindModelCallAsync(sameStart, T0));
        Assert.Equal([hashed, sameStart], (await store.GetModelCallsAsync("r1")).Select(c => c.RequestKey));
        Assert.Null(await store.FindModelCallAsync(hashed[..16] + new string('1', 48), T0));
    }

    [Fact]
    public async Task Prune_DeletesRunsThatEndedBefore_WithEverythingRecordedForThem()
    {
        var store = Store();
        var old = Run("old");
        var recent = Run("recent");
        var waiting = Run("waiting", startedAt: T0.AddDays(-100)) with { Status = RunStatus.Waiting };
        foreach (var run in new[] { old, recent, waiting })
        {
            await store.StartRunAsync(run);
            await store.CompleteStepAsync(Step(run.RunId, "a"), [new StepStarted(run.RunId, "a", T0)]);
            await store.CompleteItemAsync(new StepItemRecord(run.RunId, "a", 1, "1"));
            await store.RecordModelCallAsync(Call(run.RunId, Key(7), T0));
            await store.RecordToolCallAsync(new ToolCallRecord(run.RunId, "a", "x", "t", "{}", "1", null, TimeSpan.Zero, T0));
            await store.RequestHumanAsync(new HumanRequestRecord(run.RunId, "a", "h", "?", "string", null, T0));
        }

        await store.EndRunAsync(Ended(old, T0.AddDays(-31)), [new RunStarted("old", "triage", T0)]);
        await store.EndRunAsync(Ended(recent, T0.AddDays(-29)), []);
        await store.EndRunAsync(waiting, []);

        Assert.Equal(1, await store.PruneAsync(T0.AddDays(-30)));

        Assert.Null(await store.GetRunAsync("old"));
        Assert.Empty(await store.GetStepsAsync("old"));
        Assert.Empty(await store.GetItemsAsync("old", "a"));
        Assert.Empty(await store.GetModelCallsAsync("old"));
        Assert.Empty(await store.GetToolCallsAsync("old"));
        Assert.Empty(await store.GetHumanRequestsAsync("old"));
        Assert.Empty(await store.GetEventsAsync("old"));
        Assert.Equal(["recent", "waiting"], (await store.ListRunsAsync(new RunQuery())).Select(r => r.RunId).Order());
        Assert.Single(await store.GetStepsAsync("recent"));
        Assert.Contains((await store.FindModelCallAsync(Key(7), T0))?.RunId, new[] { "recent", "waiting" });
        Assert.Equal(0, await store.PruneAsync(T0.AddDays(-30)));
    }

    [Fact]
    public async Task UnknownRun_ReadsFindNothing()
    {
        var store = Store();

        Assert.Null(await store.GetRunAsync("nope"));
        Assert.Empty(await store.ListRunsAsync(new RunQuery()));
        Assert.Empty(await store.GetStepsAsync("nope"));
        Assert.Empty(await store.GetModelCallsAsync("nope"));
        Assert.Empty(await store.GetToolCallsAsync("nope"));
        Assert.Empty(await store.GetHumanRequestsAsync("nope"));
        Assert.Empty(await store.GetEventsAsync("nope"));
        Assert.Null(await store.FindModelCallAsync(Key(1), T0));
        Assert.False(await store.AnswerHumanAsync("nope", "a", "1", T0));
        Assert.Equal(0, await store.PruneAsync(T0));
    }

    [Fact]
    public async Task ConcurrentWrites_AllRecorded()
    {
        var store = Store();
        await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            var id = "run" + i;
            await store.StartRunAsync(Run(id, startedAt: T0.AddSeconds(i)));
            await Task.WhenAll(
                store.CompleteStepAsync(Step(id, "a"), [new StepStarted(id, "a", T0)]),
                store.RecordModelCallAsync(Call(id, Key(i), T0)),
                store.RecordModelCallAsync(Call(id, Key(i), T0)));
            await store.EndRunAsync(Ended(Run(id, startedAt: T0.AddSeconds(i)), T0.AddHours(1)), []);
        }));

        var runs = await store.ListRunsAsync(new RunQuery(Limit: 1000));
        Assert.Equal(200, runs.Count);
        Assert.All(runs, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        Assert.Equal([1L, 2L], (await store.GetModelCallsAsync("run17")).Select(c => c.Sequence));
        Assert.Single(await store.GetEventsAsync("run42"));
    }
}
