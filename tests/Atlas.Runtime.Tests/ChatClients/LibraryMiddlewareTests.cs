using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atlas.Runtime.Tests.ChatClients;

/// <summary>
/// Microsoft.Extensions.AI's own middleware, added the way a host adds it (<c>AddAtlasRuntime(o =&gt;
/// o.ConfigureChatClient(..., b =&gt; b.UseLogging().UseDistributedCache()))</c>), with its services from the
/// application's container: it works on an Atlas provider's pipeline as on any IChatClient.
/// </summary>
public class LibraryMiddlewareTests
{
    [Fact]
    public async Task DistributedCacheAndLogging_FromTheApplicationsServices_WrapTheProvider()
    {
        var provider = new StubChatClient("a reply worth caching");
        var logged = new ConcurrentQueue<string>();
        await using var services = new ServiceCollection()
            .AddSingleton<IDistributedCache>(new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions())))
            .AddSingleton<ILoggerFactory>(LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new CollectingLoggerProvider(logged))))
            .AddAtlasRuntime(o =>
            {
                o.GetEnvironmentVariable = static _ => null;
                o.ChatClients["host"] = provider;
                o.ConfigureChatClient("host", b => b.UseLogging().UseDistributedCache());
            })
            .BuildServiceProvider();
        var runtime = services.GetRequiredService<AtlasRuntime>();
        var agent = new AgentDescriptor("helper", [], "string", null, "host", TestSupport.Template("hello"));

        var first = await runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None);
        var second = await runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None);

        // The second identical request is answered from the cache: the per-call context the runtime passes along is
        // not in the options the cache keys on (else every call would miss), and the provider is asked once.
        Assert.Equal("a reply worth caching", first!.GetValue<string>());
        Assert.Equal("a reply worth caching", second!.GetValue<string>());
        Assert.Equal(1, provider.Calls);
        Assert.True(logged.Count(l => l.Contains("GetResponseAsync invoked", StringComparison.Ordinal)) >= 2, string.Join("\n", logged));
    }

    private sealed class CollectingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}
