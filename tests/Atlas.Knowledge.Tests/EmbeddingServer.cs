using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Atlas.Knowledge.Tests;

/// <summary>
/// A Kestrel server on 127.0.0.1 (a free port) speaking OpenAI's <c>POST /v1/embeddings</c> and Ollama's
/// <c>POST /api/embed</c>, with deterministic vectors: a bag of words hashed (FNV-1a) into
/// <see cref="Dimensions"/> buckets, so texts sharing words are close. A batch holding any input that
/// <see cref="FailWhen"/> accepts gets a 500.
/// </summary>
public sealed class EmbeddingServer : IAsyncDisposable
{
    public const int Dimensions = 64;

    private readonly WebApplication _app;

    private EmbeddingServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = string.Empty;

    /// <summary>Each request: its path, its Authorization header and how many inputs it held.</summary>
    public ConcurrentQueue<(string Path, string? Authorization, int Inputs)> Requests { get; } = new();

    /// <summary>Inputs the server answers with a 500 (a provider failing on some request).</summary>
    public Func<string, bool> FailWhen { get; set; } = _ => false;

    public static async Task<EmbeddingServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(1));
        var app = builder.Build();
        var server = new EmbeddingServer(app);
        app.Run(server.RespondAsync);
        await app.StartAsync();
        server.BaseUrl = app.Urls.Single().TrimEnd('/');
        return server;
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

    private async Task RespondAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = JsonNode.Parse(await reader.ReadToEndAsync())!;
        var inputs = body["input"] is JsonArray array ? array.Select(i => i!.GetValue<string>()).ToList() : [body["input"]!.GetValue<string>()];
        var path = context.Request.Path.Value ?? "";
        Requests.Enqueue((path, context.Request.Headers.Authorization.FirstOrDefault(), inputs.Count));
        if (inputs.Any(FailWhen))
        {
            context.Response.StatusCode = 500;
            await context.Response.WriteAsJsonAsync(new { error = new { message = "the embedding model crashed", type = "server_error" } });
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
            context.Response.StatusCode = 404;
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(reply.ToJsonString(), Encoding.UTF8);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
