using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atlas.Runtime;

/// <summary>A JSON value that does not fit its declared type; <see cref="Exception.Message"/> says where and why.</summary>
/// <param name="message">Where and why: <c>unknown field "subjct" (Ticket has id, subject, body)</c>.</param>
public sealed class JsonShapeException(string message) : Exception(message);

/// <summary>
/// Checks JSON values against Atlas types and returns them in canonical form: a fresh tree (no
/// node shared with another parent), record fields in declaration order with every field present
/// (an unset optional one as <c>null</c>), <c>int</c> as a 32-bit whole number, <c>float</c> as a
/// double, enum values as their declared names. A property a record does not declare is an error,
/// as it is for generated code's converters (spec/language.md §5).
/// </summary>
/// <remarks>
/// Canonical form is what generated code's records serialize to, so the interpreter's results,
/// and the prompts rendered from its values, are the same as generated code's. Fresh trees also
/// make values safe to read from concurrent steps (nothing is materialized lazily). Thread-safe.
/// </remarks>
public sealed class ValueShapes
{
    private readonly Dictionary<string, RecordDescriptor> _records;
    private readonly Dictionary<string, EnumDescriptor> _enums;

    /// <summary>The shapes of the given records and enums; a type reference may name any of them.</summary>
    /// <param name="records">The declared records, and the built-in <c>Passage</c> if values may hold it.</param>
    /// <param name="enums">The declared enums.</param>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> or <paramref name="enums"/> is null.</exception>
    /// <exception cref="ArgumentException">Two records or two enums have the same name.</exception>
    public ValueShapes(IEnumerable<RecordDescriptor> records, IEnumerable<EnumDescriptor> enums)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(enums);
        _records = records.ToDictionary(r => r.Name, StringComparer.Ordinal);
        _enums = enums.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    /// <summary>
    /// <paramref name="value"/> as a canonical value of <paramref name="type"/>; <paramref name="path"/>
    /// names it in errors (<c>ticket</c>, <c>docs[2].title</c>; empty for "the value").
    /// </summary>
    /// <param name="value">The value; it is not modified.</param>
    /// <param name="type">Its declared type.</param>
    /// <param name="path">Where the value sits, for messages.</param>
    /// <returns>A fresh canonical tree, or null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="type"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="type"/> names a record or enum these shapes do not have.</exception>
    /// <exception cref="JsonShapeException">The value does not fit the type.</exception>
    public JsonNode? Conform(JsonNode? value, AtlasTypeRef type, string path = "")
    {
        ArgumentNullException.ThrowIfNull(type);
        if (value is null || value.GetValueKind() == JsonValueKind.Null)
        {
            if (type.IsOptional || type.Kind == AtlasTypeKind.Any) return null;
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
                if (array[i] is null && element.Kind != AtlasTypeKind.Any)
                    throw new JsonShapeException($"{Name(itemPath)} must be {Describe(element)}, not null");
                items.Add(Conform(array[i], element, itemPath));
            }

            return items;
        }

        switch (type.Kind)
        {
            case AtlasTypeKind.String:
                return value is JsonValue s && s.GetValueKind() == JsonValueKind.String
                    ? JsonValue.Create(s.GetValue<string>())
                    : throw Mismatch(path, type, value);
            case AtlasTypeKind.Int:
                if (value is JsonValue i && i.GetValueKind() == JsonValueKind.Number)
                {
                    if (TryGetInt32(i, out var whole)) return JsonValue.Create(whole);
                    throw new JsonShapeException($"{Name(path)} must be a whole number that fits in 32 bits, not {value.ToJsonString()}");
                }

                throw Mismatch(path, type, value);
            case AtlasTypeKind.Float:
                return value is JsonValue f && f.GetValueKind() == JsonValueKind.Number && TryGetDouble(f, out var number)
                    ? JsonValue.Create(number)
                    : throw Mismatch(path, type, value);
            case AtlasTypeKind.Bool:
                return value.GetValueKind() switch
                {
                    JsonValueKind.True => JsonValue.Create(true),
                    JsonValueKind.False => JsonValue.Create(false),
                    _ => throw Mismatch(path, type, value),
                };
            case AtlasTypeKind.Enum:
            {
                var members = DeclaredEnum(type).Members;
                if (value is JsonValue e && e.GetValueKind() == JsonValueKind.String)
                {
                    var text = e.GetValue<string>();
                    if (members.Contains(text, StringComparer.Ordinal)) return JsonValue.Create(text);
                }

                throw new JsonShapeException($"{Name(path)} must be one of {string.Join(", ", members)}, not {Preview(value)}");
            }

            case AtlasTypeKind.Record:
                return Record(value, DeclaredRecord(type), type, path);
            default:
                return value.DeepClone();
        }
    }

    /// <summary>A number as a double, however the node holds it (parsed JSON, or an int, long or double made in code).</summary>
    /// <param name="value">A JSON value.</param>
    /// <param name="result">The number, or 0.</param>
    /// <returns>Whether <paramref name="value"/> holds a number.</returns>
    public static bool TryGetDouble(JsonValue value, out double result)
    {
        ArgumentNullException.ThrowIfNull(value);
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

    /// <summary>A short description of <paramref name="type"/> for messages: <c>a string</c>, <c>a Ticket (an object)</c>, <c>a list of Ticket</c>.</summary>
    private string Describe(AtlasTypeRef type)
    {
        if (type.IsList) return "a list of " + type.Element;
        return type.Kind switch
        {
            AtlasTypeKind.String => "a string",
            AtlasTypeKind.Int => "a whole number",
            AtlasTypeKind.Float => "a number",
            AtlasTypeKind.Bool => "true or false",
            AtlasTypeKind.Enum => "one of " + string.Join(", ", DeclaredEnum(type).Members),
            AtlasTypeKind.Record => $"a {type.Name} (an object)",
            _ => "a value",
        };
    }

    private JsonObject Record(JsonNode value, RecordDescriptor record, AtlasTypeRef type, string path)
    {
        if (value is not JsonObject obj) throw Mismatch(path, type, value);
        var fields = record.Fields;
        foreach (var (name, _) in obj)
        {
            if (!fields.Any(f => string.Equals(f.Name, name, StringComparison.Ordinal)))
                throw new JsonShapeException(AtlasJsonReader.UnknownFieldMessage(Join(path, name), record.Name, fields.Select(f => f.Name)));
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

    private RecordDescriptor DeclaredRecord(AtlasTypeRef type) =>
        _records.TryGetValue(type.Name, out var record) ? record : throw new ArgumentException($"No record named '{type.Name}' is known here.", nameof(type));

    private EnumDescriptor DeclaredEnum(AtlasTypeRef type) =>
        _enums.TryGetValue(type.Name, out var declared) ? declared : throw new ArgumentException($"No enum named '{type.Name}' is known here.", nameof(type));

    private JsonShapeException Mismatch(string path, AtlasTypeRef type, JsonNode value) =>
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
