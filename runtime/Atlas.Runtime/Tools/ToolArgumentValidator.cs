using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Json.Schema;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// Checks a tool call's arguments against the JSON schema of the tool's declared parameters
/// (JsonSchema.Net), before the tool runs. Thread-safe; schemas are built once per schema text.
/// </summary>
internal sealed class ToolArgumentValidator
{
    private readonly SchemaCache _schemas = new();

    /// <summary>Null when <paramref name="arguments"/> fit <paramref name="schema"/>; else one line naming each bad argument.</summary>
    /// <remarks>A tool without a schema (or with an empty one) accepts anything.</remarks>
    public string? Validate(JsonElement schema, IEnumerable<KeyValuePair<string, object?>> arguments)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.EnumerateObject().Any())
        {
            return null;
        }

        JsonElement instance;
        try
        {
            instance = JsonSerializer.SerializeToElement(
                arguments.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal),
                AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Dictionary<string, object?>)));
        }
        catch (Exception ex) when (ex is NotSupportedException or JsonException or InvalidOperationException)
        {
            return $"the arguments cannot be read as JSON ({ex.Message})";
        }

        var results = Get(schema.GetRawText()).Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return null;
        }

        var problems = (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => Describe(d.InstanceLocation.ToString(), d.EvaluationPath.ToString(), e.Key, e.Value)))
            .Concat((results.Errors ?? new Dictionary<string, string>()).Select(e => Describe("", "", e.Key, e.Value)))
            .Distinct(StringComparer.Ordinal)
            .Take(8)
            .ToList();
        return problems.Count > 0 ? string.Join("; ", problems) : "the arguments do not match the tool's parameters";
    }

    /// <summary>"argument 'order_id': ..." for a value at <c>/order_id</c>; root errors (required, unknown) name theirs in the message.</summary>
    private static string Describe(string pointer, string evaluationPath, string keyword, string message)
    {
        if (string.IsNullOrEmpty(pointer) || pointer == "/")
        {
            return keyword == "required" ? "missing required argument " + Missing(message) : message;
        }

        var segments = pointer.TrimStart('/').Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        var argument = string.Join(".", segments);
        // `additionalProperties: false` fails the extra value against the `false` schema; say what that means.
        return evaluationPath.EndsWith("/additionalProperties", StringComparison.Ordinal) && segments.Length == 1
            ? $"argument '{argument}' is not a parameter of the tool"
            : $"argument '{argument}': {message}";
    }

    /// <summary>JsonSchema.Net says <c>Required properties ["a"] are not present</c>; the names are what matter.</summary>
    private static string Missing(string message)
    {
        var start = message.IndexOf('[', StringComparison.Ordinal);
        var end = message.LastIndexOf(']');
        return start >= 0 && end > start ? message[(start + 1)..end].Replace("\"", "'", StringComparison.Ordinal) : "(" + message + ")";
    }

    private JsonSchema Get(string schemaText) => _schemas.Get(schemaText).Schema;
}
