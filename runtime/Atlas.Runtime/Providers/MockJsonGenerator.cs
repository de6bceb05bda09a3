using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atlas.Runtime;

/// <summary>
/// Builds a JSON value valid against a JSON schema, deterministically from a seed and the prompt's
/// words: every property of an object (so all required ones), enum values from the list, arrays of
/// 1–3 items, integers 1..5, strings made of prompt words. Handles <c>$ref</c> into the same
/// document, <c>anyOf</c>/<c>oneOf</c>, type unions with <c>null</c>, bounds and lengths.
/// Depth-safe for any schema: below <see cref="MaxDepth"/> only required properties are filled
/// and arrays get their minimum; at <see cref="HardDepth"/> generation stops with <c>null</c>
/// (only a schema no finite value satisfies, such as a required self-reference or a <c>$ref</c>
/// to itself, gets that far; Atlas types like that are ATL2023).
/// </summary>
internal sealed class MockJsonGenerator
{
    private const int MaxDepth = 6;
    internal const int HardDepth = 32;

    // minItems is the schema's to choose; a mock reply never needs more items than this.
    internal const int MaxItems = 1_000;
    private readonly JsonElement _root;
    private readonly DeterministicRandom _random;
    private readonly IReadOnlyList<string> _words;

    public MockJsonGenerator(JsonElement root, DeterministicRandom random, IReadOnlyList<string> words)
    {
        _root = root;
        _random = random;
        _words = words.Count > 0 ? words : ["mock", "value"];
    }

    public JsonNode? Generate() => Generate(_root, "value", 0);

    private JsonNode? Generate(JsonElement schema, string name, int depth)
    {
        if (schema.ValueKind == JsonValueKind.False || depth >= HardDepth)
        {
            return null;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            return Text(name, null, null);
        }

        if (schema.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String && Resolve(reference.GetString()!) is { } target)
        {
            return Generate(target, name, depth + 1);
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            return JsonNode.Parse(constant.GetRawText());
        }

        if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0)
        {
            var candidates = values.EnumerateArray().Where(v => v.ValueKind != JsonValueKind.Null).ToList();
            var chosen = candidates.Count > 0 ? candidates[_random.Next(candidates.Count)] : values[0];
            return JsonNode.Parse(chosen.GetRawText());
        }

        foreach (var combinator in new[] { "anyOf", "oneOf", "allOf" })
        {
            if (schema.TryGetProperty(combinator, out var options) && options.ValueKind == JsonValueKind.Array && options.GetArrayLength() > 0)
            {
                var option = options.EnumerateArray().FirstOrDefault(o => !IsNullOnly(o));
                return Generate(option.ValueKind == JsonValueKind.Undefined ? options[0] : option, name, depth + 1);
            }
        }

        return TypeOf(schema) switch
        {
            "object" => Object(schema, depth),
            "array" => Array(schema, name, depth),
            "integer" => Integer(schema),
            "number" => Number(schema),
            "boolean" => JsonValue.Create(_random.Next(2) == 1),
            "null" => null,
            _ => Text(name, Int(schema, "minLength"), Int(schema, "maxLength"), Str(schema, "format")),
        };
    }

    private JsonObject Object(JsonElement schema, int depth)
    {
        var result = new JsonObject();
        if (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            return result;
        }

        var required = schema.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in properties.EnumerateObject())
        {
            // Deep in a recursive type only what is required, so generation always ends.
            if (depth >= MaxDepth && !required.Contains(property.Name))
            {
                continue;
            }

            result[property.Name] = depth >= MaxDepth && AllowsNull(property.Value) ? null : Generate(property.Value, property.Name, depth + 1);
        }

        return result;
    }

    private JsonArray Array(JsonElement schema, string name, int depth)
    {
        var min = Math.Clamp(Int(schema, "minItems") ?? 0, 0, MaxItems);
        var max = Int(schema, "maxItems") ?? int.MaxValue;
        var count = depth >= MaxDepth ? min : (int)Math.Clamp(1 + _random.Next(3), min, Math.Max(min, max));
        var result = new JsonArray();
        var prefix = schema.TryGetProperty("prefixItems", out var p) && p.ValueKind == JsonValueKind.Array ? p.EnumerateArray().ToList() : new List<JsonElement>();
        var items = schema.TryGetProperty("items", out var i) ? i : default;
        for (var n = 0; n < count; n++)
        {
            var itemSchema = n < prefix.Count ? prefix[n] : items;
            result.Add(itemSchema.ValueKind == JsonValueKind.Undefined ? JsonValue.Create(Word(n)) : Generate(itemSchema, Singular(name), depth + 1));
        }

        return result;
    }

    private JsonNode Integer(JsonElement schema)
    {
        var (low, high) = Bounds(schema, integer: true);
        return JsonValue.Create(_random.Between((long)Math.Ceiling(low), (long)Math.Floor(high)));
    }

    private JsonNode Number(JsonElement schema)
    {
        var (low, high) = Bounds(schema, integer: false);
        var value = _random.Between((long)Math.Ceiling(low), (long)Math.Floor(high));
        var withHalf = value + 0.5;
        return JsonValue.Create(withHalf <= high ? withHalf : (double)value);
    }

    private (double Low, double High) Bounds(JsonElement schema, bool integer)
    {
        var step = integer ? 1 : 0.001;
        var low = Num(schema, "minimum") ?? (Num(schema, "exclusiveMinimum") is { } el ? el + step : (double?)null);
        var high = Num(schema, "maximum") ?? (Num(schema, "exclusiveMaximum") is { } eh ? eh - step : (double?)null);
        var lo = low ?? (high is { } h && h < 1 ? h - 4 : 1);
        var hi = high ?? Math.Max(lo + 4, 5);
        hi = Math.Min(hi, lo + 4);
        return (lo, Math.Max(lo, hi));
    }

    private JsonNode Text(string name, int? minLength, int? maxLength, string? format = null)
    {
        var text = format switch
        {
            "date-time" => new DateTimeOffset(2025, 1, 1 + _random.Next(28), _random.Next(24), 0, 0, TimeSpan.Zero).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            "date" => new DateTime(2025, 1, 1 + _random.Next(28), 0, 0, 0, DateTimeKind.Utc).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "time" => string.Create(CultureInfo.InvariantCulture, $"{_random.Next(24):00}:{_random.Next(60):00}:00"),
            "email" => $"{Slug(Word(0))}@example.com",
            "uri" or "url" => $"https://example.com/{Slug(Word(0))}",
            "uuid" => new Guid((int)_random.NextUInt64(), (short)_random.Next(short.MaxValue), (short)(0x4000 | _random.Next(0x0FFF)), 0x80, 0, 0, 0, 0, 0, 0, 0).ToString(),
            _ => Phrase(name),
        };
        if (minLength is { } min && text.Length < min)
        {
            text = text.PadRight(min, '.');
        }

        if (maxLength is { } max && max >= 0 && text.Length > max)
        {
            text = text[..max];
        }

        return JsonValue.Create(text);
    }

    private string Phrase(string name)
    {
        var start = _random.Next(_words.Count);
        var length = 2 + _random.Next(3);
        var words = Enumerable.Range(0, length).Select(i => _words[(start + i) % _words.Count]);
        return name is "value" or "item" ? string.Join(' ', words) : $"{name.Replace('_', ' ')}: {string.Join(' ', words)}";
    }

    private string Word(int offset) => _words[(_random.Next(_words.Count) + offset) % _words.Count];

    private JsonElement? Resolve(string reference)
    {
        if (!reference.StartsWith('#'))
        {
            return null;
        }

        var current = _root;
        foreach (var part in reference[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var key = Uri.UnescapeDataString(part).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(key, out var next))
            {
                current = next;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    private static string TypeOf(JsonElement schema)
    {
        if (schema.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.String)
            {
                return type.GetString()!;
            }

            if (type.ValueKind == JsonValueKind.Array)
            {
                var names = type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!).ToList();
                return names.FirstOrDefault(n => n != "null") ?? "null";
            }
        }

        return schema.TryGetProperty("properties", out _) ? "object" : schema.TryGetProperty("items", out _) ? "array" : "string";
    }

    private static bool IsNullOnly(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null";

    private static bool AllowsNull(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (schema.TryGetProperty("type", out var t))
        {
            return t.ValueKind == JsonValueKind.String ? t.GetString() == "null" : t.ValueKind == JsonValueKind.Array && t.EnumerateArray().Any(x => x.ValueKind == JsonValueKind.String && x.GetString() == "null");
        }

        return (schema.TryGetProperty("anyOf", out var any) || schema.TryGetProperty("oneOf", out any)) && any.ValueKind == JsonValueKind.Array && any.EnumerateArray().Any(IsNullOnly);
    }

    private static int? Int(JsonElement schema, string keyword) =>
        schema.TryGetProperty(keyword, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

    private static double? Num(JsonElement schema, string keyword) =>
        schema.TryGetProperty(keyword, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static string? Str(JsonElement schema, string keyword) =>
        schema.TryGetProperty(keyword, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Singular(string name) => name.Length > 3 && name.EndsWith('s') ? name[..^1] : "item";

    private static string Slug(string word) => new(word.ToLowerInvariant().Where(char.IsLetterOrDigit).DefaultIfEmpty('x').ToArray());
}
