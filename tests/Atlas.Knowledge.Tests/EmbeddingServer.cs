using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace Atlas.Knowledge.Tests;

/// <summary>
/// An HTTP server on 127.0.0.1 (a free port) speaking OpenAI's <c>POST /v1/embeddings</c> and Ollama's
/// <c>POST /api/embed</c>, with deterministic vectors: a bag of words hashed (FNV-1a) into
/// <see cref="Dimensions"/> buckets, so texts sharing words are close. A batch holding any input that
/// <see cref="FailWhen"/> accepts gets a 500.
/// </summary>
/// <remarks>
/// <see cref="HttpListener"/> rather than Kestrel: the CLI tests link this file, and an ASP.NET Core framework
/// reference there would keep the packages the <c>atlas</c> process needs out of their output folder.
/// </remarks>
public sealed class EmbeddingServer : IAsyncDisposable
{
    public const int Dimensions = 64;

    private readonly HttpListener _listener;
    private readonly Task _loop;

    private EmbeddingServer(HttpListener listener, string baseUrl)
    {
        _listener = listener;
        BaseUrl = baseUrl;
        _loop = Task.Run(ServeAsync);
    }

    public string BaseUrl { get; }

    /// <summary>Each request: its path, its Authorization header and how many inputs it held.</summary>
    public ConcurrentQueue<(string Path, string? Authorization, int Inputs)> Requests { get; } = new();

    /// <summary>Inputs the server answers with a 500 (a provider failing on some request).</summary>
    public Func<string, bool> FailWhen { get; set; } = _ => false;

    public static Task<EmbeddingServer> StartAsync()
    {
        // A free port: the OS picks one for a moment, then the listener takes it.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var baseUrl = $"http://127.0.0.1:{port}";
        var listener = new HttpListener();
        listener.Prefixes.Add(baseUrl + "/");
        listener.Start();
        return Task.FromResult(new EmbeddingServer(listener, baseUrl));
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

    /// <summary>The vector for <paramref name="text"/>: word counts hashed into buckets, plus a small constant so none is all zeros.</summary>
    public static float[] Embed(string text)
    {
        var vector = new float[Dimensions];
        var words = text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        foreach (var raw in words)
        {
            var word = new string(raw.Where(char.IsLetterOrDigit).ToArray());
            if (word.Length == 0)
            {
                continue;
            }

            var hash = 2166136261u;
            foreach (var c in word)
            {
                hash = (hash ^ c) * 16777619u;
            }

            vector[hash % Dimensions] += 1;
        }

        vector[0] += 0.01f;
        return vector;
    }

    private async Task RespondAsync(HttpListenerContext context)
    {
        using var response = context.Response;
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = JsonNode.Parse(await reader.ReadToEndAsync())!;
        var inputs = body["input"] is JsonArray array ? array.Select(i => i!.GetValue<string>()).ToList() : [body["input"]!.GetValue<string>()];
        var path = context.Request.Url!.AbsolutePath;
        Requests.Enqueue((path, context.Request.Headers["Authorization"], inputs.Count));
        if (inputs.Any(FailWhen))
        {
            await WriteAsync(response, 500, """{"error":{"message":"the embedding model crashed","type":"server_error"}}""");
            return;
        }

        JsonObject reply;
        if (path == "/v1/embeddings")
        {
            // The OpenAI SDK asks for base64 (little-endian float32) unless told otherwise.
            var base64 = body["encoding_format"]?.GetValue<string>() == "base64";
            var data = new JsonArray();
            for (var i = 0; i < inputs.Count; i++)
            {
                var vector = Embed(inputs[i]);
                JsonNode embedding = base64 ? Convert.ToBase64String(MemoryMarshal.AsBytes(vector.AsSpan())) : new JsonArray(vector.Select(v => (JsonNode)v).ToArray());
                data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
            }

            reply = new JsonObject
            {
                ["object"] = "list",
                ["data"] = data,
                ["model"] = body["model"]?.GetValue<string>(),
                ["usage"] = new JsonObject { ["prompt_tokens"] = inputs.Count, ["total_tokens"] = inputs.Count },
            };
        }
        else if (path == "/api/embed")
        {
            reply = new JsonObject
            {
                ["model"] = body["model"]?.GetValue<string>(),
                ["embeddings"] = new JsonArray(inputs.Select(i => (JsonNode)new JsonArray(Embed(i).Select(v => (JsonNode)v).ToArray())).ToArray()),
                ["prompt_eval_count"] = inputs.Count,
            };
        }
        else
        {
            await WriteAsync(response, 404, "{}");
            return;
        }

        await WriteAsync(response, 200, reply.ToJsonString());
    }

    private static async Task WriteAsync(HttpListenerResponse response, int status, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        response.StatusCode = status;
        // HttpListener on Linux may drop a kept-alive connection just as the client reuses it ("response ended
        // prematurely"), most often after a 500: that failed a document the test expects to be embedded.
        response.KeepAlive = false;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
