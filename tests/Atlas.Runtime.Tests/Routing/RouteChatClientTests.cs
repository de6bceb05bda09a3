using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime.Tests.ChatClients;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests.Routing;

/// <summary>The model router and its routes, on their own: which provider a request goes to, and why.</summary>
public class RouteChatClientTests
{
    [Fact]
    public void ModelRouter_ARouteNamedLikeAProviderOrAnotherRoute_IsRefused_AnUnknownModelIsAnError()
    {
        using var providers = Providers(out _);
        var resilience = new ResilienceRunner(TimeProvider.System);

        var clash = Assert.Throws<ArgumentException>(() => new ModelRouter(providers, [new RouteDescriptor("a", RouteStrategy.Fallback, ["b"])], resilience, new SecretRedactor(), TimeProvider.System));
        Assert.StartsWith("Route 'a' has the name of another provider or route.", clash.Message, StringComparison.Ordinal);

        var router = new ModelRouter(providers, [], resilience, new SecretRedactor(), TimeProvider.System);
        Assert.Equal("'smart' is neither a provider nor a route.", Assert.Throws<InvalidOperationException>(() => router.Client("smart")).Message);
    }

    [Fact]
    public async Task Route_Fallback_SkipsWhatItCannotUse_SayingWhy_AndFallsBackOnAnError()
    {
        using var providers = Providers(out var clients, failing: "a");
        var route = Route(providers, new RouteDescriptor("smart", RouteStrategy.Fallback, ["ghost", "off", "a", "plain", "b"], Require: ["tools"]));

        var (reply, selected) = await Ask(route);

        Assert.Equal("b says hi", reply);
        Assert.Equal(
            [
                ("a", "first available; skipped ghost: no such provider, off: OFF_KEY is not set, plain: does not support tools"),
                ("b", "fallback after a failed: a is down"),
            ],
            selected);
        Assert.Equal((1, 1), (clients["a"].Calls, clients["b"].Calls));
    }

    [Fact]
    public async Task Route_RoundRobin_StartsEachRequestAtTheNextProvider()
    {
        using var providers = Providers(out _);
        var route = Route(providers, new RouteDescriptor("spread", RouteStrategy.RoundRobin, ["a", "b"]));

        var replies = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            replies.Add((await Ask(route)).Reply);
        }

        Assert.Equal(["a says hi", "b says hi", "a says hi"], replies);
    }

    [Fact]
    public async Task Route_Cheapest_RanksByWhatThisRequestWouldCost_AProviderWithoutACostLast()
    {
        using var providers = Providers(out _);
        var route = Route(providers, new RouteDescriptor("cheap", RouteStrategy.Cheapest, ["plain", "a", "b"]));

        var (reply, selected) = await Ask(route, prompt: new string('x', 4000), maxOutputTokens: 10);

        // a: 1000 in at $1 + 10 out at $100 = $0.002; b: 1000 in at $3 + 10 out at $1 = $0.00301; plain declares no cost.
        Assert.Equal("a says hi", reply);
        Assert.Equal("cheapest (about 0.002 USD for ~1000 tokens in, 10 out)", selected.Single().Reason);
    }

    [Fact]
    public async Task Route_Fastest_TriesAnUntriedProviderFirst_ThenTheFastest()
    {
        using var providers = Providers(out _);
        providers.Get("a").RecordLatency(TimeSpan.FromMilliseconds(300), succeeded: true);
        var route = Route(providers, new RouteDescriptor("quick", RouteStrategy.Fastest, ["a", "b"]));

        var first = await Ask(route);
        Assert.Equal(("b", "fastest (not tried yet)"), first.Selected.Single());

        providers.Get("b").RecordLatency(TimeSpan.FromMilliseconds(900), succeeded: true);
        providers.Get("b").RecordLatency(TimeSpan.FromMilliseconds(900), succeeded: true);
        var second = await Ask(route);
        Assert.Equal("a", second.Selected.Single().Provider);
    }

    [Fact]
    public async Task Route_NoProviderLeft_FailsNamingEachProvidersError()
    {
        using var providers = Providers(out _, failing: "a");
        var route = Route(providers, new RouteDescriptor("smart", RouteStrategy.Fallback, ["off", "a"]));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Ask(route));

        Assert.Equal("No provider of route 'smart' could answer: off: OFF_KEY is not set; a: a is down.", error.Message);
    }

    [Fact]
    public async Task DirectProvider_IsARouteOfOne_TheAgentsModel()
    {
        using var providers = Providers(out _);
        var router = new ModelRouter(providers, [], new ResilienceRunner(TimeProvider.System), new SecretRedactor(), TimeProvider.System);

        var (reply, selected) = await Ask(router.Client("b"));

        Assert.Equal("b says hi", reply);
        Assert.Equal(("b", "the agent's model"), selected.Single());
    }

    /// <summary>
    /// Providers a, b (priced), plain (no cost, chat only), off (its key unset); each answering "name says hi", or failing
    /// when named in <paramref name="failing"/>.
    /// </summary>
    private static ProviderRegistry Providers(out Dictionary<string, StubChatClient> clients, string? failing = null)
    {
        var options = new AtlasRuntimeOptions { GetEnvironmentVariable = _ => null }.UseEveryPackage();
        options.Providers.Add(new ProviderDescriptor("a", ProviderKind.Custom, InputCostPerMillion: 1, OutputCostPerMillion: 100));
        options.Providers.Add(new ProviderDescriptor("b", ProviderKind.Custom, InputCostPerMillion: 3, OutputCostPerMillion: 1));
        options.Providers.Add(new ProviderDescriptor("plain", ProviderKind.Custom, Capabilities: ["chat"]));
        options.Providers.Add(new ProviderDescriptor("off", ProviderKind.OpenAI, "gpt-4o-mini", ApiKeyVariable: "OFF_KEY"));
        clients = new Dictionary<string, StubChatClient>(StringComparer.Ordinal);
        foreach (var name in new[] { "a", "b", "plain" })
        {
            var said = name;
            clients[name] = said == failing
                ? new StubChatClient((_, _) => Task.FromException<ChatResponse>(new ProviderException(said, $"{said} is down", statusCode: 400)))
                : new StubChatClient($"{said} says hi");
            options.ChatClients[name] = clients[name];
        }

        return new ProviderRegistry(options, new SecretRedactor(), TimeProvider.System);
    }

    private static IChatClient Route(ProviderRegistry providers, RouteDescriptor route) =>
        new ModelRouter(providers, [route], new ResilienceRunner(TimeProvider.System), new SecretRedactor(), TimeProvider.System).Client(route.Name);

    private static async Task<(string Reply, (string Provider, string Reason)[] Selected)> Ask(IChatClient route, string prompt = "hi", int? maxOutputTokens = null)
    {
        using var runtime = TestSupport.Runtime();
        var events = new ConcurrentQueue<AtlasEvent>();
        var step = runtime.CreateStepContext("ask", events.Enqueue);
        var options = ModelCallContext.Attach(new ChatOptions { MaxOutputTokens = maxOutputTokens }, new ModelCallContext(step, null, null, null));
        var response = await route.GetResponseAsync([new ChatMessage(ChatRole.User, prompt)], options, CancellationToken.None);
        return (response.Text, events.OfType<ProviderSelected>().Select(e => (e.Provider, e.Reason)).ToArray());
    }
}
