using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;

namespace Atlas.Runtime.Tests;

public class WorkflowBlockTests
{
    private sealed class Item
    {
        public Item(int input) => Input = input;

        public int Input { get; }

        public int Doubled { get; set; }

        public int Squared { get; set; }

        public int Negated { get; set; }

        public string? Combined { get; set; }

        public string? Label { get; set; }
    }

    private static Task Jitter(CancellationToken ct) => Task.Delay(Random.Shared.Next(0, 4), ct);

    /// <summary>source fans out to three steps; two of them join; a switch reads the join; the exit joins two sinks.</summary>
    private static WorkflowGraph<Item> FanOutFanIn(Func<int, bool>? fails = null) => new WorkflowGraphBuilder<Item>("fan")
        .Step("doubled", [], async (s, _, ct) =>
        {
            await Jitter(ct);
            s.Doubled = s.Input * 2;
        })
        .Step("squared", [], async (s, _, ct) =>
        {
            await Jitter(ct);
            if (fails?.Invoke(s.Input) == true)
            {
                throw new InvalidOperationException($"input {s.Input} is cursed");
            }

            s.Squared = s.Input * s.Input;
        })
        .Step("negated", ["doubled"], async (s, _, ct) =>
        {
            await Jitter(ct);
            s.Negated = -s.Doubled;
        })
        .Step("combined", ["doubled", "squared", "negated"], async (s, _, ct) =>
        {
            await Jitter(ct);
            s.Combined = $"{s.Input}:{s.Doubled}:{s.Squared}:{s.Negated}";
        })
        .Switch("label", ["doubled"], s => s.Input % 3, [
            (s, _, _) => { s.Label = "zero"; return Task.CompletedTask; },
            (s, _, _) => { s.Label = "one"; return Task.CompletedTask; },
            async (s, _, ct) => { await Jitter(ct); s.Label = "two"; },
        ])
        .Build(["combined", "label"]);

    private static string Expected(int i) => $"{i}:{i * 2}:{i * i}:{-i * 2}|{(i % 3) switch { 0 => "zero", 1 => "one", _ => "two" }}";

    [Fact]
    public async Task RunAsync_1000Concurrent_FanOutFanIn_NeverMixesRuns()
    {
        var runtime = TestSupport.Runtime();
        var graph = FanOutFanIn();

        var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i =>
            Task.Run(() => runtime.RunAsync(graph, new Item(i), s => (s.Input, Text: $"{s.Combined}|{s.Label}"), CancellationToken.None))));

        Assert.All(results, r => Assert.Equal(Expected(r.Input), r.Text));
        Assert.Equal(Enumerable.Range(0, 1000), results.Select(r => r.Input).Order());
    }

    [Fact]
    public async Task CreateBlock_1000Inputs_FailuresAreErrorResults_OthersSucceed()
    {
        var runtime = TestSupport.Runtime();
        var events = new ConcurrentQueue<AtlasEvent>();
        var block = runtime.CreateBlock<int, Item, (int Input, string Text)>(
            FanOutFanIn(i => i % 97 == 5),
            i => new Item(i),
            s => (s.Input, $"{s.Combined}|{s.Label}"),
            new WorkflowBlockOptions(BoundedCapacity: 16, MaxConcurrentRuns: 8, OnEvent: events.Enqueue));

        var results = new List<WorkflowResult<(int Input, string Text)>>();
        var reading = Task.Run(async () =>
        {
            while (await block.OutputAvailableAsync())
            {
                results.Add(await block.ReceiveAsync());
            }
        });
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(await block.SendAsync(i));
        }

        block.Complete();
        await block.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        await reading;

        Assert.Equal(1000, results.Count);
        var failed = results.Where(r => !r.Succeeded).ToList();
        Assert.Equal(Enumerable.Range(0, 1000).Count(i => i % 97 == 5), failed.Count);
        Assert.All(failed, r => Assert.Matches(@"^step 'squared' failed: input \d+ is cursed$", r.Error));
        var succeeded = results.Where(r => r.Succeeded).Select(r => r.Value).ToList();
        Assert.All(succeeded, v => Assert.Equal(Expected(v.Input), v.Text));
        Assert.Equal(Enumerable.Range(0, 1000).Where(i => i % 97 != 5), succeeded.Select(v => v.Input).Order());
        Assert.Equal(1000, results.Select(r => r.RunId).Distinct().Count());

        // Each failed run's StepFailed names its own input: no run reports another's failure.
        var runInputs = results.Where(r => !r.Succeeded).Select(r => r.RunId).ToHashSet();
        var failures = events.OfType<StepFailed>().ToList();
        Assert.Equal(runInputs, failures.Select(f => f.RunId).ToHashSet());
        Assert.Equal(1000, events.OfType<RunCompleted>().Count());
    }

    [Fact]
    public async Task CreateBlock_BoundedCapacity_AppliesBackpressure()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var graph = new WorkflowGraphBuilder<Item>("slow").Step("wait", [], (_, _, ct) => release.Task.WaitAsync(ct)).Build(["wait"]);
        var block = TestSupport.Runtime().CreateBlock<int, Item, int>(graph, i => new Item(i), s => s.Input, new WorkflowBlockOptions(BoundedCapacity: 2, MaxConcurrentRuns: 2));

        var accepted = 0;
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await block.SendAsync(i);
                Interlocked.Increment(ref accepted);
            }
        });
        await Task.Delay(300);

        // Two runs inside, one waiting for admission, two in the input buffer: the producer waits.
        Assert.InRange(Volatile.Read(ref accepted), 2, 6);
        Assert.False(sending.IsCompleted);
        release.SetResult();
        var received = 0;
        while (received < 20)
        {
            await block.ReceiveAsync(TimeSpan.FromSeconds(10));
            received++;
        }

        await sending;
        block.Complete();
        await block.Completion.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task CreateBlock_Cancelled_StopsEveryBlock()
    {
        using var cts = new CancellationTokenSource();
        var graph = new WorkflowGraphBuilder<Item>("hang").Step("wait", [], (_, _, ct) => Task.Delay(Timeout.Infinite, ct)).Build(["wait"]);
        var block = TestSupport.Runtime().CreateBlock<int, Item, int>(graph, i => new Item(i), s => s.Input, new WorkflowBlockOptions(CancellationToken: cts.Token));
        for (var i = 0; i < 5; i++)
        {
            await block.SendAsync(i);
        }

        await Task.Delay(50);
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => block.Completion.WaitAsync(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task CreateBlock_CreateStateThrows_ThatInputIsAnErrorResult()
    {
        var graph = new WorkflowGraphBuilder<Item>("w").Step("x", [], (s, _, _) => { s.Doubled = s.Input * 2; return Task.CompletedTask; }).Build(["x"]);
        var block = TestSupport.Runtime().CreateBlock<int, Item, int>(graph, i => i == 2 ? throw new FormatException("bad input") : new Item(i), s => s.Doubled);
        for (var i = 0; i < 4; i++)
        {
            await block.SendAsync(i);
        }

        block.Complete();
        var results = new List<WorkflowResult<int>>();
        for (var i = 0; i < 4; i++)
        {
            results.Add(await block.ReceiveAsync(TimeSpan.FromSeconds(5)));
        }

        await block.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("step 'input' failed: bad input", Assert.Single(results, r => !r.Succeeded).Error);
        Assert.Equal([0, 2, 6], results.Where(r => r.Succeeded).Select(r => r.Value).Order());
    }

    [Fact]
    public async Task RunAsync_EmptyGraph_ReturnsResultOfState()
    {
        var graph = new WorkflowGraphBuilder<Item>("empty").Build([]);
        Assert.Equal(7, await TestSupport.Runtime().RunAsync(graph, new Item(7), s => s.Input, CancellationToken.None));
    }

    [Fact]
    public async Task Block_MaxParallelismPerStep_BoundsEachStep_WhileMoreRunsAreInside()
    {
        var active = new int[2];
        var peak = new int[2];
        StepBody<Item> Tracked(int step) => async (s, _, ct) =>
        {
            var now = Interlocked.Increment(ref active[step]);
            InterlockedMax(ref peak[step], now);
            await Task.Delay(10, ct);
            Interlocked.Decrement(ref active[step]);
            s.Doubled = s.Input * 2;
        };
        var graph = new WorkflowGraphBuilder<Item>("bounded").Step("a", [], Tracked(0)).Step("b", ["a"], Tracked(1)).Build(["b"]);
        using var runtime = TestSupport.Runtime();
        var block = runtime.CreateBlock(graph, static (int i) => new Item(i), static s => s.Doubled, new WorkflowBlockOptions(BoundedCapacity: 8, MaxConcurrentRuns: 8) { MaxParallelismPerStep = 3 });

        var results = new List<WorkflowResult<int>>();
        var reader = Task.Run(async () =>
        {
            while (await block.OutputAvailableAsync())
            {
                results.Add(await block.ReceiveAsync());
            }
        });
        for (var i = 0; i < 40; i++)
        {
            await block.SendAsync(i);
        }

        block.Complete();
        await reader;

        Assert.Equal(Enumerable.Range(0, 40).Select(i => i * 2).Order(), results.Select(r => r.Value).Order());
        Assert.Equal([3, 3], peak);
    }

    [Fact]
    public async Task CreateBlock_MaxConcurrentRuns_AreInFlightTogether_AndNoMore()
    {
        // More runs than cores wait at once: a run that waits does not hold up the inputs behind it.
        var active = 0;
        var peak = 0;
        var graph = new WorkflowGraphBuilder<Item>("waits").Step("wait", [], async (s, _, ct) =>
        {
            InterlockedMax(ref peak, Interlocked.Increment(ref active));
            await Task.Delay(20, ct);
            Interlocked.Decrement(ref active);
            s.Doubled = s.Input * 2;
        }).Build(["wait"]);
        using var runtime = TestSupport.Runtime();
        var block = runtime.CreateBlock(graph, static (int i) => new Item(i), static s => s.Doubled, new WorkflowBlockOptions(BoundedCapacity: 4, MaxConcurrentRuns: 6));

        var results = new List<WorkflowResult<int>>();
        var reader = Task.Run(async () =>
        {
            while (await block.OutputAvailableAsync())
            {
                results.Add(await block.ReceiveAsync());
            }
        });
        for (var i = 0; i < 60; i++)
        {
            await block.SendAsync(i);
        }

        block.Complete();
        await reader.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(Enumerable.Range(0, 60).Select(i => i * 2).Order(), results.Select(r => r.Value).Order());
        Assert.Equal(6, peak);
    }

    [Fact]
    public async Task CreateBlock_ResultsNotRead_TheSenderWaits_MemoryStaysBounded()
    {
        var graph = new WorkflowGraphBuilder<Item>("fast").Step("x", [], (s, _, _) => { s.Doubled = s.Input * 2; return Task.CompletedTask; }).Build(["x"]);
        using var runtime = TestSupport.Runtime();
        var block = runtime.CreateBlock(graph, static (int i) => new Item(i), static s => s.Doubled, new WorkflowBlockOptions(BoundedCapacity: 3, MaxConcurrentRuns: 2));

        var accepted = 0;
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < 1000; i++)
            {
                await block.SendAsync(i);
                Interlocked.Increment(ref accepted);
            }
        });
        await Task.Delay(300);

        // Three unread results, two finished runs waiting to hand theirs over, three inputs waiting: then the sender waits.
        Assert.InRange(Volatile.Read(ref accepted), 3, 10);
        Assert.False(sending.IsCompleted);
        var received = new List<int>();
        while (received.Count < 1000)
        {
            received.Add((await block.ReceiveAsync(TimeSpan.FromSeconds(10))).Value);
        }

        await sending;
        block.Complete();
        await block.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i * 2), received.Order());
    }

    [Fact]
    public async Task CreateBlock_Unobserved_EachResultStillHasItsOwnRunId()
    {
        var graph = new WorkflowGraphBuilder<Item>("fast").Step("x", [], (s, _, _) => { s.Doubled = s.Input * 2; return Task.CompletedTask; }).Build(["x"]);
        using var runtime = TestSupport.Runtime();
        var block = runtime.CreateBlock(graph, static (int i) => new Item(i), static s => s.Doubled);
        for (var i = 0; i < 50; i++)
        {
            await block.SendAsync(i);
        }

        block.Complete();
        var results = new List<WorkflowResult<int>>();
        for (var i = 0; i < 50; i++)
        {
            results.Add(await block.ReceiveAsync(TimeSpan.FromSeconds(5)));
        }

        Assert.All(results, r => Assert.Matches("^[0-9a-f]{16}$", r.RunId));
        Assert.All(results, r => Assert.Same(r.RunId, r.RunId));
        Assert.Equal(50, results.Select(r => r.RunId).Distinct().Count());
        var copy = results[0] with { };
        Assert.Equal(results[0], copy);
        Assert.NotEqual(results[0], results[1] with { Value = results[0].Value });
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
