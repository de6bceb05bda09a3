using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// Puts a request's messages and its reply on the <c>chat</c> span around it, as the GenAI conventions'
/// <c>gen_ai.input.messages</c> and <c>gen_ai.output.messages</c>, with every API key the runtime read blanked out.
/// Only when the user opts in (<see cref="AtlasRuntimeOptions.CaptureMessageContent"/>).
/// </summary>
/// <remarks>
/// It sits just inside <see cref="OpenTelemetryChatClient"/>, whose own capture stays off: that one records the text as
/// it is, and a key a provider echoed (or a tool returned) would leave in the trace. Thread-safe; it owns its inner client.
/// </remarks>
internal sealed class MessageContentChatClient : DelegatingChatClient
{
    private readonly SecretRedactor _secrets;

    public MessageContentChatClient(IChatClient inner, SecretRedactor secrets)
        : base(inner) => _secrets = secrets;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var span = ChatSpan();
        span?.SetTag(AtlasTelemetry.Attributes.InputMessages, Format(messages, finishReason: null));
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        span?.SetTag(AtlasTelemetry.Attributes.OutputMessages, Format(response.Messages, response.FinishReason));
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Taken now, on the first MoveNext, which runs inside the chat span: later ones resume on the consumer's context.
        var span = ChatSpan();
        span?.SetTag(AtlasTelemetry.Attributes.InputMessages, Format(messages, finishReason: null));
        List<ChatResponseUpdate>? updates = span is null ? null : [];
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            updates?.Add(update);
            yield return update;
        }

        if (span is not null)
        {
            var response = updates!.ToChatResponse();
            span.SetTag(AtlasTelemetry.Attributes.OutputMessages, Format(response.Messages, response.FinishReason));
        }
    }

    /// <summary>The <c>chat</c> span this request runs in, when one is recorded; never an agent's or a step's span.</summary>
    private static Activity? ChatSpan() =>
        Activity.Current is { IsAllDataRequested: true, Kind: ActivityKind.Client } current && current.Source.Name == AtlasTelemetry.SourceName ? current : null;

    /// <summary>Messages as the conventions' JSON: role, then parts of text, tool calls and tool results.</summary>
    private string Format(IEnumerable<ChatMessage> messages, ChatFinishReason? finishReason)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var message in messages)
            {
                json.WriteStartObject();
                json.WriteString("role", message.Role.Value);
                json.WriteStartArray("parts");
                foreach (var content in message.Contents)
                {
                    WritePart(json, content);
                }

                json.WriteEndArray();
                if (finishReason is { } reason)
                {
                    json.WriteString("finish_reason", reason.Value);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private void WritePart(Utf8JsonWriter json, AIContent content)
    {
        switch (content)
        {
            case TextContent text:
                json.WriteStartObject();
                json.WriteString("type", "text");
                json.WriteString("content", _secrets.Redact(text.Text));
                json.WriteEndObject();
                break;
            case FunctionCallContent call:
                json.WriteStartObject();
                json.WriteString("type", "tool_call");
                json.WriteString("id", call.CallId);
                json.WriteString("name", call.Name);
                json.WriteString("arguments", _secrets.Redact(call.Arguments is null ? "" : AgentFunctions.ToJson(new AIFunctionArguments(call.Arguments)).ToJsonString()));
                json.WriteEndObject();
                break;
            case FunctionResultContent result:
                json.WriteStartObject();
                json.WriteString("type", "tool_call_response");
                json.WriteString("id", result.CallId);
                json.WriteString("response", _secrets.Redact(ModelRequests.Value(result.Result)?.ToJsonString() ?? "null"));
                json.WriteEndObject();
                break;
        }
    }
}
