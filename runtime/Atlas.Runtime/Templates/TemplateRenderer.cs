using System.Collections.Generic;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atlas.Runtime;

/// <summary>Names in scope while rendering: loop variables shadow the arguments, innermost first.</summary>
internal sealed record TemplateScope(IReadOnlyDictionary<string, JsonNode?> Arguments, string? Variable, JsonNode? Value, TemplateScope? Outer)
{
    public bool TryResolve(string name, out JsonNode? value)
    {
        for (var scope = this; scope is not null; scope = scope.Outer)
        {
            if (scope.Variable == name)
            {
                value = scope.Value;
                return true;
            }

            if (scope.Variable is null)
            {
                return scope.Arguments.TryGetValue(name, out value);
            }
        }

        value = null;
        return false;
    }
}

internal static class TemplateRenderer
{
    // Prompts are for models, not HTML: keep non-ASCII text and quotes readable.
    internal static readonly JsonSerializerOptions Compact = new(JsonSerializerOptions.Default)
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Render(IReadOnlyList<TemplateSegment> segments, TemplateScope scope, StringBuilder output)
    {
        foreach (var segment in segments)
        {
            switch (segment)
            {
                case TextSegment text:
                    output.Append(text.Text);
                    break;
                case PathSegment path:
                    output.Append(Format(Resolve(path.Path, scope)));
                    break;
                case LoopSegment loop:
                    if (Resolve(loop.Source, scope) is JsonArray items)
                    {
                        foreach (var item in items)
                        {
                            Render(loop.Body, new TemplateScope(scope.Arguments, loop.Variable, item, scope), output);
                        }
                    }

                    break;
            }
        }
    }

    public static JsonNode? Resolve(IReadOnlyList<string> path, TemplateScope scope)
    {
        if (path.Count == 0 || !scope.TryResolve(path[0], out var node))
        {
            return null;
        }

        for (var i = 1; i < path.Count && node is not null; i++)
        {
            node = node is JsonObject obj && obj.TryGetPropertyValue(path[i], out var member) ? member : null;
        }

        return node;
    }

    public static string Format(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return string.Empty;
            case JsonValue value:
                return FormatScalar(value);
            case JsonArray array:
                var scalars = true;
                foreach (var item in array)
                {
                    if (item is JsonObject or JsonArray)
                    {
                        scalars = false;
                        break;
                    }
                }

                if (!scalars)
                {
                    return node.ToJsonString(Compact);
                }

                var parts = new List<string>(array.Count);
                foreach (var item in array)
                {
                    parts.Add(Format(item));
                }

                return string.Join(", ", parts);
            default:
                return node.ToJsonString(Compact);
        }
    }

    private static string FormatScalar(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.TryGetValue(out string? text) ? text : JsonNode.Parse(value.ToJsonString())!.GetValue<string>(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null or JsonValueKind.Undefined => string.Empty,
        _ => value.ToJsonString(Compact),
    };
}
