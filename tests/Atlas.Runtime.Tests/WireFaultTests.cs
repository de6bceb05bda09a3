using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime.Tests;

/// <summary>
/// The real client libraries (OpenAI via M.E.AI, the Anthropic SDK, OllamaSharp) against loopback
/// servers speaking each wire format, through faults: each ends in a retry, a clear error naming
/// the provider, or a fallback to the next provider — never a hang.
/// </summary>
public class WireFaultTests
{
    private const string Key = "sk-wire-test-0123456789";

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task Wire_NormalReply_StreamsTokensAsEvents_AndCountsUsage(WireFormat wire)
    {
        await using var server = await WireServer.StartAsync((r, context, ct) => wire.ReplyAsync(r, context, ct));
        using var runtime = Runtime(wire, server, retry: 0);
        var events = new ConcurrentQueue<AtlasEvent>();
        var step = runtime.CreateStepContext("ask", events.Enqueue);

        var result = await runtime.InvokeAgentAsync(Agent("wire"), TestSupport.Args(), step, CancellationToken.None);

        Assert.Equal("Hello from the wire", result!.GetValue<string>());
        Assert.Equal(WireFormat.Tokens, events.OfType<TokenEmitted>().Select(t => t.Text));
        Assert.Equal(wire.ExpectedUsage, step.Usage);
        var request = Assert.Single(server.Requests);
        Assert.StartsWith(wire.ChatPath, request.Path, StringComparison.Ordinal);
        Assert.True(Key == wire.SentKey(request), request.Headers);
        Assert.Contains("\"stream\":true", request.Body.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task Wire_NobodyObserving_AsksForOneWholeReply_AndCountsUsage(WireFormat wire)
    {
        await using var server = await WireServer.StartAsync((r, context, ct) => wire.ReplyAsync(r, context, ct));
        using var runtime = Runtime(wire, server, retry: 0);
        var step = runtime.CreateStepContext("ask");

        var result = await runtime.InvokeAgentAsync(Agent("wire"), TestSupport.Args(), step, CancellationToken.None);

        Assert.Equal("Hello from the wire", result!.GetValue<string>());
        Assert.Equal(wire.ExpectedUsage, step.Usage);
        Assert.False(wire.WantsStream(Assert.Single(server.Requests).Body.Replace(" ", string.Empty, StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task Wire_500_IsRetried_ThenSucceeds(WireFormat wire)
    {
        await using var server = await WireServer.StartAsync((r, context, ct) =>
            r.Index == 0 ? wire.ErrorAsync(context, 500, "api_error", "the model crashed") : wire.ReplyAsync(r, context, ct));
        using var runtime = Runtime(wire, server, retry: 1);
        var events = new ConcurrentQueue<AtlasEvent>();

        var result = await runtime.InvokeAgentAsync(Agent("route"), TestSupport.Args(), runtime.CreateStepContext("ask", events.Enqueue), CancellationToken.None);

        Assert.Equal("Hello from the wire", result!.GetValue<string>());
        var retry = Assert.Single(events.OfType<RetryScheduled>());
        Assert.Equal($"{wire.Kind} provider 'wire' answered HTTP 500 (Internal Server Error): the model crashed", retry.Reason);
        Assert.Equal(2, server.Requests.Count);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task Wire_500_EveryTime_FailsWithClearError_AfterTheRetries(WireFormat wire)
    {
        await using var server = await WireServer.StartAsync((_, context, _) => wire.ErrorAsync(context, 500, "api_error", "the model crashed"));
        using var runtime = Runtime(wire, server, retry: 1);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(Agent("route"), TestSupport.Args(), null, CancellationToken.None));

        Assert.Equal($"No provider of route 'route' could answer: wire: {wire.Kind} provider 'wire' answered HTTP 500 (Internal Server Error): the model crashed.", error.Message);
        Assert.Equal(500, Assert.IsType<ProviderException>(error.InnerException).StatusCode);
        Assert.Equal(2, server.Requests.Count);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task Wire_429_WithRetryAfter_WaitsThatLong_AndSaysSo(WireFormat wire)
    {
        await using var server = await WireServer.StartAsync((r, context, ct) =>
            r.Index == 0 ? wire.ErrorAsync(context, 429, "rate_limit_error", "slow down", retryAfter: "1") : wire.ReplyAsync(r, context, ct));
        using var runtime = Runtime(wire, server, retry: 2);
        var events = new ConcurrentQueue<AtlasEvent>();

        var result = await runtime.InvokeAgentAsync(Agent("route"), TestSupport.Args(), runtime.CreateStepContext("ask", events.Enqueue), CancellationToken.None);

        Assert.Equal("Hello from the wire", result!.GetValue<string>());
        var retry = Assert.Single(events.OfType<RetryScheduled>());
        Assert.Equal(TimeSpan.FromSeconds(1), retry.Delay);
        Assert.Equal($"{wire.Kind} provider 'wire' is rate limited: slow down (retry after 1s)", retry.Reason);
        var requests = server.Requests.ToArray();
        var waited = Stopwatch.GetElapsedTime(requests[0].ArrivedAt, requests[1].ArrivedAt);
        Assert.InRange(waited, TimeSpan.FromMilliseconds(950), TimeSpan.FromSeconds(5));
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task Wire_StreamCutMidway_IsRetried_ThenSucceeds(WireFormat wire)
    {
        await using var server = await WireServer.StartAsync(async (r, context, ct) =>
        {
            if (r.Index > 0)
            {
                await wire.ReplyAsync(r, context, ct);
                return;
            }

            await wire.BeginAsync(context);
            foreach (var frame in wire.Frames().Take(3))
            {
                await WireFormat.WriteFrameAsync(context, frame, ct);
            }

            context.Abort();
        });
        using var runtime = Runtime(wire, server, retry: 1);
        var events = new ConcurrentQueue<AtlasEvent>();

        var result = await runtime.InvokeAgentAsync(Agent("route"), TestSupport.Args(), runtime.CreateStepContext("ask", events.Enqueue), CancellationToken.None);

        Assert.Equal("Hello from the wire", result!.GetValue<string>());
        var retry = Assert.Single(events.OfType<RetryScheduled>());
        Assert.StartsWith($"{wire.Kind} provider 'wire' ", retry.Reason, StringComparison.Ordinal);
        Assert.True(retry.Reason.Contains("connection failed", StringComparison.Ordinal) || retry.Reason.Contains("ended the stream", StringComparison.Ordinal), retry.Reason);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task Wire_StreamEndingWithoutItsLastFrames_IsAnError_NotATruncatedReply(WireFormat wire)
    {
        await using var server = await WireServer.StartAsync(async (_, context, ct) =>
        {
            await wire.BeginAsync(context);
            foreach (var frame in wire.Frames().Take(3))
            {
                await WireFormat.WriteFrameAsync(context, frame, ct);
            }
        });
        using var runtime = Runtime(wire, server, retry: 0);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(Agent("wire"), TestSupport.Args(), runtime.CreateStepContext("ask", _ => { }), CancellationToken.None));

        Assert.Contains($"{wire.Kind} provider 'wire' ended the stream before the reply was complete", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task Wire_MalformedChunk_FailsWithErrorNamingTheProvider(WireFormat wire)
    {
        await using var server = await WireServer.StartAsync(async (_, context, ct) =>
        {
            await wire.BeginAsync(context);
            await WireFormat.WriteFrameAsync(context, wire.Frames()[0], ct);
            await WireFormat.WriteFrameAsync(context, wire.MalformedFrame(), ct);
            foreach (var frame in wire.Frames().Skip(1))
            {
                await WireFormat.WriteFrameAsync(context, frame, ct);
            }
        });
        using var runtime = Runtime(wire, server, retry: 0);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(Agent("wire"), TestSupport.Args(), runtime.CreateStepContext("ask", _ => { }), CancellationToken.None));

        Assert.StartsWith($"No provider of provider 'wire' could answer: wire: {wire.Kind} provider 'wire' sent a malformed reply: ", error.Message, StringComparison.Ordinal);
        Assert.Equal("wire", Assert.IsType<ProviderException>(error.InnerException).Provider);
    }

    [Theory]
    [MemberData(nameof(HangCases))]
    public async Task Wire_HangPastTheTimeout_FallsBackToTheNextProvider_WithinTheBound(WireFormat wire, bool afterFirstFrame, bool streamed)
    {
        await using var server = await WireServer.StartAsync(async (_, context, ct) =>
        {
            if (afterFirstFrame)
            {
                await wire.BeginAsync(context);
                await WireFormat.WriteFrameAsync(context, wire.Frames()[0], ct);
            }

            await Task.Delay(Timeout.Infinite, ct);
        });
        using var runtime = Runtime(wire, server, retry: 0, timeout: TimeSpan.FromMilliseconds(300), fallback: true);
        var events = new ConcurrentQueue<AtlasEvent>();
        var clock = Stopwatch.StartNew();

        // Observed, the call streams; unobserved, it asks for one whole reply, which stops after its first bytes here.
        var step = runtime.CreateStepContext("ask", streamed ? events.Enqueue : null);
        var result = await runtime.InvokeAgentAsync(Agent("route"), TestSupport.Args(), step, CancellationToken.None);

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        if (!streamed)
        {
            Assert.Contains("a mock reply", result!.GetValue<string>(), StringComparison.Ordinal);
            return;
        }

        Assert.Contains("a mock reply", result!.GetValue<string>(), StringComparison.Ordinal);
        var selected = events.OfType<ProviderSelected>().ToArray();
        Assert.Equal(["wire", "offline"], selected.Select(s => s.Provider));
        Assert.Equal("fallback after wire failed: timed out after 300ms", selected[1].Reason);
    }

    public static TheoryData<WireFormat, bool, bool> HangCases()
    {
        var data = new TheoryData<WireFormat, bool, bool>();
        foreach (var wire in new[] { WireFormat.OpenAI, WireFormat.Anthropic, WireFormat.Ollama })
        {
            data.Add(wire, false, true);
            data.Add(wire, true, true);
            data.Add(wire, true, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task Wire_ServerErrorMidStream_FallsBack_WithTheReasonInProviderSelected(WireFormat wire)
    {
        await using var server = await WireServer.StartAsync((_, context, _) => wire.ErrorAsync(context, 503, "overloaded_error", "overloaded"));
        using var runtime = Runtime(wire, server, retry: 0, fallback: true);
        var events = new ConcurrentQueue<AtlasEvent>();

        await runtime.InvokeAgentAsync(Agent("route"), TestSupport.Args(), runtime.CreateStepContext("ask", events.Enqueue), CancellationToken.None);

        var selected = events.OfType<ProviderSelected>().ToArray();
        Assert.Equal(["wire", "offline"], selected.Select(s => s.Provider));
        Assert.Equal($"fallback after wire failed: {wire.Kind} provider 'wire' answered HTTP 503 (Service Unavailable): overloaded", selected[1].Reason);
    }

    internal static AtlasRuntime Runtime(WireFormat wire, WireServer server, int retry, TimeSpan? timeout = null, bool fallback = false, string key = Key) =>
        TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? key : null;
            o.Providers.Add(wire.Descriptor("wire", server.BaseUrl));
            o.Routes.Add(new RouteDescriptor("route", RouteStrategy.Fallback, fallback ? ["wire", "offline"] : ["wire"], Retry: retry, Timeout: timeout ?? TimeSpan.FromSeconds(20)));
        });

    internal static AgentDescriptor Agent(string model) =>
        new("helper", [], "string", null, model, TestSupport.Template("hello"));
}
