using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using Atlas.Runtime.Tests.ChatClients;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests.Providers;

public class ProviderRegistryTests
{
    [Fact]
    public void ProviderRegistry_OneProviderPerName_AHostsClientReplacesItsDescriptor_OrIsACustomProviderOfItsOwn()
    {
        var options = Options();
        options.Providers.Add(new ProviderDescriptor("openai", ProviderKind.OpenAI, "gpt-4o-mini", ApiKeyVariable: "OPENAI_API_KEY"));
        options.Providers.Add(new ProviderDescriptor("claude", ProviderKind.Anthropic, "claude-haiku-4-5", ApiKeyVariable: "ANTHROPIC_API_KEY"));
        options.ChatClients["claude"] = new StubChatClient();
        options.ChatClients["mine"] = new StubChatClient();
        using var registry = new ProviderRegistry(options, new SecretRedactor(), TimeProvider.System);

        Assert.Equal(["claude", "mine", "offline", "openai"], registry.Names.Order(StringComparer.Ordinal));
        var openai = registry.Get("openai").Status;
        Assert.Equal((false, "OPENAI_API_KEY is not set"), (openai.Available, openai.Reason));
        Assert.Equal(["chat", "tools", "json", "embeddings", "streaming"], openai.Capabilities);
        Assert.True(registry.Get("claude").Available);
        Assert.Equal(ProviderKind.Anthropic, registry.Get("claude").Descriptor.Kind);
        Assert.Equal(ProviderKind.Custom, registry.Get("mine").Descriptor.Kind);
        Assert.StartsWith("Unknown provider 'nope'. Known: claude, mine, offline, openai.", Assert.Throws<ArgumentException>(() => registry.Get("nope")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProviderRegistry_TheSameNameTwice_IsRefused()
    {
        var options = Options();
        options.Providers.Add(new ProviderDescriptor("offline", ProviderKind.Mock));

        var error = Assert.Throws<ArgumentException>(() => new ProviderRegistry(options, new SecretRedactor(), TimeProvider.System));

        Assert.StartsWith("Provider 'offline' is declared twice.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProviderRegistry_EveryProviderButTheMock_HasACircuit_UnlessCircuitBreakingIsOff()
    {
        var options = Options();
        options.ChatClients["mine"] = new StubChatClient();
        using (var registry = new ProviderRegistry(options, new SecretRedactor(), TimeProvider.System))
        {
            Assert.Null(registry.Get("offline").Circuit);
            Assert.NotNull(registry.Get("mine").Circuit);
        }

        options.CircuitBreaker = null;
        using (var registry = new ProviderRegistry(options, new SecretRedactor(), TimeProvider.System))
        {
            Assert.Null(registry.Get("mine").Circuit);
        }
    }

    [Fact]
    public async Task ProviderRegistry_APipeline_RunsTheHostsMiddleware_OverTheClient_AndLimitsConcurrency()
    {
        var log = new ConcurrentQueue<string>();
        var active = 0;
        var most = 0;
        var client = new StubChatClient(async (_, ct) =>
        {
            var now = System.Threading.Interlocked.Increment(ref active);
            most = Math.Max(most, now);
            await Task.Delay(30, ct);
            System.Threading.Interlocked.Decrement(ref active);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"));
        });
        var options = Options();
        options.Providers.Add(new ProviderDescriptor("mine", ProviderKind.Custom, MaxConcurrency: 1));
        options.ChatClients["mine"] = client;
        options.ConfigureChatClient("mine", b => b.Use(inner => new RecordingChatClient(inner, "host", log)));
        using var registry = new ProviderRegistry(options, new SecretRedactor(), TimeProvider.System);

        var pipeline = registry.Get("mine").Pipeline!;
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => pipeline.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")])));

        Assert.Equal(3, client.Calls);
        Assert.Equal(1, most);
        Assert.Equal(6, log.Count);
        Assert.NotNull(pipeline.GetService<ConcurrencyLimitChatClient>());
        Assert.Same(client, pipeline.GetService<StubChatClient>());
    }

    private static AtlasRuntimeOptions Options()
    {
        var options = new AtlasRuntimeOptions { GetEnvironmentVariable = _ => null }.UseEveryPackage();
        options.Providers.Add(new ProviderDescriptor("offline", ProviderKind.Mock));
        return options;
    }
}
