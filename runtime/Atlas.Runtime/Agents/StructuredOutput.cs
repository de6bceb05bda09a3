using System;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Atlas.Runtime;

/// <summary>Parses a model's reply as JSON and validates it against the result type's schema (JsonSchema.Net). Thread-safe.</summary>
internal sealed class StructuredOutput
{
    private readonly SchemaCache _schemas = new();

    public JsonElement SchemaElement(string schemaText) => Get(schemaText).Element;

    /// <summary>The reply as validated JSON, or a one-line description of what is wrong with it.</summary>
    public bool TryParse(string reply, string schemaText, out JsonNode? value, out string error)
    {
        value = null;
        var text = StripFence(reply);
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            error = $"the reply is not valid JSON ({ex.Message})";
            return false;
        }

        using var document = JsonDocument.Parse(text);
        var results = Get(schemaText).Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!results.IsValid)
        {
            var problems = (results.Details ?? [])
                .Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{Location(d.InstanceLocation.ToString())}: {e.Value}"))
                .Distinct()
                .Take(8)
                .ToList();
            if (problems.Count == 0 && results.Errors is { Count: > 0 } rootErrors)
            {
                problems.AddRange(rootErrors.Select(e => $"(root): {e.Value}"));
            }

            error = "the reply does not match the schema: " + (problems.Count > 0 ? string.Join("; ", problems) : "invalid");
            return false;
        }

        value = parsed;
        error = string.Empty;
        return true;
    }

    /// <summary>Models often wrap JSON in a Markdown code fence; the JSON inside is what counts.</summary>
    internal static string StripFence(string reply)
    {
        var text = reply.Trim();
        if (!text.StartsWith("```", StringComparison.Ordinal))
        {
            return text;
        }

        var firstLineEnd = text.IndexOf('\n', StringComparison.Ordinal);
        var closing = text.LastIndexOf("```", StringComparison.Ordinal);
        return firstLineEnd < 0 || closing <= firstLineEnd ? text.Trim('`') : text[(firstLineEnd + 1)..closing].Trim();
    }

    private static string Location(string? pointer) => string.IsNullOrEmpty(pointer) ? "(root)" : pointer;

    private (JsonSchema Schema, JsonElement Element) Get(string schemaText) => _schemas.Get(schemaText);
}
