using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;

namespace Atlas.Runtime.Tests;

/// <summary>
/// Routes over real client libraries and loopback servers speaking each provider's wire format:
/// fallback through 500 / 429 / a cut stream, round_robin's spread, cheapest by the cost table,
/// and the circuit breaker taking a failing server out and letting it back in.
/// </summary>
public class RouteWireTests
{
    private const string Key = "sk-wire-test-0123456789";
    private static readonly WireFormat[] Formats = [WireFormat.OpenAI, WireFormat.Anthropic, WireFormat.Ollama];

    public static TheoryData<WireFormat, WireFault, bool> FallbackCases()
    {
        var data = new TheoryData<WireFormat, WireFault, bool>();
        foreach (var wire in Formats)
        {
            foreach (var fault in Enum.GetValues<WireFault>())
            {
                data.Add(wire, fault, true);
            }

            data.Add(wire, WireFault.ServerError, false);
            data.Add(wire, WireFault.CutMidway, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FallbackCases))]
    public async Task Fallback_FirstProviderFailsOnTheWire_ThenTheSecondAnswers_AndEventsSayWhy(WireFormat wire, WireFault fault, bool streamed)
    {
        var next = NextFormat(wire);
        await using var first = await WireServer.StartAsync((r, context, ct) => wire.FailAsync(fault, r, context, ct));
        await using var second = await WireServer.StartAsync((r, context, ct) => next.ReplyAsync(r, context, SecondTokens, ct));
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("first", first.BaseUrl));
            o.Providers.Add(next.Descriptor("second", second.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["first", "second"], Retry: 1, Timeout: TimeSpan.FromSeconds(20)));
        });
        var events = new ConcurrentQueue<AtlasEvent>();
        var step = runtime.CreateStepContext("ask", streamed ? events.Enqueue : null);

        var result = await runtime.InvokeAgentAsync(Agent("smart"), Question, step, CancellationToken.None);

        // A rate-limited provider is not retried while another can answer (see the test below); other failures are.
        var rateLimited = fault == WireFault.RateLimited;
        Assert.Equal(string.Concat(SecondTokens), result!.GetValue<string>());
        Assert.Equal((rateLimited ? 1 : 2, 1), (first.Requests.Count, second.Requests.Count));
        Assert.All(first.Requests, r => Assert.Equal(streamed, wire.Streams(r)));
        Assert.All(second.Requests, r => Assert.Equal(streamed, next.Streams(r)));

        // Only the answer that was used is counted: failed attempts report no usage.
        Assert.Equal(next.ExpectedUsage, step.Usage);
        if (!streamed)
        {
            return;
        }

        var selected = events.OfType<ProviderSelected>().ToArray();
        Assert.Equal(["first", "second"], selected.Select(s => s.Provider));
        Assert.Equal("first available", selected[0].Reason);
        var why = wire.FaultReason(fault, "first");
        if (rateLimited)
        {
            Assert.Empty(events.OfType<RetryScheduled>());
            Assert.Equal("fallback after first failed: " + why, selected[1].Reason);
        }
        else if (fault == WireFault.CutMidway)
        {
            var retry = Assert.Single(events.OfType<RetryScheduled>());
            Assert.StartsWith(why, retry.Reason, StringComparison.Ordinal);
            Assert.True(retry.Reason.Contains("connection failed", StringComparison.Ordinal) || retry.Reason.Contains("ended the stream", StringComparison.Ordinal), retry.Reason);
            Assert.StartsWith("fallback after first failed: " + why, selected[1].Reason, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(why, Assert.Single(events.OfType<RetryScheduled>()).Reason);
            Assert.Equal("fallback after first failed: " + why, selected[1].Reason);
        }

        // The tokens after the choice of the second provider are its reply, whole and in order.
        var afterFallback = events.SkipWhile(e => e is not ProviderSelected { Provider: "second" }).OfType<TokenEmitted>().Select(t => t.Text);
        Assert.Equal(SecondTokens, afterFallback);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task Fallback_RateLimitedWithALongRetryAfter_FallsBackAtOnce_InsteadOfWaitingToRetry(WireFormat wire)
    {
        var next = NextFormat(wire);
        await using var first = await WireServer.StartAsync((_, context, _) => wire.ErrorAsync(context, 429, "rate_limit_error", "slow down", retryAfter: "30"));
        await using var second = await WireServer.StartAsync((r, context, ct) => next.ReplyAsync(r, context, SecondTokens, ct));
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("first", first.BaseUrl));
            o.Providers.Add(next.Descriptor("second", second.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["first", "second"], Retry: 2, Timeout: TimeSpan.FromSeconds(20)));
        });
        var events = new ConcurrentQueue<AtlasEvent>();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = await runtime.InvokeAgentAsync(Agent("smart"), Question, runtime.CreateStepContext("ask", events.Enqueue), CancellationToken.None);

        // Waiting 30 s (twice) for a provider that said "not now" while another can answer is what a fallback route is for avoiding.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Equal(string.Concat(SecondTokens), result!.GetValue<string>());
        Assert.Equal((1, 1), (first.Requests.Count, second.Requests.Count));
        Assert.Empty(events.OfType<RetryScheduled>());
        Assert.Equal(
            $"fallback after first failed: {wire.Kind} provider 'first' is rate limited: slow down (retry after 30s)",
            events.OfType<ProviderSelected>().Single(s => s.Provider == "second").Reason);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task Fallback_TheLastProviderLeft_RateLimited_IsRetried_AfterItsRetryAfter(WireFormat wire)
    {
        var next = NextFormat(wire);
        await using var first = await WireServer.StartAsync((r, context, ct) => next.FailAsync(WireFault.ServerError, r, context, ct));
        await using var last = await WireServer.StartAsync((r, context, ct) =>
            r.Index == 0 ? wire.FailAsync(WireFault.RateLimited, r, context, ct) : wire.ReplyAsync(r, context, SecondTokens, ct));
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(next.Descriptor("first", first.BaseUrl));
            o.Providers.Add(wire.Descriptor("last", last.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["first", "last"], Retry: 1, Timeout: TimeSpan.FromSeconds(20)));
        });
        var events = new ConcurrentQueue<AtlasEvent>();

        var result = await runtime.InvokeAgentAsync(Agent("smart"), Question, runtime.CreateStepContext("ask", events.Enqueue), CancellationToken.None);

        Assert.Equal(string.Concat(SecondTokens), result!.GetValue<string>());
        Assert.Equal((2, 2), (first.Requests.Count, last.Requests.Count));
        var retries = events.OfType<RetryScheduled>().ToArray();
        Assert.Equal(2, retries.Length);
        Assert.Equal(next.FaultReason(WireFault.ServerError, "first"), retries[0].Reason);
        Assert.Equal((TimeSpan.FromSeconds(1), wire.FaultReason(WireFault.RateLimited, "last")), (retries[1].Delay, retries[1].Reason));
        var requests = last.Requests.OrderBy(r => r.Index).ToArray();
        Assert.InRange(System.Diagnostics.Stopwatch.GetElapsedTime(requests[0].ArrivedAt, requests[1].ArrivedAt), TimeSpan.FromMilliseconds(950), TimeSpan.FromSeconds(5));
    }

    public static TheoryData<WireFormat, int, bool> StreamCuts() => new()
    {
        // Frames written before the cut, and whether any of them carried text.
        { WireFormat.OpenAI, 1, false },
        { WireFormat.OpenAI, 3, true },
        { WireFormat.Anthropic, 3, false },
        { WireFormat.Anthropic, 5, true },
        { WireFormat.Ollama, 0, false },
        { WireFormat.Ollama, 2, true },
    };

    [Theory]
    [MemberData(nameof(StreamCuts))]
    public async Task Fallback_StreamingToTheCaller_CutBeforeAnyText_FallsBack_CutAfterText_EndsWithTheError(WireFormat wire, int frames, bool textSent)
    {
        var next = NextFormat(wire);

        // With text sent, the cut waits until the caller has it (else the reset may overtake the frames).
        var callerHasText = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var first = await WireServer.StartAsync(async (_, context, ct) =>
        {
            await wire.BeginAsync(context);
            foreach (var frame in wire.Frames().Take(frames))
            {
                await WireFormat.WriteFrameAsync(context, frame, ct);
            }

            if (textSent)
            {
                await callerHasText.Task.WaitAsync(ct);
            }

            context.Abort();
        });
        await using var second = await WireServer.StartAsync((r, context, ct) => next.ReplyAsync(r, context, SecondTokens, ct));
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("first", first.BaseUrl));
            o.Providers.Add(next.Descriptor("second", second.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["first", "second"], Retry: 1, Timeout: TimeSpan.FromSeconds(20)));
        });
        var chunks = new List<string>();

        async Task Read()
        {
            await foreach (var chunk in runtime.StreamAgentAsync(Agent("smart"), Question, null, CancellationToken.None))
            {
                chunks.Add(chunk);
                if (chunks.Count == 2)
                {
                    callerHasText.TrySetResult();
                }
            }
        }

        if (!textSent)
        {
            // Nothing reached the caller yet: the cut attempt is retried, then the route falls back.
            await Read();
            Assert.Equal(SecondTokens, chunks);
            Assert.Equal((2, 1), (first.Requests.Count, second.Requests.Count));
            return;
        }

        // Text the caller already has can't be taken back: no retry, no fallback, the error names the provider.
        var error = await Assert.ThrowsAsync<ProviderException>(Read);
        Assert.Equal(WireFormat.Tokens.Take(2), chunks);
        Assert.Equal("first", error.Provider);
        Assert.StartsWith($"{wire.Kind} provider 'first' connection failed", error.Message, StringComparison.Ordinal);
        Assert.Equal((1, 0), (first.Requests.Count, second.Requests.Count));
    }

    [Fact]
    public async Task RoundRobin_100SequentialCalls_SpreadEvenlyOverThreeWireServers()
    {
        await using var servers = await ThreeServers();
        using var runtime = ThreeProviderRuntime(servers, RouteStrategy.RoundRobin);
        var turns = new List<string>();

        for (var i = 0; i < 100; i++)
        {
            var (result, selected) = await Ask(runtime);
            Assert.Equal($"answer from {selected.Provider}", result);
            turns.Add(selected.Reason);
        }

        Assert.Equal([34, 33, 33], servers.Counts);
        Assert.Equal(Enumerable.Range(1, 100).Select(n => $"round robin (turn {n})"), turns);
        Assert.Equal(["a", "b", "c", "a", "b", "c"], servers.Order.Take(6));
    }

    [Fact]
    public async Task RoundRobin_100ConcurrentCalls_SpreadEvenlyOverThreeWireServers()
    {
        await using var servers = await ThreeServers();
        using var runtime = ThreeProviderRuntime(servers, RouteStrategy.RoundRobin);
        using var start = new ManualResetEventSlim();

        var calls = Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await Ask(runtime);
        })).ToArray();
        start.Set();
        var answers = await Task.WhenAll(calls);

        Assert.Equal([34, 33, 33], servers.Counts);
        Assert.All(answers, a => Assert.Equal($"answer from {a.Selected.Provider}", a.Result));
        // Every call took its own turn of the route's counter: turns 1 to 100, each once.
        Assert.Equal(
            Enumerable.Range(1, 100),
            answers.Select(a => int.Parse(a.Selected.Reason["round robin (turn ".Length..^1], System.Globalization.CultureInfo.InvariantCulture)).Order());
    }

    [Fact]
    public async Task RoundRobin_UnavailableProvider_IsLeftOut_TheOthersShareTheCalls()
    {
        await using var servers = await ThreeServers();
        using var runtime = ThreeProviderRuntime(servers, RouteStrategy.RoundRobin, unsetKey: "B_KEY");

        for (var i = 0; i < 100; i++)
        {
            var (_, selected) = await Ask(runtime);
            Assert.EndsWith("; skipped b: B_KEY is not set", selected.Reason, StringComparison.Ordinal);
        }

        Assert.Equal([50, 0, 50], servers.Counts);
    }

    [Fact]
    public async Task Cheapest_PicksTheLowestDeclaredCost_AndPricesItsUsage()
    {
        await using var servers = await ThreeServers();
        using var runtime = ThreeProviderRuntime(servers, RouteStrategy.Cheapest);
        var step = runtime.CreateStepContext("ask");

        for (var i = 0; i < 5; i++)
        {
            var (result, selected) = await Ask(runtime);
            Assert.Equal(("b", CheapB, "answer from b"), (selected.Provider, selected.Reason, result));
        }

        await runtime.InvokeAgentAsync(Agent("smart"), Question, step, CancellationToken.None);
        Assert.Equal([0, 6, 0], servers.Counts);

        // b is Anthropic: 12 tokens in at 0.25, 4 out at 1.25 USD per million.
        Assert.Equal(new Usage(12, 4, 0.000008m), step.Usage);
    }

    [Theory]
    [InlineData(4000, 50, "a", "cheapest (about 0.0006 USD for ~1000 tokens in, 50 out)")]
    [InlineData(4000, null, "b", "cheapest (about 0.004 USD for ~1000 tokens in, 1000 out)")]
    [InlineData(40, 50, "b", "cheapest (about 0.00012 USD for ~10 tokens in, 50 out)")]
    public async Task Cheapest_RanksByWhatThisCallWouldCost_ThePromptsTokensAndTheOutputCap(int promptChars, int? maxTokens, string expected, string reason)
    {
        // a is cheap to read and dear to write (0.1 + 10 USD per million), b the same both ways (2 + 2):
        // a long prompt with a short answer costs least on a; without a cap, or with a short prompt, on b.
        await using var servers = await ThreeServers();
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = _ => Key;
            o.Providers.Add(servers.Descriptor("a", "A_KEY") with { InputCostPerMillion = 0.1, OutputCostPerMillion = 10 });
            o.Providers.Add(servers.Descriptor("b", "B_KEY") with { InputCostPerMillion = 2, OutputCostPerMillion = 2 });
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Cheapest, ["a", "b"]));
        });
        var agent = new AgentDescriptor("reader", [new ParameterDescriptor("doc", "string")], "string", null, "smart", TestSupport.Template("{{doc}}"), MaxTokens: maxTokens);
        var events = new ConcurrentQueue<AtlasEvent>();

        var result = await runtime.InvokeAgentAsync(agent, TestSupport.Args(("doc", JsonValue.Create(new string('x', promptChars)))), runtime.CreateStepContext("ask", events.Enqueue), CancellationToken.None);

        Assert.Equal($"answer from {expected}", result!.GetValue<string>());
        Assert.Equal((expected, reason), (Assert.Single(events.OfType<ProviderSelected>()).Provider, Assert.Single(events.OfType<ProviderSelected>()).Reason));
        Assert.Equal(expected == "a" ? [1, 0, 0] : [0, 1, 0], servers.Counts);
    }

    [Fact]
    public async Task Cheapest_WhenTheCheapestHasNoKey_PicksTheNextCheapest_AndSaysWhy()
    {
        await using var servers = await ThreeServers();
        using var runtime = ThreeProviderRuntime(servers, RouteStrategy.Cheapest, unsetKey: "B_KEY");

        var (result, selected) = await Ask(runtime);

        Assert.Equal(("c", CheapC + "; skipped b: B_KEY is not set", "answer from c"), (selected.Provider, selected.Reason, result));
        Assert.Equal([0, 0, 1], servers.Counts);
    }

    [Fact]
    public async Task Cheapest_WhenTheCheapestsCircuitIsOpen_PicksTheNextCheapest_UntilTheBreakEnds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var failing = 1;
        await using var servers = await ThreeServers(b: (wire, r, context, ct) =>
            Volatile.Read(ref failing) == 1 ? wire.FailAsync(WireFault.ServerError, r, context, ct) : wire.ReplyAsync(r, context, ["answer from b"], ct));
        using var runtime = ThreeProviderRuntime(servers, RouteStrategy.Cheapest, configure: o =>
        {
            o.TimeProvider = time;
            o.CircuitBreaker = new CircuitBreakerSettings(FailureRatio: 0.5, MinimumThroughput: 2, SamplingDuration: TimeSpan.FromSeconds(10), BreakDuration: TimeSpan.FromSeconds(5));
        });

        // Closed: b is tried first and fails; c answers. The second failure opens b's circuit.
        for (var i = 0; i < 2; i++)
        {
            var (result, selected) = await AskAll(runtime);
            Assert.Equal("answer from c", result);
            Assert.Equal(["b", "c"], selected.Select(s => s.Provider));
            Assert.Equal(CheapB, selected[0].Reason);
            Assert.Equal("fallback after b failed: anthropic provider 'b' answered HTTP 500 (Internal Server Error): the model crashed", selected[1].Reason);
        }

        // Open: b is skipped without a request, and the choice says so.
        var (skippedResult, skipped) = await Ask(runtime);
        Assert.Equal(("c", "answer from c"), (skipped.Provider, skippedResult));
        Assert.Equal(CheapC + "; skipped b: circuit open for 5s more after repeated failures (last: anthropic provider 'b' answered HTTP 500 (Internal Server Error): the model crashed)", skipped.Reason);
        Assert.Equal([0, 2, 3], servers.Counts);

        // After the break, b gets its trial call, answers, and is the cheapest again.
        time.Advance(TimeSpan.FromSeconds(6));
        Volatile.Write(ref failing, 0);
        var (trialResult, trial) = await Ask(runtime);
        Assert.Equal(("b", CheapB + "; circuit half-open: a trial call after repeated failures", "answer from b"), (trial.Provider, trial.Reason, trialResult));
        var (_, closed) = await Ask(runtime);
        Assert.Equal(("b", CheapB), (closed.Provider, closed.Reason));
        Assert.Equal([0, 4, 3], servers.Counts);
    }

    [Fact]
    public async Task Fastest_AProviderThatFailsFast_IsNotTheFastest_TheOneThatAnswersIs()
    {
        // broken fails at once (a 500 takes a millisecond); slow answers after 50 ms. Failing fast is not being fast.
        await using var broken = await WireServer.StartAsync((r, context, ct) => WireFormat.OpenAI.FailAsync(WireFault.ServerError, r, context, ct));
        await using var slow = await WireServer.StartAsync(async (r, context, ct) =>
        {
            await Task.Delay(50, ct);
            await WireFormat.Anthropic.ReplyAsync(r, context, SecondTokens, ct);
        });
        using var runtime = TestSupport.Runtime(o =>
        {
            o.CircuitBreaker = null;
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(WireFormat.OpenAI.Descriptor("broken", broken.BaseUrl));
            o.Providers.Add(WireFormat.Anthropic.Descriptor("slow", slow.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fastest, ["broken", "slow"]));
        });

        var (firstResult, first) = await AskAll(runtime);
        Assert.Equal(string.Concat(SecondTokens), firstResult);
        Assert.Equal(["broken", "slow"], first.Select(s => s.Provider));
        for (var i = 0; i < 5; i++)
        {
            var (result, selected) = await Ask(runtime);
            Assert.Equal(("slow", string.Concat(SecondTokens)), (selected.Provider, result));
            Assert.StartsWith("fastest (average ", selected.Reason, StringComparison.Ordinal);
        }

        Assert.Equal((1, 6), (broken.Requests.Count, slow.Requests.Count));
    }

    public static TheoryData<WireFormat, WireFault> BreakerCases()
    {
        var data = new TheoryData<WireFormat, WireFault>();
        foreach (var wire in Formats)
        {
            data.Add(wire, WireFault.ServerError);
            data.Add(wire, WireFault.RateLimited);
            data.Add(wire, WireFault.CutMidway);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BreakerCases))]
    public async Task Breaker_OpensAfterTheConfiguredFailures_CallsStopReachingTheServer_ThenItClosesAfterTheBreak(WireFormat wire, WireFault fault)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var failing = 1;
        var next = NextFormat(wire);
        await using var flaky = await WireServer.StartAsync((r, context, ct) =>
            Volatile.Read(ref failing) == 1 ? wire.FailAsync(fault, r, context, ct) : wire.ReplyAsync(r, context, ["flaky is back"], ct));
        await using var steady = await WireServer.StartAsync((r, context, ct) => next.ReplyAsync(r, context, SecondTokens, ct));
        using var runtime = TestSupport.Runtime(o =>
        {
            o.TimeProvider = time;
            o.CircuitBreaker = new CircuitBreakerSettings(FailureRatio: 0.5, MinimumThroughput: 3, SamplingDuration: TimeSpan.FromSeconds(10), BreakDuration: TimeSpan.FromSeconds(5));
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("flaky", flaky.BaseUrl));
            o.Providers.Add(next.Descriptor("steady", steady.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["flaky", "steady"]));
        });

        // Closed: three failures, each followed by the fallback; the third opens the circuit.
        for (var i = 0; i < 3; i++)
        {
            var (result, selected) = await AskAll(runtime);
            Assert.Equal(string.Concat(SecondTokens), result);
            Assert.Equal(["flaky", "steady"], selected.Select(s => s.Provider));
            Assert.StartsWith("fallback after flaky failed: " + wire.FaultReason(fault, "flaky"), selected[1].Reason, StringComparison.Ordinal);
        }

        Assert.Equal(3, flaky.Requests.Count);

        // Open: no request reaches the failing server, and the choice says it was skipped and why.
        for (var i = 0; i < 5; i++)
        {
            var (_, skipped) = await AskAll(runtime);
            var only = Assert.Single(skipped);
            Assert.Equal("steady", only.Provider);
            Assert.StartsWith("first available; skipped flaky: circuit open for 5s more after repeated failures (last: " + wire.FaultReason(fault, "flaky"), only.Reason, StringComparison.Ordinal);
        }

        Assert.Equal((3, 8), (flaky.Requests.Count, steady.Requests.Count));

        // The break is not over at 4.9 s; after it, one trial call reaches the (now healthy) server and closes the circuit.
        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(["steady"], (await AskAll(runtime)).Selected.Select(s => s.Provider));
        time.Advance(TimeSpan.FromSeconds(0.2));
        Volatile.Write(ref failing, 0);
        var (trialResult, trial) = await AskAll(runtime);
        Assert.Equal("flaky is back", trialResult);
        Assert.Equal(("flaky", "first available; circuit half-open: a trial call after repeated failures"), (Assert.Single(trial).Provider, trial[0].Reason));
        var (closedResult, closed) = await AskAll(runtime);
        Assert.Equal(("flaky is back", "flaky", "first available"), (closedResult, Assert.Single(closed).Provider, closed[0].Reason));
        Assert.Equal((5, 9), (flaky.Requests.Count, steady.Requests.Count));
    }

    // The question's prompt, "Question: where is my refund", is about 7 tokens; with no max_tokens, 7 out are assumed.
    private const string CheapB = "cheapest (about 0.0000105 USD for ~7 tokens in, 7 out)";
    private const string CheapC = "cheapest (about 0.000014 USD for ~7 tokens in, 7 out)";

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task Breaker_HangsPastTheTimeout_CountAsFailures_AndOpenIt(WireFormat wire)
    {
        // The route's timeout runs on the runtime's TimeProvider: advancing the fake clock times the hanging attempt out.
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var next = NextFormat(wire);
        await using var hanging = await WireServer.StartAsync((_, _, ct) => Task.Delay(Timeout.Infinite, ct));
        await using var steady = await WireServer.StartAsync((r, context, ct) => next.ReplyAsync(r, context, SecondTokens, ct));
        using var runtime = TestSupport.Runtime(o =>
        {
            o.TimeProvider = time;
            o.CircuitBreaker = new CircuitBreakerSettings(FailureRatio: 0.5, MinimumThroughput: 2, SamplingDuration: TimeSpan.FromSeconds(30), BreakDuration: TimeSpan.FromSeconds(20));
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("hanging", hanging.BaseUrl));
            o.Providers.Add(next.Descriptor("steady", steady.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["hanging", "steady"], Timeout: TimeSpan.FromSeconds(2)));
        });

        for (var i = 1; i <= 2; i++)
        {
            var call = AskAll(runtime);
            await TestSupport.WaitUntil(() => hanging.Requests.Count == i);
            time.Advance(TimeSpan.FromSeconds(2));
            var (result, selected) = await call.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(string.Concat(SecondTokens), result);
            Assert.Equal(["hanging", "steady"], selected.Select(s => s.Provider));
            Assert.Equal("fallback after hanging failed: timed out after 2s", selected[1].Reason);
        }

        var (_, skipped) = await AskAll(runtime).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(
            ("steady", "first available; skipped hanging: circuit open for 20s more after repeated failures (last: timed out after 2s)"),
            (Assert.Single(skipped).Provider, skipped[0].Reason));
        Assert.Equal((2, 3), (hanging.Requests.Count, steady.Requests.Count));
    }

    private static readonly string[] SecondTokens = ["Second", " provider", " here"];

    private static Dictionary<string, JsonNode?> Question => TestSupport.Args(("q", JsonValue.Create("where is my refund")));

    private static AgentDescriptor Agent(string model) =>
        new("helper", [new ParameterDescriptor("q", "string")], "string", null, model, TestSupport.Template("Question: {{q}}"));

    private static WireFormat NextFormat(WireFormat wire) => Formats[(Array.IndexOf(Formats, wire) + 1) % Formats.Length];

    /// <summary>One observed call of the agent on route "smart": its text and the (single) provider choice.</summary>
    private static async Task<(string Result, ProviderSelected Selected)> Ask(AtlasRuntime runtime)
    {
        var (result, selected) = await AskAll(runtime);
        return (result, Assert.Single(selected));
    }

    private static async Task<(string Result, ProviderSelected[] Selected)> AskAll(AtlasRuntime runtime)
    {
        var events = new ConcurrentQueue<AtlasEvent>();
        var result = await runtime.InvokeAgentAsync(Agent("smart"), Question, runtime.CreateStepContext("ask", events.Enqueue), CancellationToken.None);
        return (result!.GetValue<string>(), events.OfType<ProviderSelected>().ToArray());
    }

    private delegate Task Respond(WireFormat wire, WireRequest request, Microsoft.AspNetCore.Http.HttpContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Three providers on three loopback servers, one per wire format, with different prices
    /// (USD per million tokens, input + output): a = OpenAI 3 + 15, b = Anthropic 0.25 + 1.25,
    /// c = Ollama 0.5 + 1.5. Each answers "answer from NAME" unless told otherwise.
    /// </summary>
    private static async Task<ThreeWireServers> ThreeServers(Respond? b = null)
    {
        var servers = new ThreeWireServers();
        foreach (var (name, wire) in new[] { ("a", WireFormat.OpenAI), ("b", WireFormat.Anthropic), ("c", WireFormat.Ollama) })
        {
            var respond = name == "b" && b is not null ? b : (w, r, context, ct) => w.ReplyAsync(r, context, [$"answer from {name}"], ct);
            servers.Add(name, wire, await WireServer.StartAsync((r, context, ct) =>
            {
                servers.Order.Enqueue(name);
                return respond(wire, r, context, ct);
            }));
        }

        return servers;
    }

    private static AtlasRuntime ThreeProviderRuntime(ThreeWireServers servers, RouteStrategy strategy, string? unsetKey = null, Action<AtlasRuntimeOptions>? configure = null) =>
        TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == unsetKey ? null : Key;
            o.Providers.Add(servers.Descriptor("a", "A_KEY") with { InputCostPerMillion = 3, OutputCostPerMillion = 15 });
            o.Providers.Add(servers.Descriptor("b", "B_KEY") with { InputCostPerMillion = 0.25, OutputCostPerMillion = 1.25 });
            o.Providers.Add(servers.Descriptor("c", "C_KEY") with { InputCostPerMillion = 0.5, OutputCostPerMillion = 1.5 });
            o.Routes.Add(new RouteDescriptor("smart", strategy, ["a", "b", "c"], Timeout: TimeSpan.FromSeconds(20)));
            configure?.Invoke(o);
        });

    private sealed class ThreeWireServers : IAsyncDisposable
    {
        private readonly List<(string Name, WireFormat Wire, WireServer Server)> _servers = [];

        /// <summary>The provider names in the order their servers got requests.</summary>
        public ConcurrentQueue<string> Order { get; } = new();

        /// <summary>Requests per server: a, b, c.</summary>
        public int[] Counts => _servers.Select(s => s.Server.Requests.Count).ToArray();

        public void Add(string name, WireFormat wire, WireServer server) => _servers.Add((name, wire, server));

        public ProviderDescriptor Descriptor(string name, string keyVariable)
        {
            var (_, wire, server) = _servers.Single(s => s.Name == name);
            return wire.Descriptor(name, server.BaseUrl, keyVariable);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var (_, _, server) in _servers)
            {
                await server.DisposeAsync();
            }
        }
    }
}
