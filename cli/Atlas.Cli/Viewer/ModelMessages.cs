using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atlas.Cli.Viewer;

/// <summary>
/// A recorded model request's or reply's messages as the page shows them: <c>[{role, parts: [{kind, text}]}]</c>, kind
/// <c>text</c>, <c>call</c> (a tool call with its arguments), <c>result</c> (a tool's result) or <c>reasoning</c>. Reads
/// both recorded shapes: a request's (<c>{"text"}</c>, <c>{"call", "arguments"}</c>, <c>{"result"}</c>) and a reply's
/// (Microsoft.Extensions.AI's <c>{"$type": "text", ...}</c>).
/// </summary>
internal static class ModelMessages
{
    /// <summary>The messages of <paramref name="recorded"/>; text that is no recorded JSON is one message of that text.</summary>
    public static JsonArray Read(string recorded)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(recorded);
        }
        catch (JsonException)
        {
            root = null;
        }

        if (root?["messages"] is not JsonArray messages) return [Message("?", Part("text", recorded))];
        var read = new JsonArray();
        foreach (var message in messages.OfType<JsonObject>())
        {
            var parts = new JsonArray();
            foreach (var content in (message["contents"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var type = content["$type"]?.GetValue<string>();
                if (content["call"] is { } call || type == "functionCall")
                {
                    var name = content["call"]?.ToString() ?? content["name"]?.ToString() ?? "?";
                    parts.Add(Part("call", name + " " + (content["arguments"]?.ToJsonString() ?? "{}")));
                }
                else if (content.ContainsKey("result") || type == "functionResult")
                {
                    parts.Add(Part("result", content["result"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : content["result"]?.ToJsonString() ?? "null"));
                }
                else if (content["text"] is { } text)
                {
                    parts.Add(Part(type == "reasoning" ? "reasoning" : "text", text.ToString()));
                }
            }

            read.Add(Message(message["role"]?.ToString() ?? "?", [.. parts.Select(p => p!.DeepClone())]));
        }

        return read;
    }

    private static JsonObject Message(string role, params JsonNode?[] parts) => new() { ["role"] = role, ["parts"] = new JsonArray(parts) };

    private static JsonObject Part(string kind, string text) => new() { ["kind"] = kind, ["text"] = text };
}
