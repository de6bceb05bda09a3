using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Benchmarks;

/// <summary>
/// The work of one step, the same for every engine: render the step's prompt template, call the
/// mock chat client, parse the reply. Thread-safe.
/// </summary>
public sealed class PipelineWork
{
    /// <summary>The three steps' prompts, as the generated agents declare them.</summary>
    public static readonly (string Parameter, PromptTemplate Prompt)[] Steps =
    [
        ("text", new PromptTemplate([new TextSegment("Outline this: "), new PathSegment(["text"])])),
        ("outline", new PromptTemplate([new TextSegment("Draft a reply from: "), new PathSegment(["outline"])])),
        ("draft", new PromptTemplate([new TextSegment("Polish: "), new PathSegment(["draft"])])),
    ];

    private static readonly ChatOptions Options = new();
    private readonly IChatClient _client;
    private long _calls;
    private long _callTicks;

    public PipelineWork(IChatClient client) => _client = client;

    /// <summary>The mean time a chat call took: with a mock latency of 20 ms, what the timer really gave.</summary>
    public TimeSpan MeanCall => _calls == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)Interlocked.Read(ref _callTicks) / Stopwatch.Frequency / Interlocked.Read(ref _calls));

    public void ResetTiming()
    {
        Interlocked.Exchange(ref _calls, 0);
        Interlocked.Exchange(ref _callTicks, 0);
    }

    public async Task<string> RunStepAsync(int step, string input, CancellationToken cancellationToken)
    {
        var (parameter, prompt) = Steps[step];
        var arguments = new Dictionary<string, JsonNode?>(1, StringComparer.Ordinal) { [parameter] = JsonValue.Create(input) };
        var messages = new[] { new ChatMessage(ChatRole.User, prompt.Render(arguments)) };
        var started = Stopwatch.GetTimestamp();
        var response = await _client.GetResponseAsync(messages, Options, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _callTicks, Stopwatch.GetTimestamp() - started);
        Interlocked.Increment(ref _calls);
        return Parse(response.Text);
    }

    /// <summary>The reply's text, as a text agent's result (a JSON string value) read back.</summary>
    private static string Parse(string reply) => JsonValue.Create(reply.Trim()).GetValue<string>();
}
