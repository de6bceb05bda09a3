using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime.Tests;

/// <summary>
/// A rate-limited provider's <c>Retry-After</c> is waited for only when it fits the time the retry has: the route's
/// timeout, the step's <c>with { timeout }</c> (what is left of it), the provider's own timeout, at most 2 minutes.
/// A longer wait fails at once, so a route falls back to its next provider (issue 11, item 8).
/// </summary>
public class RetryAfterBudgetTests
{
    private const string Key = "sk-wire-test-0123456789";

    /// <summary>
    /// An hour in seconds, or an HTTP date two hours ahead, and how the error shows the wait (a date has whole
    /// seconds, so the wait left when it arrives is 7200 s or a second less).
    /// </summary>
    private static (string Header, string Shown) RetryAfter(bool asDate) =>
        asDate ? (DateTimeOffset.UtcNow.AddHours(2).ToString("r", CultureInfo.InvariantCulture), "(?:120m|7199s)") : ("3600", "60m");

    /// <summary>Asserts <paramref name="actual"/> is <paramref name="expected"/>, where <paramref name="shown"/> stands for the wait.</summary>
    private static void AssertMessage(string expected, string shown, string actual) =>
        Assert.Matches("^" + Regex.Escape(expected).Replace("WAIT", shown, StringComparison.Ordinal) + "$", actual);

    [Theory]
    [MemberData(nameof(WireFormat.AllStreamedAndNot), MemberType = typeof(WireFormat))]
    public async Task Route_TheLastProviderAsksToWaitLongerThanTheTimeout_FailsAtOnce_SayingHowLong(WireFormat wire, bool asDate)
    {
        var (header, shown) = RetryAfter(asDate);
        await using var server = await WireServer.StartAsync((_, context, _) => wire.ErrorAsync(context, 429, "rate_limit_error", "slow down", retryAfter: header));
        using var runtime = Runtime(o =>
        {
            o.Providers.Add(wire.Descriptor("only", server.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["only"], Retry: 2, Timeout: TimeSpan.FromSeconds(5)));
        });
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(WireFaultTests.Agent("smart"), TestSupport.Args(), null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        AssertMessage(
            $"No provider of route 'smart' could answer: only: {wire.Kind} provider 'only' is rate limited: slow down (retry after WAIT); not retried: it asked to wait WAIT, longer than the 5s timeout.",
            shown,
            error.Message);
        Assert.Single(server.Requests);
    }

    [Theory]
    [MemberData(nameof(WireFormat.AllStreamedAndNot), MemberType = typeof(WireFormat))]
    public async Task Route_TheFirstProviderAsksToWaitAnHour_FallsBackToTheSecondAtOnce(WireFormat wire, bool asDate)
    {
        var next = wire == WireFormat.OpenAI ? WireFormat.Ollama : WireFormat.OpenAI;
        var (header, shown) = RetryAfter(asDate);
        await using var first = await WireServer.StartAsync((_, context, _) => wire.ErrorAsync(context, 429, "rate_limit_error", "slow down", retryAfter: header));
        await using var second = await WireServer.StartAsync((r, context, ct) => next.ReplyAsync(r, context, ct));
        using var runtime = Runtime(o =>
        {
            o.Providers.Add(wire.Descriptor("first", first.BaseUrl));
            o.Providers.Add(next.Descriptor("second", second.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["first", "second"], Retry: 2, Timeout: TimeSpan.FromSeconds(5)));
        });
        var events = new ConcurrentQueue<AtlasEvent>();
        var clock = Stopwatch.StartNew();

        var result = await runtime.InvokeAgentAsync(WireFaultTests.Agent("smart"), TestSupport.Args(), runtime.CreateStepContext("ask", events.Enqueue), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1.5));
        Assert.Equal("Hello from the wire", result!.GetValue<string>());
        Assert.Equal((1, 1), (first.Requests.Count, second.Requests.Count));
        AssertMessage(
            $"fallback after first failed: {wire.Kind} provider 'first' is rate limited: slow down (retry after WAIT)",
            shown,
            events.OfType<ProviderSelected>().Last().Reason);
    }

    [Theory]
    [MemberData(nameof(WireFormat.AllStreamedAndNot), MemberType = typeof(WireFormat))]
    public async Task DirectProvider_RetriedByItsStep_AsksToWaitAnHour_FailsAtOnce_SayingHowLong(WireFormat wire, bool asDate)
    {
        var (header, shown) = RetryAfter(asDate);
        await using var server = await WireServer.StartAsync((_, context, _) => wire.ErrorAsync(context, 429, "rate_limit_error", "slow down", retryAfter: header));
        using var runtime = Runtime(o => o.Providers.Add(wire.Descriptor("wire", server.BaseUrl)));
        var events = new ConcurrentQueue<AtlasEvent>();
        var step = runtime.CreateStepContext("ask", events.Enqueue);
        var clock = Stopwatch.StartNew();

        // `with { retry = 2 }` on the step, no timeout: a retry waits at most 2 minutes.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            step.ExecuteAsync(new StepPolicy(Retry: 2), ct => runtime.InvokeAgentAsync(WireFaultTests.Agent("wire"), TestSupport.Args(), step, ct), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        AssertMessage(
            $"No provider of provider 'wire' could answer: wire: {wire.Kind} provider 'wire' is rate limited: slow down (retry after WAIT); not retried: it asked to wait WAIT, longer than the 2m a retry waits at most.",
            shown,
            error.Message);
        Assert.Empty(events.OfType<RetryScheduled>());
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task RouteRetry_InsideAStepTimeout_WaitsNoLongerThanWhatIsLeftOfIt()
    {
        var wire = WireFormat.Anthropic;
        await using var server = await WireServer.StartAsync((_, context, _) => wire.ErrorAsync(context, 429, "rate_limit_error", "slow down", retryAfter: "10"));
        using var runtime = Runtime(o =>
        {
            o.Providers.Add(wire.Descriptor("only", server.BaseUrl) with { Timeout = TimeSpan.FromSeconds(30) });
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["only"], Retry: 2));
        });
        var step = runtime.CreateStepContext("ask");
        var clock = Stopwatch.StartNew();

        // The route alone could wait 10 s (under its provider's 30 s and the 2 minutes); the step's 8 s timeout can't.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            step.ExecuteAsync(new StepPolicy(Timeout: TimeSpan.FromSeconds(8)), ct => runtime.InvokeAgentAsync(WireFaultTests.Agent("smart"), TestSupport.Args(), step, ct), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(7));
        Assert.StartsWith("No provider of route 'smart' could answer: only: anthropic provider 'only' is rate limited: slow down (retry after 10s); not retried: it asked to wait 10s, longer than the ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(" left of the enclosing timeout.", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task RouteRetry_AWaitWithinTheBudget_IsWaited()
    {
        var wire = WireFormat.OpenAI;
        await using var server = await WireServer.StartAsync((r, context, ct) =>
            r.Index == 0 ? wire.ErrorAsync(context, 429, "rate_limit_error", "slow down", retryAfter: "1") : wire.ReplyAsync(r, context, ct));
        using var runtime = Runtime(o =>
        {
            o.Providers.Add(wire.Descriptor("only", server.BaseUrl) with { Timeout = TimeSpan.FromSeconds(30) });
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["only"], Retry: 1, Timeout: TimeSpan.FromSeconds(5)));
        });
        var step = runtime.CreateStepContext("ask");

        var result = await step.ExecuteAsync(new StepPolicy(Timeout: TimeSpan.FromSeconds(10)), ct => runtime.InvokeAgentAsync(WireFaultTests.Agent("smart"), TestSupport.Args(), step, ct), CancellationToken.None);

        Assert.Equal("Hello from the wire", result!.GetValue<string>());
        var requests = server.Requests.OrderBy(r => r.Index).ToArray();
        Assert.InRange(Stopwatch.GetElapsedTime(requests[0].ArrivedAt, requests[1].ArrivedAt), TimeSpan.FromMilliseconds(950), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task RouteRetry_AWaitLongerThanTheBackoffCap_IsWaitedInFull()
    {
        // 40 s is more than the exponential backoff's 30 s cap, within the route's 60 s timeout: the provider gets its 40 s.
        var time = new WatchedTimeProvider();
        var wire = WireFormat.OpenAI;
        await using var server = await WireServer.StartAsync((r, context, ct) =>
            r.Index == 0 ? wire.ErrorAsync(context, 429, "rate_limit_error", "slow down", retryAfter: "40") : wire.ReplyAsync(r, context, ct));
        using var runtime = Runtime(o =>
        {
            o.TimeProvider = time;
            o.Providers.Add(wire.Descriptor("only", server.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["only"], Retry: 1, Timeout: TimeSpan.FromSeconds(60)));
        });
        var events = new ConcurrentQueue<AtlasEvent>();

        var call = runtime.InvokeAgentAsync(WireFaultTests.Agent("smart"), TestSupport.Args(), runtime.CreateStepContext("ask", events.Enqueue), CancellationToken.None);
        await TestSupport.WaitUntil(() => events.OfType<RetryScheduled>().Any());
        Assert.Equal(TimeSpan.FromSeconds(40), Assert.Single(events.OfType<RetryScheduled>()).Delay);

        // The event comes just before the wait starts; the first attempt's timers are gone by then, so the one armed
        // timer is the wait's, and the 40 s count from now.
        await TestSupport.WaitUntil(() => time.Armed == 1);
        time.Advance(TimeSpan.FromSeconds(39));
        await Task.Delay(100);
        Assert.Single(server.Requests);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("Hello from the wire", (await call.WaitAsync(TimeSpan.FromSeconds(10)))!.GetValue<string>());
        Assert.Equal(2, server.Requests.Count);
    }

    private static AtlasRuntime Runtime(Action<AtlasRuntimeOptions> configure) =>
        TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            configure(o);
        });
}
