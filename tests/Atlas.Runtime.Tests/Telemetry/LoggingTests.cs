using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace Atlas.Runtime.Tests;

/// <summary>The runtime's logs through the host's logger factory: structured, at their levels, never the content or a key.</summary>
public class LoggingTests
{
    private sealed record Entry(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Values);

    private sealed class CapturingLoggerFactory : ILoggerFactory, ILoggerProvider
    {
        public List<Entry> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerFactory factory, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = (state as IEnumerable<KeyValuePair<string, object?>>)?.ToDictionary(p => p.Key, p => p.Value) ?? [];
                lock (factory.Entries) factory.Entries.Add(new Entry(category, logLevel, formatter(state, exception), values));
            }
        }
    }

    private sealed class Holder
    {
        public JsonNode? Result { get; set; }
    }

    [Fact]
    public async Task Run_WithTheHostsLoggerFactory_LogsProviderChoiceAtInformation_EachRequestAtDebug_FailuresAtWarning()
    {
        const string Secret = "sk-atlas-LOGGING-SECRET-0a9b8c7d";
        var logs = new CapturingLoggerFactory();
        using var runtime = TestSupport.Runtime(o => o.LoggerFactory = logs);
        runtime.Secrets.Add(Secret);
        var agent = DelegationTests.Agent("support");
        var graph = new WorkflowGraphBuilder<Holder>("logged")
            .Step("ask", [], async (state, step, ct) => state.Result = await runtime.InvokeAgentAsync(agent, TestSupport.Args(("task", JsonValue.Create("refund " + Secret))), step, ct))
            .Step("boom", ["ask"], (_, _, _) => throw new InvalidOperationException("broken with " + Secret), new StepPolicy(Retry: 1))
            .Build(["boom"]);

        await Assert.ThrowsAsync<WorkflowFailedException>(() => runtime.RunAsync(graph, new Holder(), h => h.Result, CancellationToken.None));

        List<Entry> entries;
        lock (logs.Entries) entries = logs.Entries.ToList();
        var chosen = Assert.Single(entries, e => e.Message.Contains("provider offline chosen", StringComparison.Ordinal));
        Assert.Equal((LogLevel.Information, "ask", "offline"), (chosen.Level, chosen.Values["Step"], chosen.Values["Provider"]));
        var request = Assert.Single(entries, e => e.Level == LogLevel.Debug && e.Message.StartsWith("Model request to provider offline", StringComparison.Ordinal));
        Assert.True((long)request.Values["InputTokens"]! > 0 && (long)request.Values["OutputTokens"]! > 0);
        Assert.True(request.Values.ContainsKey("LatencyMs") && request.Values.ContainsKey("Model"));
        var retry = Assert.Single(entries, e => e.Message.Contains("retry 1", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, retry.Level);
        var failed = Assert.Single(entries, e => e.Level == LogLevel.Warning);
        Assert.Equal("boom", failed.Values["Step"]);
        Assert.Contains("broken with " + SecretRedactor.Mask, failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(entries, e => e.Message.Contains(Secret, StringComparison.Ordinal) || e.Message.Contains("refund", StringComparison.Ordinal));
    }
}
