using System;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atlas.Runtime;

/// <summary>
/// Reads a person's answer as a value of a human step's result type: a <c>bool</c> also from y/yes/n/no, an enum from its
/// bare member name, a <c>string</c> from any text, anything else as JSON validated against the type's schema.
/// </summary>
/// <remarks>The terminal prompt, <c>atlas runs answer</c> and the runtime (for a recorded or a host's answer) all read answers here. Thread-safe.</remarks>
public static class HumanAnswers
{
    private static readonly StructuredOutput Validator = new();

    /// <summary>Reads <paramref name="text"/> as an answer of <paramref name="resultTypeName"/>.</summary>
    /// <param name="text">What the person typed, or JSON.</param>
    /// <param name="resultTypeName">The human's result type (<c>string</c> when <paramref name="resultSchema"/> is null).</param>
    /// <param name="resultSchema">Its JSON schema; <see langword="null"/> for <c>string</c>.</param>
    /// <param name="value">The answer as canonical JSON when it is valid.</param>
    /// <param name="problem">What is wrong with it otherwise, one line.</param>
    /// <returns>Whether the answer is valid.</returns>
    public static bool TryRead(string text, string resultTypeName, string? resultSchema, out JsonNode? value, out string problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(resultTypeName);
        var trimmed = text.Trim();
        value = null;
        problem = string.Empty;
        if (resultSchema is null)
        {
            // Text: a JSON string literal is taken as its value, anything else as typed.
            value = JsonValue.Create(TryParse(trimmed) is JsonValue literal && literal.GetValueKind() == JsonValueKind.String ? literal.GetValue<string>() : text);
            return true;
        }

        var schema = TryParse(resultSchema) as JsonObject;
        var type = schema?["type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null;
        if (type == "boolean")
        {
            switch (trimmed.ToLowerInvariant())
            {
                case "y" or "yes" or "true":
                    value = JsonValue.Create(true);
                    return true;
                case "n" or "no" or "false":
                    value = JsonValue.Create(false);
                    return true;
                default:
                    problem = "answer y or n";
                    return false;
            }
        }

        if (schema?["enum"] is JsonArray members && !trimmed.StartsWith('"'))
        {
            var names = members.Select(m => m?.ToString()).ToList();
            if (names.Contains(trimmed, StringComparer.Ordinal))
            {
                value = JsonValue.Create(trimmed);
                return true;
            }

            problem = $"answer one of {string.Join(", ", names)}";
            return false;
        }

        if (Validator.TryParse(trimmed, resultSchema, out value, out var error))
        {
            return true;
        }

        problem = error.Replace("the reply", "the answer", StringComparison.Ordinal) + $" (a {resultTypeName} as JSON)";
        return false;
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
