using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.Extensions.AI;

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
    /// Keeps, on each call of a whole reply whose arguments did not parse, the text the model sent: from the library's
    /// tool call, as one of <paramref name="readers"/> reads it (OpenAI's keeps it; Ollama sends arguments as JSON objects,
    /// so a reply whose arguments are not JSON is malformed as a whole). Without raw text a call shows only that it was not JSON.
    /// </summary>
    public static void KeepRawText(IEnumerable<ChatMessage> reply, IReadOnlyList<ProviderClientFactory> readers) =>
        Keep(reply.SelectMany(m => m.Contents), null, readers);

    /// <summary>
    /// As <see cref="KeepRawText(IEnumerable{ChatMessage}, IReadOnlyList{ProviderClientFactory})"/> for a stream: from the
    /// pieces the libraries keep as each update's raw event (OpenAI's and Anthropic's do).
    /// </summary>
    public static void KeepRawText(IReadOnlyList<ChatResponseUpdate> updates, IReadOnlyList<ProviderClientFactory> readers) =>
        Keep(updates.SelectMany(u => u.Contents), updates, readers);

    private static void Keep(IEnumerable<AIContent> contents, IReadOnlyList<ChatResponseUpdate>? updates, IReadOnlyList<ProviderClientFactory> readers)
    {
        Dictionary<string, StringBuilder>? streamed = null;
        foreach (var call in contents.OfType<FunctionCallContent>())
        {
            if (call.Exception is null)
            {
                continue;
            }

            var raw = FirstRead(readers, call);
            if (raw is null && updates is not null)
            {
                streamed ??= StreamedArguments(updates, readers);
                raw = streamed.TryGetValue(call.CallId, out var text) ? text.ToString() : null;
            }

            if (raw is not null)
            {
                (call.AdditionalProperties ??= [])[RawKey] = raw.Length <= RawLimit ? raw : raw[..RawLimit] + "…";
            }
        }
    }

    private static string? FirstRead(IReadOnlyList<ProviderClientFactory> readers, FunctionCallContent call)
    {
        foreach (var reader in readers)
        {
            if (reader.ReadToolCallArguments(call) is { } raw) return raw;
        }

        return null;
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
    private static Dictionary<string, StringBuilder> StreamedArguments(IReadOnlyList<ChatResponseUpdate> updates, IReadOnlyList<ProviderClientFactory> readers)
    {
        var byIndex = new Dictionary<long, (string? Id, StringBuilder Text)>();
        foreach (var update in updates)
        {
            foreach (var reader in readers)
            {
                foreach (var piece in reader.ReadToolCallArgumentPieces(update))
                {
                    var entry = byIndex.TryGetValue(piece.Index, out var found) ? found : (null, new StringBuilder());
                    entry.Id ??= piece.CallId;
                    if (piece.Text is not null && entry.Text.Length <= RawLimit)
                    {
                        entry.Text.Append(piece.Text);
                    }

                    byIndex[piece.Index] = entry;
                }
            }
        }

        return byIndex.Values.Where(e => e.Id is not null).GroupBy(e => e.Id!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Text, StringComparer.Ordinal);
    }
}
