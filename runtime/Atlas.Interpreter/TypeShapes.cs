using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atlas.Compiler.Model;

namespace Atlas.Interpreter;

/// <summary>A JSON value that does not fit its declared type; <see cref="Exception.Message"/> says where and why.</summary>
public sealed class JsonShapeException(string message) : Exception(message);

/// <summary>
/// Checks JSON values against Atlas types and returns them in canonical form: a fresh tree (no
/// node shared with another parent), record fields in declaration order with every field present
/// (an unset optional one as <c>null</c>), <c>int</c> as a 32-bit whole number, <c>float</c> as a
/// double, enum values as their declared names.
/// </summary>
/// <remarks>
/// Canonical form is what generated code's records serialize to, so the interpreter's results,
/// and the prompts rendered from its values, are the same as generated code's. Fresh trees also
/// make values safe to read from concurrent steps (nothing is materialized lazily). Thread-safe.
/// </remarks>
public sealed class TypeShapes
{
    /// <summary>The fields of the built-in <c>Passage</c>, as the runtime's <c>Passage</c> record serializes them.</summary>
    internal static readonly FieldModel[] PassageFields =
    [
        new("text", TypeRef.String),
        new("source", TypeRef.String),
        new("score", TypeRef.Float),
        new("heading", TypeRef.String with { IsOptional = true }),
        new("title", TypeRef.String with { IsOptional = true }),
    ];

    private readonly Dictionary<string, TypeModel> _types;
    private readonly Dictionary<string, HashSet<string>> _enums;

    /// <summary>The shapes of <paramref name="model"/>'s records and enums.</summary>
    /// <param name="model">The bound model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public TypeShapes(AtlasModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _types = model.Types.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _enums = model.Enums.ToDictionary(e => e.Name, e => new HashSet<string>(e.Members, StringComparer.Ordinal), StringComparer.Ordinal);
    }

    /// <summary>
    /// <paramref name="value"/> as a canonical value of <paramref name="type"/>; <paramref name="path"/>
    /// names it in errors (<c>ticket</c>, <c>docs[2].title</c>; empty for "the value").
    /// </summary>
    /// <exception cref="JsonShapeException">The value does not fit the type.</exception>
    public JsonNode? Conform(JsonNode? value, TypeRef type, string path = "")
    {
        ArgumentNullException.ThrowIfNull(type);
        if (value is null || value.GetValueKind() == JsonValueKind.Null)
        {
            if (type.IsOptional || type.Kind == TypeKind.Error) return null;
            throw new JsonShapeException($"{Name(path)} must be {Describe(type)}, not null");
        }

        if (type.IsList)
        {
            if (value is not JsonArray array) throw Mismatch(path, type, value);
            var items = new JsonArray();
            var element = type.Element;
            for (var i = 0; i < array.Count; i++)
            {
                var itemPath = path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
                if (array[i] is null && element.Kind != TypeKind.Error)
                    throw new JsonShapeException($"{Name(itemPath)} must be {Describe(element)}, not null");
                items.Add(Conform(array[i], element, itemPath));
            }

            return items;
        }

        switch (type.Kind)
        {
            case TypeKind.String:
                return value is JsonValue s && s.GetValueKind() == JsonValueKind.String
                    ? JsonValue.Create(s.GetValue<string>())
                    : throw Mismatch(path, type, value);
            case TypeKind.Int:
                if (value is JsonValue i && i.GetValueKind() == JsonValueKind.Number)
                {
                    if (TryGetInt32(i, out var whole)) return JsonValue.Create(whole);
                    throw new JsonShapeException($"{Name(path)} must be a whole number that fits in 32 bits, not {value.ToJsonString()}");
                }

                throw Mismatch(path, type, value);
            case TypeKind.Float:
                return value is JsonValue f && f.GetValueKind() == JsonValueKind.Number && TryGetDouble(f, out var number)
                    ? JsonValue.Create(number)
                    : throw Mismatch(path, type, value);
            case TypeKind.Bool:
                return value.GetValueKind() switch
                {
                    JsonValueKind.True => JsonValue.Create(true),
                    JsonValueKind.False => JsonValue.Create(false),
                    _ => throw Mismatch(path, type, value),
                };
            case TypeKind.Enum:
            {
                if (value is JsonValue e && e.GetValueKind() == JsonValueKind.String)
                {
                    var text = e.GetValue<string>();
                    if (!_enums.TryGetValue(type.Name, out var members) || members.Contains(text)) return JsonValue.Create(text);
                }

                throw new JsonShapeException($"{Name(path)} must be one of {EnumValues(type.Name)}, not {Preview(value)}");
            }

            case TypeKind.Passage:
                return Record(value, PassageFields, "Passage", type, path);
            case TypeKind.Record:
                return _types.TryGetValue(type.Name, out var record)
                    ? Record(value, record.Fields, record.Name, type, path)
                    : value.DeepClone();
            default:
                return value.DeepClone();
        }
    }

    /// <summary>A short description of <paramref name="type"/> for messages: <c>a string</c>, <c>a Ticket (an object)</c>, <c>a list of Ticket</c>.</summary>
    public string Describe(TypeRef type)
    {
        if (type.IsList) return "a list of " + type.Element;
        return type.Kind switch
        {
            TypeKind.String => "a string",
            TypeKind.Int => "a whole number",
            TypeKind.Float => "a number",
            TypeKind.Bool => "true or false",
            TypeKind.Enum => "one of " + EnumValues(type.Name),
            TypeKind.Passage or TypeKind.Record => $"a {type.Name} (an object)",
            _ => "a value",
        };
    }

    private JsonObject Record(JsonNode value, IReadOnlyList<FieldModel> fields, string typeName, TypeRef type, string path)
    {
        if (value is not JsonObject obj) throw Mismatch(path, type, value);
        foreach (var (name, _) in obj)
        {
            if (!fields.Any(f => string.Equals(f.Name, name, StringComparison.Ordinal)))
            {
                var known = string.Join(", ", fields.Select(f => f.Name));
                throw new JsonShapeException($"unknown field \"{Join(path, name)}\" ({typeName} has {known})");
            }
        }

        var result = new JsonObject();
        foreach (var field in fields)
        {
            var fieldPath = Join(path, field.Name);
            if (!obj.TryGetPropertyValue(field.Name, out var fieldValue))
            {
                if (!field.Type.IsOptional) throw new JsonShapeException($"field \"{fieldPath}\" is missing");
                result.Add(field.Name, null);
                continue;
            }

            result.Add(field.Name, Conform(fieldValue, field.Type, fieldPath));
        }

        return result;
    }

    private string EnumValues(string name) =>
        _enums.TryGetValue(name, out var members) ? string.Join(", ", members) : name;

    private JsonShapeException Mismatch(string path, TypeRef type, JsonNode value) =>
        new($"{Name(path)} must be {Describe(type)}, not {Kind(value)}");

    private static bool TryGetInt32(JsonValue value, out int result)
    {
        if (value.TryGetValue(out result)) return true;
        if (value.TryGetValue(out JsonElement element)) return element.TryGetInt32(out result);
        if (value.TryGetValue(out long l) && l is >= int.MinValue and <= int.MaxValue)
        {
            result = (int)l;
            return true;
        }

        if (value.TryGetValue(out double d) && Math.Floor(d) == d && d is >= int.MinValue and <= int.MaxValue)
        {
            result = (int)d;
            return true;
        }

        result = 0;
        return false;
    }

    /// <summary>A number as a double, however the node holds it (parsed JSON, or an int or double made in code).</summary>
    internal static bool TryGetDouble(JsonValue value, out double result)
    {
        if (value.TryGetValue(out result)) return true;
        if (value.TryGetValue(out int i))
        {
            result = i;
            return true;
        }

        if (value.TryGetValue(out long l))
        {
            result = l;
            return true;
        }

        if (value.TryGetValue(out JsonElement element) && element.ValueKind == JsonValueKind.Number) return element.TryGetDouble(out result);
        result = 0;
        return false;
    }

    private static string Kind(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string (" + Preview(value) + ")",
        JsonValueKind.Number => "a number (" + value.ToJsonString() + ")",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Preview(JsonNode value)
    {
        var text = value.ToJsonString();
        return text.Length <= 40 ? text : text[..37] + "...";
    }

    private static string Name(string path) => path.Length == 0 ? "the value" : $"\"{path}\"";

    private static string Join(string path, string field) => path.Length == 0 ? field : path + "." + field;
}
