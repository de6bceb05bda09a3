using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests.ChatClients;

/// <summary>
/// A chat client for one middleware's tests: it answers with <c>reply</c> (streamed as its words), or runs
/// <c>respond</c>, and records the options and the method of every call.
/// </summary>
internal sealed class StubChatClient : IChatClient
{
    private readonly Func<int, CancellationToken, Task<ChatResponse>> _respond;
    private int _calls;

    public StubChatClient(string reply = "Hello from the stub", UsageDetails? usage = null)
        : this((_, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply)) { Usage = usage, FinishReason = ChatFinishReason.Stop }))
    {
    }

    public StubChatClient(Func<int, CancellationToken, Task<ChatResponse>> respond) => _respond = respond;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>"get" or "stream" per call, and the options each call got.</summary>
    public ConcurrentQueue<(string Method, ChatOptions? Options)> Received { get; } = new();

    public bool Disposed { get; private set; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Received.Enqueue(("get", options));
        return await _respond(Interlocked.Increment(ref _calls) - 1, cancellationToken);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Received.Enqueue(("stream", options));
        var response = await _respond(Interlocked.Increment(ref _calls) - 1, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            // Text in word-sized pieces, as a provider streams it.
            if (update.Contents is [TextContent text])
            {
                foreach (var piece in MockChatClient.Tokens(text.Text))
                {
                    yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { MessageId = update.MessageId };
                }

                continue;
            }

            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() => Disposed = true;
}

/// <summary>A host's own middleware: it records what passes through it, in order, into a shared log.</summary>
internal sealed class RecordingChatClient(IChatClient inner, string name, ConcurrentQueue<string> log) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        log.Enqueue($"{name} > {Describe(messages, options)}");
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken);
            log.Enqueue($"{name} < {(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Any() ? "tool call" : "answer")}");
            return response;
        }
        catch (Exception ex)
        {
            log.Enqueue($"{name} ! {ex.GetType().Name}{(ex is ProviderException { StatusCode: { } status } ? " " + status : "")}");
            throw;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        log.Enqueue($"{name} >> {Describe(messages, options)}");
        var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync())
                    {
                        break;
                    }
                }
                catch (Exception ex)
                {
                    log.Enqueue($"{name} ! {ex.GetType().Name}{(ex is ProviderException { StatusCode: { } status } ? " " + status : "")}");
                    throw;
                }

                yield return updates.Current;
            }
        }
        finally
        {
            await updates.DisposeAsync();
        }

        log.Enqueue($"{name} << end");
    }

    /// <summary>How many tool results the request carries, and whether the runtime's own context leaked into the options.</summary>
    private static string Describe(IEnumerable<ChatMessage> messages, ChatOptions? options) =>
        $"{messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Count()} results" +
        (options?.AdditionalProperties?.ContainsKey("atlas.model_call") == true ? " (context leaked)" : "");
}
