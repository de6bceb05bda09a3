using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Cli.Tests;

/// <summary>What <see cref="ChatServer"/> answers a request with: SSE frames when the request streams, else one JSON body.</summary>
public sealed record ChatReply(IReadOnlyList<string> Frames, string Whole)
{
    private const string Head = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"chat-model\",";
    private const string Usage = "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":4,\"total_tokens\":11}";

    /// <summary>A text reply streamed as <paramref name="tokens"/>, one content delta each.</summary>
    public static ChatReply Text(params string[] tokens)
    {
        var frames = new List<string> { Head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n" };
        frames.AddRange(tokens.Select(t => Head + $"\"choices\":[{{\"index\":0,\"delta\":{{\"content\":{Json(t)}}},\"finish_reason\":null}}]}}\n\n"));
        frames.Add(Head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        frames.Add(Head + "\"choices\":[]," + Usage + "}\n\n");
        frames.Add("data: [DONE]\n\n");
        var whole = $"{{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"chat-model\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assistant\",\"content\":{Json(string.Concat(tokens))}}},\"finish_reason\":\"stop\"}}],{Usage}}}";
        return new ChatReply(frames, whole);
    }

    /// <summary>A reply asking for one call of <paramref name="tool"/> with <paramref name="arguments"/> (any text: the model's, JSON or not).</summary>
    public static ChatReply ToolCall(string id, string tool, string arguments)
    {
        var half = arguments.Length / 2;
        var frames = new List<string>
        {
            Head + $"\"choices\":[{{\"index\":0,\"delta\":{{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{{\"index\":0,\"id\":{Json(id)},\"type\":\"function\",\"function\":{{\"name\":{Json(tool)},\"arguments\":\"\"}}}}]}},\"finish_reason\":null}}]}}\n\n",
            Head + $"\"choices\":[{{\"index\":0,\"delta\":{{\"tool_calls\":[{{\"index\":0,\"function\":{{\"arguments\":{Json(arguments[..half])}}}}}]}},\"finish_reason\":null}}]}}\n\n",
            Head + $"\"choices\":[{{\"index\":0,\"delta\":{{\"tool_calls\":[{{\"index\":0,\"function\":{{\"arguments\":{Json(arguments[half..])}}}}}]}},\"finish_reason\":null}}]}}\n\n",
            Head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n",
            Head + "\"choices\":[]," + Usage + "}\n\n",
            "data: [DONE]\n\n",
        };
        var whole = $"{{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"chat-model\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{{\"id\":{Json(id)},\"type\":\"function\",\"function\":{{\"name\":{Json(tool)},\"arguments\":{Json(arguments)}}}}}]}},\"finish_reason\":\"tool_calls\"}}],{Usage}}}";
        return new ChatReply(frames, whole);
    }

    private static string Json(string text) => JsonSerializer.Serialize(text);
}

/// <summary>
/// An HTTP server on 127.0.0.1 (a free port) speaking OpenAI's <c>POST /v1/chat/completions</c>, streamed or not as
/// the request asks, with the replies a test chooses per request.
/// </summary>
/// <remarks><see cref="HttpListener"/> rather than Kestrel, for the reason <c>EmbeddingServer</c> gives.</remarks>
public sealed class ChatServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<ChatServerRequest, ChatReply> _respond;
    private readonly Func<ChatServerRequest, TimeSpan>? _delay;
    private readonly Task _loop;
    private int _count;

    private ChatServer(HttpListener listener, string baseUrl, Func<ChatServerRequest, ChatReply> respond, Func<ChatServerRequest, TimeSpan>? delay)
    {
        _listener = listener;
        _respond = respond;
        _delay = delay;
        BaseUrl = baseUrl;
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The endpoint an openai_compatible provider names (with <c>/v1</c>).</summary>
    public string Endpoint => BaseUrl + "/v1";

    public string BaseUrl { get; }

    public ConcurrentQueue<ChatServerRequest> Requests { get; } = new();

    /// <summary>The <see cref="ChatServerRequest.Index"/> of each request whose reply was written whole (its client may still have gone before reading it).</summary>
    public ConcurrentDictionary<int, bool> Answered { get; } = new();

    /// <summary>A server answering each request with <paramref name="respond"/>, after <paramref name="delay"/> (a model's latency) when given.</summary>
    public static ChatServer Start(Func<ChatServerRequest, ChatReply> respond, Func<ChatServerRequest, TimeSpan>? delay = null)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var baseUrl = $"http://127.0.0.1:{port}";
        var listener = new HttpListener();
        listener.Prefixes.Add(baseUrl + "/");
        listener.Start();
        return new ChatServer(listener, baseUrl, respond, delay);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => RespondAsync(context));
        }
    }

    private async Task RespondAsync(HttpListenerContext context)
    {
        using var response = context.Response;
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var request = new ChatServerRequest(Interlocked.Increment(ref _count) - 1, body, context.Request.Headers["Authorization"]);
        Requests.Enqueue(request);
        var reply = _respond(request);
        if (_delay?.Invoke(request) is { } delay) await Task.Delay(delay);
        response.StatusCode = 200;

        // HttpListener on Linux may drop a kept-alive connection just as the client reuses it ("response ended prematurely").
        response.KeepAlive = false;
        try
        {
            if (request.Streams)
            {
                response.ContentType = "text/event-stream";
                response.SendChunked = true;
                foreach (var frame in reply.Frames)
                {
                    var bytes = Encoding.UTF8.GetBytes(frame);
                    await response.OutputStream.WriteAsync(bytes);
                    await response.OutputStream.FlushAsync();
                }
            }
            else
            {
                response.ContentType = "application/json";
                var bytes = Encoding.UTF8.GetBytes(reply.Whole);
                response.ContentLength64 = bytes.Length;
                await response.OutputStream.WriteAsync(bytes);
            }

            Answered[request.Index] = true;
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away (a cancelled run): nothing to answer.
        }
    }
}

/// <summary>One request the server got: its order, its body and its Authorization header.</summary>
public sealed record ChatServerRequest(int Index, string Body, string? Authorization)
{
    public bool Streams => Body.Replace(" ", string.Empty, StringComparison.Ordinal).Contains("\"stream\":true", StringComparison.Ordinal);

    /// <summary>Whether the request offers the model any tools.</summary>
    public bool OffersTools => JsonNode.Parse(Body)?["tools"] is JsonArray { Count: > 0 };
}
