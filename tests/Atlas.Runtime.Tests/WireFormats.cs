using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Atlas.Runtime.Tests;

/// <summary>How a loopback server fails a request (see <see cref="WireFormat.FailAsync"/>).</summary>
public enum WireFault
{
    ServerError,
    RateLimited,
    CutMidway,
}

/// <summary>A tool call a server's reply asks for: its id (Ollama's API has none), the tool and its arguments as a JSON object.</summary>
public sealed record WireToolCall(string Id, string Tool, string ArgumentsJson);

/// <summary>A tool call as a request sends it back to the model: its id (none in Ollama's API), tool name and arguments as JSON.</summary>
public sealed record ToolCallSent(string? Id, string Name, string ArgumentsJson);

/// <summary>A tool result as a request carries it: the call it answers (none in Ollama's API) and its text.</summary>
public sealed record ToolResultSent(string? CallId, string Content);

/// <summary>The tool calls and results a request body holds.</summary>
public sealed record ToolExchange(IReadOnlyList<ToolCallSent> Calls, IReadOnlyList<ToolResultSent> Results);

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

    /// <summary>Each format, once streamed and once not: the cases of every test that runs both ways.</summary>
    public static TheoryData<WireFormat, bool> AllStreamedAndNot => new()
    {
        { OpenAI, true }, { OpenAI, false },
        { Anthropic, true }, { Anthropic, false },
        { Ollama, true }, { Ollama, false },
    };

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
        "openai_compatible" => new ProviderDescriptor(name, ProviderKind.OpenAICompatible, "test-model", Endpoint: baseUrl + "/v1", ApiKeyVariable: keyVariable),
        "anthropic" => new ProviderDescriptor(name, ProviderKind.Anthropic, "test-model", Endpoint: baseUrl, ApiKeyVariable: keyVariable),
        "ollama" => new ProviderDescriptor(name, ProviderKind.Ollama, "test-model", Endpoint: baseUrl, ApiKeyVariable: keyVariable),
        _ => throw new InvalidOperationException($"no provider kind '{Kind}'"),
    };

    /// <summary>The key as the client sent it (Authorization: Bearer, or Anthropic's x-api-key).</summary>
    public abstract string? SentKey(WireRequest request);

    /// <summary>The usage a tool-call reply reports (different from <see cref="ExpectedUsage"/>, so sums show).</summary>
    public abstract Usage ToolCallUsage { get; }

    /// <summary>The frames of a whole streamed reply, each written and flushed on its own.</summary>
    public IReadOnlyList<string> Frames() => Frames(Tokens);

    /// <summary>The frames of a streamed reply of <paramref name="tokens"/>.</summary>
    public abstract IReadOnlyList<string> Frames(IReadOnlyList<string> tokens);

    /// <summary>The whole reply of a request that did not ask for a stream.</summary>
    public string WholeReply() => WholeReply(string.Concat(Tokens));

    /// <summary>The whole reply, saying <paramref name="text"/>.</summary>
    public abstract string WholeReply(string text);

    /// <summary>
    /// The frames of a streamed reply that asks for tool calls, in the format's own shape (OpenAI
    /// <c>tool_calls</c> deltas by index, Anthropic a <c>tool_use</c> block per call with
    /// <c>input_json_delta</c>s, Ollama <c>message.tool_calls</c>).
    /// </summary>
    public abstract IReadOnlyList<string> ToolCallFrames(IReadOnlyList<WireToolCall> calls);

    /// <summary>The whole reply asking for tool calls.</summary>
    public abstract string WholeToolCall(IReadOnlyList<WireToolCall> calls);

    /// <summary>The tool calls and tool results in a request body, as the format sends them back to the model.</summary>
    public abstract ToolExchange ToolExchangeIn(string body);

    /// <summary>The names of the tools a request body offers the model.</summary>
    public abstract IReadOnlyList<string> OfferedTools(string body);

    /// <summary>Whether the request body (without spaces) asks for a streamed reply.</summary>
    public virtual bool WantsStream(string body) => body.Contains("\"stream\":true", StringComparison.Ordinal);

    /// <summary>A frame whose JSON breaks off.</summary>
    public abstract string MalformedFrame();

    /// <summary>The provider's error body.</summary>
    public abstract string ErrorBody(string type, string message);

    /// <summary>
    /// An error event inside a 200 stream, as the service sends one when a request fails after the stream opened:
    /// OpenAI-compatible <c>data: {"error": {...}}</c>, Anthropic <c>event: error</c>, Ollama an <c>error</c> line
    /// (which carries no code: <paramref name="code"/> is dropped).
    /// </summary>
    public abstract string ErrorEventFrame(string code, string message);

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
    public Task ReplyAsync(WireRequest request, HttpContext context, CancellationToken cancellationToken) =>
        ReplyAsync(request, context, Tokens, cancellationToken);

    /// <summary>A reply of <paramref name="tokens"/>, streamed when the request asks for it.</summary>
    public Task ReplyAsync(WireRequest request, HttpContext context, IReadOnlyList<string> tokens, CancellationToken cancellationToken) =>
        SendAsync(request, context, () => Frames(tokens), () => WholeReply(string.Concat(tokens)), cancellationToken);

    /// <summary>A reply asking for one tool call, streamed when the request asks for it.</summary>
    public Task ToolCallAsync(WireRequest request, HttpContext context, string callId, string tool, string argumentsJson, CancellationToken cancellationToken) =>
        ToolCallsAsync(request, context, [new WireToolCall(callId, tool, argumentsJson)], cancellationToken);

    /// <summary>A reply asking for several tool calls at once, streamed when the request asks for it.</summary>
    public Task ToolCallsAsync(WireRequest request, HttpContext context, IReadOnlyList<WireToolCall> calls, CancellationToken cancellationToken) =>
        SendAsync(request, context, () => ToolCallFrames(calls), () => WholeToolCall(calls), cancellationToken);

    /// <summary>Whether the request (its body, spaces removed) asks for a streamed reply.</summary>
    public bool Streams(WireRequest request) => WantsStream(request.Body.Replace(" ", string.Empty, StringComparison.Ordinal));

    private async Task SendAsync(WireRequest request, HttpContext context, Func<IReadOnlyList<string>> frames, Func<string> whole, CancellationToken cancellationToken)
    {
        if (!Streams(request))
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(whole(), cancellationToken);
            return;
        }

        await BeginAsync(context);
        foreach (var frame in frames())
        {
            await WriteFrameAsync(context, frame, cancellationToken);
        }
    }

    /// <summary>
    /// Fails a request the way <paramref name="fault"/> says: HTTP 500 with the format's error body,
    /// HTTP 429 with <c>Retry-After: 1</c>, or the connection cut mid-reply (after three frames of a
    /// stream, or half of a whole reply).
    /// </summary>
    public async Task FailAsync(WireFault fault, WireRequest request, HttpContext context, CancellationToken cancellationToken)
    {
        switch (fault)
        {
            case WireFault.ServerError:
                await ErrorAsync(context, 500, "api_error", "the model crashed");
                return;
            case WireFault.RateLimited:
                await ErrorAsync(context, 429, "rate_limit_error", "slow down", retryAfter: "1");
                return;
            case WireFault.CutMidway when Streams(request):
                await BeginAsync(context);
                foreach (var frame in Frames().Take(3))
                {
                    await WriteFrameAsync(context, frame, cancellationToken);
                }

                context.Abort();
                return;
            case WireFault.CutMidway:
                var whole = WholeReply();
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = whole.Length;
                await context.Response.WriteAsync(whole[..(whole.Length / 2)], cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
                context.Abort();
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, null);
        }
    }

    /// <summary>What <see cref="FailAsync"/> makes a retry (and a fallback) say about <paramref name="provider"/>; for a cut, how that starts.</summary>
    public string FaultReason(WireFault fault, string provider) => fault switch
    {
        WireFault.ServerError => $"{Kind} provider '{provider}' answered HTTP 500 (Internal Server Error): the model crashed",
        WireFault.RateLimited => $"{Kind} provider '{provider}' is rate limited: slow down (retry after 1s)",
        _ => $"{Kind} provider '{provider}' ",
    };

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

    /// <summary>The request's <c>messages</c> array.</summary>
    protected static JsonArray Messages(string body) => JsonNode.Parse(body)!["messages"]!.AsArray();

    /// <summary>A message's content as text: a string, or the text of its parts.</summary>
    protected static string TextOf(JsonNode? content) => content switch
    {
        null => string.Empty,
        JsonValue value => value.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? string.Empty)),
        _ => content.ToJsonString(),
    };

    private sealed class OpenAIWire : WireFormat
    {
        public override string Kind => "openai_compatible";

        public override Usage ExpectedUsage => new(7, 4, 0);

        public override string ChatPath => "/v1/chat/completions";

        protected override string ContentType => "text/event-stream";

        public override string? SentKey(WireRequest request) => request.Authorization?.Replace("Bearer ", string.Empty, StringComparison.Ordinal);

        private const string Head = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"test-model\",";

        public override Usage ToolCallUsage => new(31, 9, 0);

        public override IReadOnlyList<string> Frames(IReadOnlyList<string> tokens)
        {
            const string head = Head;
            var frames = new List<string>
            {
                head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n",
            };
            foreach (var token in tokens)
            {
                frames.Add(head + $"\"choices\":[{{\"index\":0,\"delta\":{{\"content\":{Json(token)}}},\"finish_reason\":null}}]}}\n\n");
            }

            frames.Add(head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
            frames.Add(head + "\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":4,\"total_tokens\":11}}\n\n");
            frames.Add("data: [DONE]\n\n");
            return frames;
        }

        public override string WholeReply(string text) =>
            $"{{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"test-model\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assistant\",\"content\":{Json(text)}}},\"finish_reason\":\"stop\"}}],\"usage\":{{\"prompt_tokens\":7,\"completion_tokens\":4,\"total_tokens\":11}}}}";

        // The arguments arrive as a JSON string cut into pieces, the first delta of each call (by index) carrying its id and name.
        public override IReadOnlyList<string> ToolCallFrames(IReadOnlyList<WireToolCall> calls)
        {
            var frames = new List<string>();
            for (var i = 0; i < calls.Count; i++)
            {
                var (id, tool, arguments) = calls[i];
                var half = arguments.Length / 2;
                var role = i == 0 ? "\"role\":\"assistant\",\"content\":null," : string.Empty;
                frames.Add(Head + $"\"choices\":[{{\"index\":0,\"delta\":{{{role}\"tool_calls\":[{{\"index\":{i},\"id\":{Json(id)},\"type\":\"function\",\"function\":{{\"name\":{Json(tool)},\"arguments\":\"\"}}}}]}},\"finish_reason\":null}}]}}\n\n");
                frames.Add(Head + $"\"choices\":[{{\"index\":0,\"delta\":{{\"tool_calls\":[{{\"index\":{i},\"function\":{{\"arguments\":{Json(arguments[..half])}}}}}]}},\"finish_reason\":null}}]}}\n\n");
                frames.Add(Head + $"\"choices\":[{{\"index\":0,\"delta\":{{\"tool_calls\":[{{\"index\":{i},\"function\":{{\"arguments\":{Json(arguments[half..])}}}}}]}},\"finish_reason\":null}}]}}\n\n");
            }

            frames.Add(Head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n");
            frames.Add(Head + "\"choices\":[],\"usage\":{\"prompt_tokens\":31,\"completion_tokens\":9,\"total_tokens\":40}}\n\n");
            frames.Add("data: [DONE]\n\n");
            return frames;
        }

        public override string WholeToolCall(IReadOnlyList<WireToolCall> calls)
        {
            var toolCalls = string.Join(",", calls.Select(c => $"{{\"id\":{Json(c.Id)},\"type\":\"function\",\"function\":{{\"name\":{Json(c.Tool)},\"arguments\":{Json(c.ArgumentsJson)}}}}}"));
            return $"{{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"test-model\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{toolCalls}]}},\"finish_reason\":\"tool_calls\"}}],\"usage\":{{\"prompt_tokens\":31,\"completion_tokens\":9,\"total_tokens\":40}}}}";
        }

        // The assistant message repeats the call (tool_calls); a role "tool" message answers it by tool_call_id.
        public override ToolExchange ToolExchangeIn(string body)
        {
            var messages = Messages(body);
            var calls = messages.Where(m => m?["role"]?.GetValue<string>() == "assistant" && m["tool_calls"] is JsonArray)
                .SelectMany(m => m!["tool_calls"]!.AsArray())
                .Select(c => new ToolCallSent(c!["id"]?.GetValue<string>(), c["function"]!["name"]!.GetValue<string>(), c["function"]!["arguments"]!.GetValue<string>()))
                .ToList();
            var results = messages.Where(m => m?["role"]?.GetValue<string>() == "tool")
                .Select(m => new ToolResultSent(m!["tool_call_id"]?.GetValue<string>(), TextOf(m["content"])))
                .ToList();
            return new ToolExchange(calls, results);
        }

        public override IReadOnlyList<string> OfferedTools(string body) =>
            (JsonNode.Parse(body)!["tools"] as JsonArray ?? []).Select(t => t!["function"]!["name"]!.GetValue<string>()).ToList();

        public override string MalformedFrame() =>
            "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"oops\n\n";

        public override string ErrorBody(string type, string message) =>
            $"{{\"error\":{{\"message\":{Json(message)},\"type\":{Json(type)},\"param\":null,\"code\":null}}}}";

        public override string ErrorEventFrame(string code, string message) =>
            $"data: {{\"error\": {{\"message\": {Json(message)}, \"type\": \"requests\", \"param\": null, \"code\": {Json(code)}}}}}\n\n";
    }

    private sealed class AnthropicWire : WireFormat
    {
        public override string Kind => "anthropic";

        public override Usage ExpectedUsage => new(12, 4, 0);

        public override string ChatPath => "/v1/messages";

        protected override string ContentType => "text/event-stream";

        public override string? SentKey(WireRequest request) => request.ApiKey ?? request.Authorization?.Replace("Bearer ", string.Empty, StringComparison.Ordinal);

        public override Usage ToolCallUsage => new(40, 12, 0);

        public override IReadOnlyList<string> Frames(IReadOnlyList<string> tokens)
        {
            var frames = new List<string>
            {
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"test-model\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n",
                "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
                "event: ping\ndata: {\"type\":\"ping\"}\n\n",
            };
            foreach (var token in tokens)
            {
                frames.Add($"event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":{Json(token)}}}}}\n\n");
            }

            frames.Add("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
            frames.Add("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":4}}\n\n");
            frames.Add("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
            return frames;
        }

        public override string WholeReply(string text) =>
            $"{{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"test-model\",\"content\":[{{\"type\":\"text\",\"text\":{Json(text)}}}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{{\"input_tokens\":12,\"output_tokens\":4}}}}";

        // A tool_use block per call whose input streams as input_json_delta pieces; stop_reason tool_use.
        public override IReadOnlyList<string> ToolCallFrames(IReadOnlyList<WireToolCall> calls)
        {
            var frames = new List<string>
            {
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_00\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"test-model\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":40,\"output_tokens\":1}}}\n\n",
            };
            for (var i = 0; i < calls.Count; i++)
            {
                var (id, tool, arguments) = calls[i];
                var half = arguments.Length / 2;
                frames.Add($"event: content_block_start\ndata: {{\"type\":\"content_block_start\",\"index\":{i},\"content_block\":{{\"type\":\"tool_use\",\"id\":{Json(id)},\"name\":{Json(tool)},\"input\":{{}}}}}}\n\n");
                frames.Add($"event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":{i},\"delta\":{{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}}}\n\n");
                frames.Add($"event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":{i},\"delta\":{{\"type\":\"input_json_delta\",\"partial_json\":{Json(arguments[..half])}}}}}\n\n");
                frames.Add($"event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":{i},\"delta\":{{\"type\":\"input_json_delta\",\"partial_json\":{Json(arguments[half..])}}}}}\n\n");
                frames.Add($"event: content_block_stop\ndata: {{\"type\":\"content_block_stop\",\"index\":{i}}}\n\n");
            }

            frames.Add("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":12}}\n\n");
            frames.Add("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
            return frames;
        }

        public override string WholeToolCall(IReadOnlyList<WireToolCall> calls)
        {
            var blocks = string.Join(",", calls.Select(c => $"{{\"type\":\"tool_use\",\"id\":{Json(c.Id)},\"name\":{Json(c.Tool)},\"input\":{c.ArgumentsJson}}}"));
            return $"{{\"id\":\"msg_00\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"test-model\",\"content\":[{blocks}],\"stop_reason\":\"tool_use\",\"stop_sequence\":null,\"usage\":{{\"input_tokens\":40,\"output_tokens\":12}}}}";
        }

        // The assistant turn repeats the tool_use block; the next user turn holds a tool_result block by tool_use_id.
        public override ToolExchange ToolExchangeIn(string body)
        {
            var blocks = Messages(body).SelectMany(m => m?["content"] as JsonArray ?? []).ToList();
            var calls = blocks.Where(b => b?["type"]?.GetValue<string>() == "tool_use")
                .Select(b => new ToolCallSent(b!["id"]?.GetValue<string>(), b["name"]!.GetValue<string>(), b["input"]!.ToJsonString()))
                .ToList();
            var results = blocks.Where(b => b?["type"]?.GetValue<string>() == "tool_result")
                .Select(b => new ToolResultSent(b!["tool_use_id"]?.GetValue<string>(), TextOf(b["content"])))
                .ToList();
            return new ToolExchange(calls, results);
        }

        public override IReadOnlyList<string> OfferedTools(string body) =>
            (JsonNode.Parse(body)!["tools"] as JsonArray ?? []).Select(t => t!["name"]!.GetValue<string>()).ToList();

        public override string MalformedFrame() =>
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"oops\n\n";

        public override string ErrorBody(string type, string message) =>
            $"{{\"type\":\"error\",\"error\":{{\"type\":{Json(type)},\"message\":{Json(message)}}}}}";

        public override string ErrorEventFrame(string code, string message) =>
            $"event: error\ndata: {{\"type\":\"error\",\"error\":{{\"type\":{Json(code)},\"message\":{Json(message)}}}}}\n\n";
    }

    private sealed class OllamaWire : WireFormat
    {
        public override string Kind => "ollama";

        public override Usage ExpectedUsage => new(9, 4, 0);

        public override string ChatPath => "/api/chat";

        protected override string ContentType => "application/x-ndjson";

        public override string? SentKey(WireRequest request) => request.Authorization?.Replace("Bearer ", string.Empty, StringComparison.Ordinal);

        public override Usage ToolCallUsage => new(22, 6, 0);

        public override IReadOnlyList<string> Frames(IReadOnlyList<string> tokens)
        {
            var frames = new List<string>();
            foreach (var token in tokens)
            {
                frames.Add($"{{\"model\":\"test-model\",\"created_at\":\"2025-05-01T12:00:00.000000Z\",\"message\":{{\"role\":\"assistant\",\"content\":{Json(token)}}},\"done\":false}}\n");
            }

            // The last line carries a message object too: OllamaSharp reads it.
            frames.Add("{\"model\":\"test-model\",\"created_at\":\"2025-05-01T12:00:01.000000Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"total_duration\":5000000,\"load_duration\":1000,\"prompt_eval_count\":9,\"prompt_eval_duration\":1000,\"eval_count\":4,\"eval_duration\":2000}\n");
            return frames;
        }

        public override string WholeReply(string text) =>
            $"{{\"model\":\"test-model\",\"created_at\":\"2025-05-01T12:00:01.000000Z\",\"message\":{{\"role\":\"assistant\",\"content\":{Json(text)}}},\"done\":true,\"done_reason\":\"stop\",\"total_duration\":5000000,\"prompt_eval_count\":9,\"eval_count\":4}}";

        // Ollama sends the whole calls (arguments as objects, no ids) in one message.tool_calls line, then the done line.
        public override IReadOnlyList<string> ToolCallFrames(IReadOnlyList<WireToolCall> calls) =>
        [
            $"{{\"model\":\"test-model\",\"created_at\":\"2025-05-01T12:00:00.000000Z\",\"message\":{{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{OllamaCalls(calls)}]}},\"done\":false}}\n",
            "{\"model\":\"test-model\",\"created_at\":\"2025-05-01T12:00:01.000000Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"total_duration\":5000000,\"prompt_eval_count\":22,\"eval_count\":6}\n",
        ];

        public override string WholeToolCall(IReadOnlyList<WireToolCall> calls) =>
            $"{{\"model\":\"test-model\",\"created_at\":\"2025-05-01T12:00:01.000000Z\",\"message\":{{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{OllamaCalls(calls)}]}},\"done\":true,\"done_reason\":\"stop\",\"total_duration\":5000000,\"prompt_eval_count\":22,\"eval_count\":6}}";

        private static string OllamaCalls(IReadOnlyList<WireToolCall> calls) =>
            string.Join(",", calls.Select(c => $"{{\"function\":{{\"name\":{Json(c.Tool)},\"arguments\":{c.ArgumentsJson}}}}}"));

        // The assistant message repeats message.tool_calls; a role "tool" message carries the result (no call id in Ollama's API).
        public override ToolExchange ToolExchangeIn(string body)
        {
            var messages = Messages(body);
            var calls = messages.Where(m => m?["role"]?.GetValue<string>() == "assistant" && m["tool_calls"] is JsonArray)
                .SelectMany(m => m!["tool_calls"]!.AsArray())
                .Select(c => new ToolCallSent(null, c!["function"]!["name"]!.GetValue<string>(), c["function"]!["arguments"]!.ToJsonString()))
                .ToList();
            var results = messages.Where(m => m?["role"]?.GetValue<string>() == "tool")
                .Select(m => new ToolResultSent(null, TextOf(m!["content"])))
                .ToList();
            return new ToolExchange(calls, results);
        }

        public override IReadOnlyList<string> OfferedTools(string body) =>
            (JsonNode.Parse(body)!["tools"] as JsonArray ?? []).Select(t => t!["function"]!["name"]!.GetValue<string>()).ToList();

        // Ollama streams unless told not to.
        public override bool WantsStream(string body) => !body.Contains("\"stream\":false", StringComparison.Ordinal);

        public override string MalformedFrame() =>
            "{\"model\":\"test-model\",\"created_at\":\"2025-05-01T12:00:00.000000Z\",\"message\":{\"role\":\"assistant\",\"content\":\"oops\n";

        public override string ErrorBody(string type, string message) => $"{{\"error\":{Json(message)}}}";

        public override string ErrorEventFrame(string code, string message) => $"{{\"error\":{Json(message)}}}\n";
    }
}
