using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Atlas.Runtime.Tests.ChatClients;

/// <summary>
/// A host's own middleware, added through <see cref="AtlasRuntimeOptions.ConfigureChatClient"/> and
/// <see cref="AtlasRuntimeOptions.ConfigureChatClients"/>: where it sits in a provider's pipeline, in which order, what
/// it sees (every request of a tool loop, every retry, normalised errors, never the runtime's own context), and who owns it.
/// </summary>
public class HostMiddlewareTests
{
    private const string Key = "sk-wire-test-0123456789";

    [Theory]
    [MemberData(nameof(WireFormat.AllStreamedAndNot), MemberType = typeof(WireFormat))]
    public async Task HostMiddleware_SeesEveryRequestOfAToolLoop_AndEveryRetry_OverEachWireFormat(WireFormat wire, bool streamed)
    {
        var failed = 0;
        await using var server = await WireServer.StartAsync((r, context, ct) =>
            wire.ToolExchangeIn(r.Body).Results.Count == 0
                ? wire.ToolCallAsync(r, context, "call_A17", "lookup_order", "{\"order_id\":\"A-17\"}", ct)
                : Interlocked.Increment(ref failed) == 1
                    ? wire.FailAsync(WireFault.ServerError, r, context, ct)
                    : wire.ReplyAsync(r, context, ct));
        var log = new ConcurrentQueue<string>();
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("wire", server.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["wire"], Retry: 1));
            o.Tools["lookup_order"] = AIFunctionFactory.Create((string order_id) => $"order {order_id} shipped", "lookup_order");
            o.ConfigureChatClient("wire", b => b.Use(inner => new RecordingChatClient(inner, "host", log)));
        });
        var events = new ConcurrentQueue<AtlasEvent>();

        await runtime.InvokeAgentAsync(ToolAgent("smart"), TestSupport.Args(("q", JsonValue.Create("A-17"))), runtime.CreateStepContext("ask", streamed ? events.Enqueue : null), CancellationToken.None);

        // Three requests reached the server, and the middleware saw each, one attempt at a time: the tool call, the
        // failed request (as the runtime's ProviderException), and its retry carrying the tool's result.
        Assert.Equal(3, server.Requests.Count);
        string[] expected = streamed
            ? ["host >> 0 results", "host << end", "host >> 1 results", "host ! ProviderException 500", "host >> 1 results", "host << end"]
            : ["host > 0 results", "host < tool call", "host > 1 results", "host ! ProviderException 500", "host > 1 results", "host < answer"];
        Assert.Equal(expected, log);
        Assert.Equal(streamed ? 1 : 0, events.OfType<RetryScheduled>().Count());
    }

    [Fact]
    public async Task HostMiddleware_FirstUseIsOutermost_EveryProviderConfigurationsInTheOrderTheyWereAdded()
    {
        var log = new ConcurrentQueue<string>();
        using var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["other"] = new StubChatClient();
            o.ConfigureChatClients(b => b.Use(inner => new RecordingChatClient(inner, "all", log)));
            o.ConfigureChatClient("offline", b => b
                .Use(inner => new RecordingChatClient(inner, "first", log))
                .Use(inner => new RecordingChatClient(inner, "second", log)));
        });

        await runtime.InvokeAgentAsync(TextAgent("offline"), TestSupport.Args(), null, CancellationToken.None);
        Assert.Equal(["all > 0 results", "first > 0 results", "second > 0 results", "second < answer", "first < answer", "all < answer"], log);

        log.Clear();
        await runtime.InvokeAgentAsync(TextAgent("other"), TestSupport.Args(), null, CancellationToken.None);
        Assert.Equal(["all > 0 results", "all < answer"], log);
    }

    [Fact]
    public async Task HostMiddleware_UnderTheRoute_SeesEachFallback_OnTheProviderItWasAddedTo()
    {
        var log = new ConcurrentQueue<string>();
        var down = new StubChatClient((_, _) => Task.FromException<ChatResponse>(new ProviderException("down", "down is down", statusCode: 503)));
        using var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["down"] = down;
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["down", "offline"], Retry: 2));
            o.ConfigureChatClient("down", b => b.Use(inner => new RecordingChatClient(inner, "down", log)));
            o.ConfigureChatClient("offline", b => b.Use(inner => new RecordingChatClient(inner, "offline", log)));
        });

        await runtime.InvokeAgentAsync(TextAgent("smart"), TestSupport.Args(), null, CancellationToken.None);

        // Each of the three attempts on the failing provider, then the fallback, each through its own provider's middleware.
        Assert.Equal(
            ["down > 0 results", "down ! ProviderException 503", "down > 0 results", "down ! ProviderException 503", "down > 0 results", "down ! ProviderException 503", "offline > 0 results", "offline < answer"],
            log);
        Assert.Equal(3, down.Calls);
    }

    [Fact]
    public void ConfigureChatClient_NamesNoProvider_TheRuntimeRefusesToStart()
    {
        var error = Assert.Throws<ArgumentException>(() => TestSupport.Runtime(o => o.ConfigureChatClient("opneai", b => b.Use(inner => inner))));

        Assert.StartsWith("ConfigureChatClient names provider 'opneai', which is neither declared nor a host's client. Known: offline.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostMiddleware_ResolvesItsServices_FromTheContainerGivenToUseServices()
    {
        var log = new ConcurrentQueue<string>();
        var services = new ServiceCollection();
        services.AddSingleton(new MiddlewareName("from the container"));
        services.AddAtlasRuntime(o =>
        {
            o.GetEnvironmentVariable = _ => null;
            o.Providers.Add(new ProviderDescriptor("offline", ProviderKind.Mock));
            o.ConfigureChatClients(b => b.Use((inner, provider) => new RecordingChatClient(inner, provider.GetRequiredService<MiddlewareName>().Name, log)));
        });
        await using var container = services.BuildServiceProvider();

        await container.GetRequiredService<AtlasRuntime>().InvokeAgentAsync(TextAgent("offline"), TestSupport.Args(), null, CancellationToken.None);

        Assert.Equal(["from the container > 0 results", "from the container < answer"], log);
    }

    [Fact]
    public void Dispose_DisposesTheHostsMiddleware_ButNotTheHostsClient()
    {
        var client = new StubChatClient();
        DisposeTracker? middleware = null;
        var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["mine"] = client;
            o.ConfigureChatClient("mine", b => b.Use(inner => middleware = new DisposeTracker(inner)));
        });

        runtime.Dispose();

        Assert.True(middleware!.Disposed);
        Assert.False(client.Disposed);
    }

    private static AgentDescriptor TextAgent(string model) => new("helper", [], "string", null, model, TestSupport.Template("hello"));

    private static AgentDescriptor ToolAgent(string model) =>
        new("support", [new ParameterDescriptor("q", "string")], "string", null, model, TestSupport.Template("Where is order {{q}}?"), Tools: ["lookup_order"]);

    private sealed record MiddlewareName(string Name);

    private sealed class DisposeTracker(IChatClient inner) : DelegatingChatClient(inner)
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
