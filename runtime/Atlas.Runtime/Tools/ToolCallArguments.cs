using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic.Models.Messages;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace Atlas.Runtime;

/// <summary>
/// A model's arguments for a tool call as a trace shows them. When they were not JSON, the client library
/// leaves the call with no arguments and a parse error (<see cref="FunctionCallContent.Exception"/>); the text
/// the model sent is kept with the call (bounded), so an event shows what it sent instead of <c>{}</c>.
/// </summary>
internal static class ToolCallArguments
{
    /// <summary>The most of a model's unparsable argument text kept for a trace.</summary>
    public const int RawLimit = 4096;

    private const string RawKey = "atlas.raw_arguments";

    /// <summary>Whether the model's arguments for <paramref name="call"/> could not be read as JSON.</summary>
    public static bool NotJson(FunctionCallContent? call) => call?.Exception is not null;

    /// <summary>
    /// Keeps, on each call of a whole reply whose arguments did not parse, the text the model sent: from the OpenAI
    /// library's tool call. (Ollama sends arguments as JSON objects: a reply whose arguments are not JSON is malformed as
    /// a whole.) Without raw text a call shows only that it was not JSON.
    /// </summary>
    public static void KeepRawText(IEnumerable<Microsoft.Extensions.AI.ChatMessage> reply) => Keep(reply.SelectMany(m => m.Contents), null);

    /// <summary>As <see cref="KeepRawText(IEnumerable{Microsoft.Extensions.AI.ChatMessage})"/> for a stream: from the pieces the OpenAI and Anthropic libraries keep as each update's raw event.</summary>
    public static void KeepRawText(IReadOnlyList<ChatResponseUpdate> updates) => Keep(updates.SelectMany(u => u.Contents), updates);

    private static void Keep(IEnumerable<AIContent> contents, IReadOnlyList<ChatResponseUpdate>? updates)
    {
        Dictionary<string, StringBuilder>? streamed = null;
        foreach (var call in contents.OfType<FunctionCallContent>())
        {
            if (call.Exception is null)
            {
                continue;
            }

            string? raw = call.RawRepresentation is ChatToolCall toolCall ? toolCall.FunctionArguments.ToString() : null;
            if (raw is null && updates is not null)
            {
                streamed ??= StreamedArguments(updates);
                raw = streamed.TryGetValue(call.CallId, out var text) ? text.ToString() : null;
            }

            if (raw is not null)
            {
                (call.AdditionalProperties ??= [])[RawKey] = raw.Length <= RawLimit ? raw : raw[..RawLimit] + "…";
            }
        }
    }

    /// <summary>The arguments for a trace: compact JSON (shortened), or the model's text when it was not JSON.</summary>
    public static string Describe(FunctionCallContent? call, AIFunctionArguments arguments)
    {
        if (!NotJson(call))
        {
            return AgentFunctions.Summarize(AgentFunctions.ToJson(arguments));
        }

        return call!.AdditionalProperties?.TryGetValue(RawKey, out var raw) == true && raw is string text ? text : "(not JSON)";
    }

    /// <summary>What is wrong with arguments that were not JSON, for the model (after "Error: ") and the trace.</summary>
    public static string NotJsonProblem(string tool, FunctionCallContent call) =>
        $"the arguments for tool '{tool}' are not valid JSON ({(call.Exception!.InnerException ?? call.Exception).Message}); call it again with a JSON object of its parameters";

    /// <summary>The argument pieces of a streamed reply, joined per call id (a call's first piece, or its block's start, carries the id).</summary>
    private static Dictionary<string, StringBuilder> StreamedArguments(IReadOnlyList<ChatResponseUpdate> updates)
    {
        var byIndex = new Dictionary<long, (string? Id, StringBuilder Text)>();
        foreach (var update in updates)
        {
            switch (update.RawRepresentation)
            {
                case StreamingChatCompletionUpdate { ToolCallUpdates: { Count: > 0 } pieces }:
                    foreach (var piece in pieces)
                    {
                        Add(piece.Index, piece.ToolCallId, piece.FunctionArgumentsUpdate?.ToString());
                    }

                    break;

                // Anthropic: a tool_use block starts with its id, then input_json_delta pieces by block index.
                case RawMessageStreamEvent streamEvent when JsonSerializer.SerializeToNode(streamEvent) is JsonObject json && json["index"] is JsonValue index:
                    var type = (string?)json["type"];
                    if (type == "content_block_start" && (string?)json["content_block"]?["type"] == "tool_use")
                    {
                        Add(index.GetValue<long>(), (string?)json["content_block"]?["id"], null);
                    }
                    else if (type == "content_block_delta" && (string?)json["delta"]?["type"] == "input_json_delta")
                    {
                        Add(index.GetValue<long>(), null, (string?)json["delta"]?["partial_json"]);
                    }

                    break;
            }
        }

        return byIndex.Values.Where(e => e.Id is not null).GroupBy(e => e.Id!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Text, StringComparer.Ordinal);

        void Add(long index, string? id, string? text)
        {
            var entry = byIndex.TryGetValue(index, out var found) ? found : (null, new StringBuilder());
            entry.Id ??= id;
            if (text is not null && entry.Text.Length <= RawLimit)
            {
                entry.Text.Append(text);
            }

            byIndex[index] = entry;
        }
    }
}
