using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests;

internal static class TestSupport
{
    public static AtlasRuntime Runtime(Action<AtlasRuntimeOptions>? configure = null)
    {
        var options = new AtlasRuntimeOptions { GetEnvironmentVariable = _ => null }.UseEveryPackage();
        options.Providers.Add(new ProviderDescriptor("offline", ProviderKind.Mock));
        configure?.Invoke(options);
        return new AtlasRuntime(options);
    }

    /// <summary>Every provider kind's client and the MCP client, as generated AddAtlas() registers what a project declares.</summary>
    public static AtlasRuntimeOptions UseEveryPackage(this AtlasRuntimeOptions options) =>
        options.UseOpenAI().UseAnthropic().UseOllama().UseMcp();

    /// <summary>A template from text with <c>{{path}}</c> tags (no loops), for tests.</summary>
    public static PromptTemplate Template(string text)
    {
        var segments = new List<TemplateSegment>();
        var rest = text;
        while (rest.IndexOf("{{", StringComparison.Ordinal) is var open and >= 0)
        {
            var close = rest.IndexOf("}}", open, StringComparison.Ordinal);
            if (open > 0)
            {
                segments.Add(new TextSegment(rest[..open]));
            }

            segments.Add(new PathSegment(rest[(open + 2)..close].Trim().Split('.')));
            rest = rest[(close + 2)..];
        }

        if (rest.Length > 0)
        {
            segments.Add(new TextSegment(rest));
        }

        return new PromptTemplate(segments);
    }

    public static Dictionary<string, JsonNode?> Args(params (string Name, JsonNode? Value)[] arguments) =>
        arguments.ToDictionary(a => a.Name, a => a.Value, StringComparer.Ordinal);

    public const string TriageSchema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "properties": {
            "category": { "$ref": "#/$defs/Category" },
            "urgency": { "type": "integer", "minimum": 1, "maximum": 5 },
            "summary": { "type": "string" },
            "tags": { "type": "array", "items": { "type": "string" } },
            "owner": { "type": ["string", "null"] },
            "score": { "type": "number" },
            "escalate": { "type": "boolean" },
            "contact": {
              "type": "object",
              "properties": { "email": { "type": "string", "format": "email" }, "name": { "type": "string", "maxLength": 12 } },
              "required": ["email", "name"],
              "additionalProperties": false
            }
          },
          "required": ["category", "urgency", "summary", "tags", "owner", "score", "escalate", "contact"],
          "additionalProperties": false,
          "$defs": { "Category": { "type": "string", "enum": ["billing", "bug", "account", "other"] } }
        }
        """;

    public static async Task WaitUntil(Func<bool> condition, int timeoutMs = 5000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException("The condition did not become true in time.");
            }

            await Task.Delay(5);
        }
    }

    public static async Task<List<AtlasEvent>> Collect<TState>(AtlasRuntime runtime, WorkflowGraph<TState> graph, TState state)
        where TState : class
    {
        var events = new List<AtlasEvent>();
        await foreach (var e in runtime.RunStreamingAsync(graph, state, CancellationToken.None))
        {
            events.Add(e);
        }

        return events;
    }
}

/// <summary>A chat client that answers from a script of replies (or throws), recording what it was sent.</summary>
internal sealed class ScriptedChatClient : IChatClient
{
    private readonly Func<int, IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, Task<string>> _reply;
    private int _calls;
    private int _active;
    private int _maxActive;

    public ScriptedChatClient(Func<int, IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, Task<string>> reply) => _reply = reply;

    public ScriptedChatClient(params string[] replies)
        : this((n, _, _, _) => Task.FromResult(replies[Math.Min(n, replies.Length - 1)]))
    {
    }

    public int Calls => Volatile.Read(ref _calls);

    public int MaxActive => Volatile.Read(ref _maxActive);

    public ConcurrentQueue<IReadOnlyList<ChatMessage>> Received { get; } = new();

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var text = await Next(messages, options, cancellationToken);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 50 } };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var text = await Next(messages, options, cancellationToken);
        foreach (var part in MockChatClient.Tokens(text))
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, part);
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 100, OutputTokenCount = 50 })]);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private async Task<string> Next(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var list = messages.ToList();
        Received.Enqueue(list);
        var n = Interlocked.Increment(ref _calls) - 1;
        var active = Interlocked.Increment(ref _active);
        int seen;
        while ((seen = Volatile.Read(ref _maxActive)) < active && Interlocked.CompareExchange(ref _maxActive, active, seen) != seen)
        {
        }

        try
        {
            return await _reply(n, list, options, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }
}
