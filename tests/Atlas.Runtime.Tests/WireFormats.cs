using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Atlas.Runtime.Tests;

/// <summary>
/// One provider's wire format, exactly as the real service streams it: the frames of a reply, a
/// malformed frame, an error body. The real client libraries parse what these write.
/// </summary>
public abstract class WireFormat
{
    public static readonly string[] Tokens = ["Hello", " from", " the", " wire"];

    public static WireFormat OpenAI { get; } = new OpenAIWire();

    public static WireFormat Anthropic { get; } = new AnthropicWire();

    public static WireFormat Ollama { get; } = new OllamaWire();

    public static TheoryData<WireFormat> All => new() { OpenAI, Anthropic, Ollama };

    /// <summary>The provider kind in an .atlas file.</summary>
    public abstract string Kind { get; }

    /// <summary>The usage the frames report: what the runtime must count.</summary>
    public abstract Usage ExpectedUsage { get; }

    /// <summary>The path the client library posts to.</summary>
    public abstract string ChatPath { get; }

    protected abstract string ContentType { get; }

    /// <summary>Only Anthropic and OpenAI need a key; any provider may have one.</summary>
    public ProviderDescriptor Descriptor(string name, string baseUrl, string? keyVariable = "WIRE_KEY") => Kind switch
    {
        "openai_compatible" => new ProviderDescriptor(name, Kind, "test-model", Endpoint: baseUrl + "/v1", ApiKeyVariable: keyVariable),
        _ => new ProviderDescriptor(name, Kind, "test-model", Endpoint: baseUrl, ApiKeyVariable: keyVariable),
    };

    /// <summary>The key as the client sent it (Authorization: Bearer, or Anthropic's x-api-key).</summary>
    public abstract string? SentKey(WireRequest request);

    /// <summary>The frames of a whole streamed reply, each written and flushed on its own.</summary>
    public abstract IReadOnlyList<string> Frames();

    /// <summary>The whole reply of a request that did not ask for a stream.</summary>
    public abstract string WholeReply();

    /// <summary>Whether the request body (without spaces) asks for a streamed reply.</summary>
    public virtual bool WantsStream(string body) => body.Contains("\"stream\":true", StringComparison.Ordinal);

    /// <summary>A frame whose JSON breaks off.</summary>
    public abstract string MalformedFrame();

    /// <summary>The provider's error body.</summary>
    public abstract string ErrorBody(string type, string message);

    public override string ToString() => Kind;

    /// <summary>Starts a streamed reply: status 200 and the content type; frames follow.</summary>
    public async Task BeginAsync(HttpContext context)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = ContentType;
        await context.Response.StartAsync();
    }

    public static async Task WriteFrameAsync(HttpContext context, string frame, CancellationToken cancellationToken)
    {
        await context.Response.WriteAsync(frame, cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>A streamed reply when the request asks for one, else the whole reply as one JSON body.</summary>
    public async Task ReplyAsync(WireRequest request, HttpContext context, CancellationToken cancellationToken)
    {
        if (!WantsStream(request.Body.Replace(" ", string.Empty, StringComparison.Ordinal)))
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(WholeReply(), cancellationToken);
            return;
        }

        await BeginAsync(context);
        foreach (var frame in Frames())
        {
            await WriteFrameAsync(context, frame, cancellationToken);
        }
    }

    public async Task ErrorAsync(HttpContext context, int status, string type, string message, string? retryAfter = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        await context.Response.WriteAsync(ErrorBody(type, message));
    }

    protected static string Json(string text) => JsonSerializer.Serialize(text);

    private sealed class OpenAIWire : WireFormat
    {
        public override string Kind => "openai_compatible";

        public override Usage ExpectedUsage => new(7, 4, 0);

        public override string ChatPath => "/v1/chat/completions";

        protected override string ContentType => "text/event-stream";

        public override string? SentKey(WireRequest request) => request.Authorization?.Replace("Bearer ", string.Empty, StringComparison.Ordinal);

        public override IReadOnlyList<string> Frames()
        {
            const string head = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"test-model\",";
            var frames = new List<string>
            {
                head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n",
            };
            foreach (var token in Tokens)
            {
                frames.Add(head + $"\"choices\":[{{\"index\":0,\"delta\":{{\"content\":{Json(token)}}},\"finish_reason\":null}}]}}\n\n");
            }

            frames.Add(head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
            frames.Add(head + "\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":4,\"total_tokens\":11}}\n\n");
            frames.Add("data: [DONE]\n\n");
            return frames;
        }

        public override string WholeReply() =>
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"test-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello from the wire\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":4,\"total_tokens\":11}}";

        public override string MalformedFrame() =>
            "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"oops\n\n";

        public override string ErrorBody(string type, string message) =>
            $"{{\"error\":{{\"message\":{Json(message)},\"type\":{Json(type)},\"param\":null,\"code\":null}}}}";
    }

    private sealed class AnthropicWire : WireFormat
    {
        public override string Kind => "anthropic";

        public override Usage ExpectedUsage => new(12, 4, 0);

        public override string ChatPath => "/v1/messages";

        protected override string ContentType => "text/event-stream";

        public override string? SentKey(WireRequest request) => request.ApiKey ?? request.Authorization?.Replace("Bearer ", string.Empty, StringComparison.Ordinal);

        public override IReadOnlyList<string> Frames()
        {
            var frames = new List<string>
            {
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"test-model\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n",
                "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
                "event: ping\ndata: {\"type\":\"ping\"}\n\n",
            };
            foreach (var token in Tokens)
            {
                frames.Add($"event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":{Json(token)}}}}}\n\n");
            }

            frames.Add("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
            frames.Add("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":4}}\n\n");
            frames.Add("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
            return frames;
        }

        public override string WholeReply() =>
            "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"test-model\",\"content\":[{\"type\":\"text\",\"text\":\"Hello from the wire\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":4}}";

        public override string MalformedFrame() =>
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"oops\n\n";

        public override string ErrorBody(string type, string message) =>
            $"{{\"type\":\"error\",\"error\":{{\"type\":{Json(type)},\"message\":{Json(message)}}}}}";
    }

    private sealed class OllamaWire : WireFormat
    {
        public override string Kind => "ollama";

        public override Usage ExpectedUsage => new(9, 4, 0);

        public override string ChatPath => "/api/chat";

        protected override string ContentType => "application/x-ndjson";

        public override string? SentKey(WireRequest request) => request.Authorization?.Replace("Bearer ", string.Empty, StringComparison.Ordinal);

        public override IReadOnlyList<string> Frames()
        {
            var frames = new List<string>();
            foreach (var token in Tokens)
            {
                frames.Add($"{{\"model\":\"test-model\",\"created_at\":\"2025-05-01T12:00:00.000000Z\",\"message\":{{\"role\":\"assistant\",\"content\":{Json(token)}}},\"done\":false}}\n");
            }

            // The last line carries a message object too: OllamaSharp reads it.
            frames.Add("{\"model\":\"test-model\",\"created_at\":\"2025-05-01T12:00:01.000000Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"total_duration\":5000000,\"load_duration\":1000,\"prompt_eval_count\":9,\"prompt_eval_duration\":1000,\"eval_count\":4,\"eval_duration\":2000}\n");
            return frames;
        }

        public override string WholeReply() =>
            "{\"model\":\"test-model\",\"created_at\":\"2025-05-01T12:00:01.000000Z\",\"message\":{\"role\":\"assistant\",\"content\":\"Hello from the wire\"},\"done\":true,\"done_reason\":\"stop\",\"total_duration\":5000000,\"prompt_eval_count\":9,\"eval_count\":4}";

        // Ollama streams unless told not to.
        public override bool WantsStream(string body) => !body.Contains("\"stream\":false", StringComparison.Ordinal);

        public override string MalformedFrame() =>
            "{\"model\":\"test-model\",\"created_at\":\"2025-05-01T12:00:00.000000Z\",\"message\":{\"role\":\"assistant\",\"content\":\"oops\n";

        public override string ErrorBody(string type, string message) => $"{{\"error\":{Json(message)}}}";
    }
}
