using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// Model requests and replies as the run store keeps them: a request as canonical JSON (the model it names, its messages,
/// the options that change the answer: temperature, max tokens, the result schema, the tools offered) and its SHA-256,
/// the key the cache and replay look replies up by; a reply as the JSON of its messages.
/// </summary>
/// <remarks>
/// What does not change the answer stays out of the request: message ids, timestamps, tool-call ids (a provider makes
/// new ones on every call), the runtime's own context. Thread-safe (static, stateless).
/// </remarks>
internal static class ModelRequests
{
    private static readonly JsonSerializerOptions Json = AIJsonUtilities.DefaultOptions;

    /// <summary>The request's canonical JSON and its key.</summary>
    public static (string Json, string Key) Describe(string model, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var request = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(messages.Select(Message).ToArray()),
        };
        if (options is not null)
        {
            var described = new JsonObject();
            if (options.Temperature is { } temperature) described["temperature"] = temperature;
            if (options.MaxOutputTokens is { } maxTokens) described["max_output_tokens"] = maxTokens;
            if (options.ResponseFormat is ChatResponseFormatJson { Schema: { } schema } format)
            {
                described["schema_name"] = format.SchemaName;
                described["schema"] = JsonNode.Parse(schema.GetRawText());
            }

            if (options.Tools is { Count: > 0 } tools)
            {
                described["tools"] = new JsonArray(tools.Select(Tool).ToArray());
            }

            if (described.Count > 0) request["options"] = described;
        }

        var text = request.ToJsonString();
        return (text, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))));
    }

    /// <summary>A reply as JSON: its messages (text, tool calls), finish reason and model.</summary>
    public static string SerializeResponse(ChatResponse response)
    {
        var kept = new ChatResponse(response.Messages.Select(m => new ChatMessage(m.Role, m.Contents.Where(Kept).ToList())).ToList())
        {
            FinishReason = response.FinishReason,
            ModelId = response.ModelId,
        };
        return JsonSerializer.Serialize(kept, Json.GetTypeInfo(typeof(ChatResponse)));
    }

    /// <summary>A reply recorded by <see cref="SerializeResponse"/>.</summary>
    /// <exception cref="JsonException">The text is not a recorded reply.</exception>
    public static ChatResponse ReadResponse(string json) =>
        (ChatResponse?)JsonSerializer.Deserialize(json, Json.GetTypeInfo(typeof(ChatResponse)))
        ?? throw new JsonException("a recorded reply is null");

    private static bool Kept(AIContent content) => content is TextContent or FunctionCallContent or FunctionResultContent or TextReasoningContent;

    public static JsonNode Message(ChatMessage message)
    {
        var contents = new JsonArray();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent text:
                    contents.Add(new JsonObject { ["text"] = text.Text });
                    break;
                case FunctionCallContent call:
                    contents.Add(new JsonObject
                    {
                        ["call"] = call.Name,
                        ["arguments"] = call.Arguments is null ? null : AgentFunctions.ToJson(new AIFunctionArguments(call.Arguments)),
                    });
                    break;
                case FunctionResultContent result:
                    contents.Add(new JsonObject { ["result"] = Value(result.Result) });
                    break;
            }
        }

        return new JsonObject { ["role"] = message.Role.Value, ["contents"] = contents };
    }

    private static JsonNode Tool(AITool tool) => tool switch
    {
        AIFunctionDeclaration function => new JsonObject
        {
            ["name"] = function.Name,
            ["description"] = function.Description,
            ["parameters"] = JsonNode.Parse(function.JsonSchema.GetRawText()),
        },
        _ => new JsonObject { ["name"] = tool.Name },
    };

    /// <summary>Any value a tool returned, as JSON.</summary>
    public static JsonNode? Value(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        JsonElement element => JsonNode.Parse(element.GetRawText()),
        string text => JsonValue.Create(text),
        _ => JsonSerializer.SerializeToNode(value, Json.GetTypeInfo(value.GetType())),
    };
}
