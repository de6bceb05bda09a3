using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;

namespace Atlas.Runtime.Tests;

public class CircuitBreakerTests
{
    private static readonly CircuitBreakerSettings Settings = new(FailureRatio: 0.5, MinimumThroughput: 3, SamplingDuration: TimeSpan.FromSeconds(10), BreakDuration: TimeSpan.FromSeconds(5));

    [Fact]
    public async Task Circuit_RepeatedFailures_OpenIt_RoutesSkipIt_ThenHalfOpen_ThenClosed()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var failing = true;
        var flaky = new ScriptedChatClient((_, _, _, _) => Volatile.Read(ref failing) ? Task.FromException<string>(new HttpRequestException("connection refused")) : Task.FromResult("ok"));
        using var runtime = TestSupport.Runtime(o =>
        {
            o.TimeProvider = time;
            o.CircuitBreaker = Settings;
            o.ChatClients["flaky"] = flaky;
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["flaky", "offline"]));
        });

        // Closed: each failure falls back to the next provider; the third opens the circuit.
        for (var i = 0; i < 3; i++)
        {
            var selected = await Selections(runtime, "smart");
            Assert.Equal(["flaky", "offline"], selected.Select(s => s.Provider));
            Assert.Equal("fallback after flaky failed: connection refused", selected[1].Reason);
        }

        // Open: the route skips it without calling it, and says why.
        var skipped = Assert.Single(await Selections(runtime, "smart"));
        Assert.Equal("offline", skipped.Provider);
        Assert.Equal("first available; skipped flaky: circuit open for 5s more after repeated failures (last: connection refused)", skipped.Reason);
        Assert.Equal(3, flaky.Calls);
        var direct = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(Agent("flaky"), TestSupport.Args(), null, CancellationToken.None));
        Assert.Contains("flaky: circuit open for 5s more", direct.Message, StringComparison.Ordinal);
        Assert.Equal(3, flaky.Calls);

        // Half-open after the break: one trial call; it succeeds and closes the circuit.
        time.Advance(TimeSpan.FromSeconds(6));
        Volatile.Write(ref failing, false);
        var trial = Assert.Single(await Selections(runtime, "smart"));
        Assert.Equal(("flaky", "first available; circuit half-open: a trial call after repeated failures"), (trial.Provider, trial.Reason));

        var closed = Assert.Single(await Selections(runtime, "smart"));
        Assert.Equal(("flaky", "first available"), (closed.Provider, closed.Reason));
        Assert.Equal(5, flaky.Calls);
    }

    [Fact]
    public async Task Circuit_FailedTrial_OpensItAgain()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var flaky = new ScriptedChatClient((_, _, _, _) => Task.FromException<string>(new HttpRequestException("still down")));
        using var runtime = TestSupport.Runtime(o =>
        {
            o.TimeProvider = time;
            o.CircuitBreaker = Settings;
            o.ChatClients["flaky"] = flaky;
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["flaky", "offline"]));
        });
        for (var i = 0; i < 3; i++)
        {
            await Selections(runtime, "smart");
        }

        time.Advance(TimeSpan.FromSeconds(6));
        var trial = await Selections(runtime, "smart");
        Assert.Equal(["flaky", "offline"], trial.Select(s => s.Provider));

        var skipped = Assert.Single(await Selections(runtime, "smart"));
        Assert.StartsWith("first available; skipped flaky: circuit open for 5s more", skipped.Reason, StringComparison.Ordinal);
        Assert.Equal(4, flaky.Calls);
    }

    [Fact]
    public async Task Circuit_RequestFaultsAndCancellations_DoNotCount_AndNullSettingsTurnItOff()
    {
        var badRequest = new ScriptedChatClient((_, _, _, _) => Task.FromException<string>(new ProviderException("picky", "bad request", statusCode: 400)));
        using var runtime = TestSupport.Runtime(o =>
        {
            o.CircuitBreaker = Settings;
            o.ChatClients["picky"] = badRequest;
        });
        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(Agent("picky"), TestSupport.Args(), null, CancellationToken.None));
        }

        Assert.Equal(5, badRequest.Calls);

        var down = new ScriptedChatClient((_, _, _, _) => Task.FromException<string>(new HttpRequestException("down")));
        using var unguarded = TestSupport.Runtime(o =>
        {
            o.CircuitBreaker = null;
            o.ChatClients["down"] = down;
        });
        for (var i = 0; i < 8; i++)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => unguarded.InvokeAgentAsync(Agent("down"), TestSupport.Args(), null, CancellationToken.None));
        }

        Assert.Equal(8, down.Calls);
    }

    private static async Task<ProviderSelected[]> Selections(AtlasRuntime runtime, string model)
    {
        var events = new ConcurrentQueue<AtlasEvent>();
        await runtime.InvokeAgentAsync(Agent(model), TestSupport.Args(), runtime.CreateStepContext("ask", events.Enqueue), CancellationToken.None);
        return events.OfType<ProviderSelected>().ToArray();
    }

    private static AgentDescriptor Agent(string model) => new("helper", [], "string", null, model, TestSupport.Template("hello"));
}
