using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Atlas.Compiler.Model;

namespace Atlas.Compiler.Lowering;

/// <summary>
/// JSON schemas of Atlas types, with the names as declared: records are objects whose
/// <c>required</c> lists the non-optional fields and that allow no other properties, enums are
/// string <c>enum</c>s, lists are arrays with <c>items</c>, optional values also allow <c>null</c>.
/// Nested records are written inline; a record that contains itself refers back with
/// <c>$ref</c> (<c>#</c> for the root, <c>#/$defs/Name</c> otherwise). Output is indented JSON
/// with <c>\n</c> line ends, so it is readable as a C# raw string and deterministic.
/// </summary>
/// <remarks>
/// The one schema generator of Atlas: the C# emitter writes its text into generated records and
/// agents, and the CLI interpreter hands the same text to the runtime for structured results. Both
/// must get it character for character alike: the <c>mock</c> provider seeds its replies with the
/// schema's text, so any difference would make generated code and <c>atlas run</c> answer
/// differently. Thread-safe after construction (it only reads the model).
/// </remarks>
public sealed class JsonSchemas
{
    private readonly Dictionary<string, TypeModel> _types;
    private readonly Dictionary<string, EnumModel> _enums;

    /// <summary>Creates the schemas of <paramref name="model"/>'s types and enums.</summary>
    /// <param name="model">A bound model; types it does not declare get an empty schema (<c>{}</c>).</param>
    public JsonSchemas(AtlasModel model)
    {
        if (model is null) throw new ArgumentNullException(nameof(model));
        _types = model.Types.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _enums = model.Enums.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    /// <summary>The schema of a value of <paramref name="type"/> (a record's root schema when it is a plain record).</summary>
    /// <param name="type">Any Atlas type: a scalar, an enum, a record, <c>Passage</c>, a list, optional or not.</param>
    /// <returns>The schema as indented JSON text (<c>\n</c> line ends, no trailing newline).</returns>
    public string For(TypeRef type)
    {
        var context = new Context(type.Kind == TypeKind.Record && !type.IsList ? type.Name : null);
        var root = Value(type, context);
        if (context.Definitions.Count > 0 && root is JsonObject rootObject)
        {
            var definitions = new JsonObject();
            // Definitions can discover further definitions; expand until none is new.
            for (int i = 0; i < context.Definitions.Count; i++)
            {
                var name = context.Definitions[i];
                context.Stack.Clear();
                context.Stack.Add(name);
                definitions.Add(name, RecordSchema(_types[name], optional: false, context));
                context.Stack.Clear();
            }

            rootObject.Add("$defs", definitions);
        }

        var builder = new StringBuilder();
        Write(root, builder, 0);
        return builder.ToString();
    }

    /// <summary>The schema of a tool's arguments: an object with one property per parameter.</summary>
    /// <param name="parameters">The tool's parameters, in order; the non-optional ones are <c>required</c>.</param>
    /// <returns>The schema as indented JSON text, like <see cref="For"/>.</returns>
    public string ForParameters(IReadOnlyList<ParameterModel> parameters)
    {
        if (parameters is null) throw new ArgumentNullException(nameof(parameters));
        var context = new Context(null);
        var properties = new JsonObject();
        foreach (var parameter in parameters) properties.Add(parameter.Name, Value(parameter.Type, context));
        var root = new JsonObject
        {
            { "type", new JsonString("object") },
            { "properties", properties },
            { "required", new JsonArray(parameters.Where(p => !p.Type.IsOptional).Select(p => (JsonValue)new JsonString(p.Name))) },
            { "additionalProperties", new JsonLiteral("false") },
        };
        var builder = new StringBuilder();
        Write(root, builder, 0);
        return builder.ToString();
    }

    private sealed class Context
    {
        public Context(string? root) => Root = root;

        public string? Root { get; }

        /// <summary>Records being written, outermost first (to find recursion).</summary>
        public List<string> Stack { get; } = new();

        public List<string> Definitions { get; } = new();
    }

    private JsonValue Value(TypeRef type, Context context)
    {
        if (type.IsList)
        {
            return new JsonObject
            {
                { "type", Types("array", type.IsOptional) },
                { "items", Value(type.Element, context) },
            };
        }

        switch (type.Kind)
        {
            case TypeKind.String: return Scalar("string", type.IsOptional);
            case TypeKind.Int: return Scalar("integer", type.IsOptional);
            case TypeKind.Float: return Scalar("number", type.IsOptional);
            case TypeKind.Bool: return Scalar("boolean", type.IsOptional);
            case TypeKind.Enum:
            {
                var members = _enums.TryGetValue(type.Name, out var model) ? model.Members.AsImmutableArray() : default;
                var values = members.IsDefault ? new List<JsonValue>() : members.Select(m => (JsonValue)new JsonString(m)).ToList();
                if (type.IsOptional) values.Add(new JsonLiteral("null"));
                return new JsonObject { { "type", Types("string", type.IsOptional) }, { "enum", new JsonArray(values) } };
            }

            case TypeKind.Passage:
                return ObjectSchema(BuiltInTypes.Passage.Fields, type.IsOptional, context);
            case TypeKind.Record:
            {
                if (context.Stack.Contains(type.Name, StringComparer.Ordinal))
                {
                    string reference = type.Name == context.Root ? "#" : "#/$defs/" + type.Name;
                    if (type.Name != context.Root && !context.Definitions.Contains(type.Name, StringComparer.Ordinal)) context.Definitions.Add(type.Name);
                    var target = new JsonObject { { "$ref", new JsonString(reference) } };
                    return type.IsOptional
                        ? new JsonObject { { "anyOf", new JsonArray(new JsonValue[] { target, new JsonObject { { "type", new JsonString("null") } } }) } }
                        : target;
                }

                return _types.TryGetValue(type.Name, out var record) ? RecordSchema(record, type.IsOptional, context) : new JsonObject();
            }

            default:
                return new JsonObject();
        }
    }

    private JsonObject RecordSchema(TypeModel record, bool optional, Context context)
    {
        context.Stack.Add(record.Name);
        var schema = ObjectSchema(record.Fields, optional, context);
        context.Stack.RemoveAt(context.Stack.Count - 1);
        return schema;
    }

    private JsonObject ObjectSchema(IReadOnlyList<FieldModel> fields, bool optional, Context context)
    {
        var properties = new JsonObject();
        foreach (var field in fields) properties.Add(field.Name, Value(field.Type, context));
        return new JsonObject
        {
            { "type", Types("object", optional) },
            { "properties", properties },
            { "required", new JsonArray(fields.Where(f => !f.Type.IsOptional).Select(f => (JsonValue)new JsonString(f.Name))) },
            { "additionalProperties", new JsonLiteral("false") },
        };
    }

    private static JsonObject Scalar(string type, bool optional) => new() { { "type", Types(type, optional) } };

    private static JsonValue Types(string type, bool optional) =>
        optional ? new JsonArray(new JsonValue[] { new JsonString(type), new JsonString("null") }) : new JsonString(type);

    // ---------- a tiny ordered JSON tree and its writer ----------

    private abstract class JsonValue
    {
    }

    private sealed class JsonString : JsonValue
    {
        public JsonString(string value) => Value = value;

        public string Value { get; }
    }

    private sealed class JsonLiteral : JsonValue
    {
        public JsonLiteral(string text) => Text = text;

        public string Text { get; }
    }

    private sealed class JsonArray : JsonValue
    {
        public JsonArray(IEnumerable<JsonValue> items) => Items = items.ToList();

        public List<JsonValue> Items { get; }
    }

    private sealed class JsonObject : JsonValue, IEnumerable<KeyValuePair<string, JsonValue>>
    {
        private readonly List<KeyValuePair<string, JsonValue>> _members = new();

        public int Count => _members.Count;

        public void Add(string name, JsonValue value) => _members.Add(new KeyValuePair<string, JsonValue>(name, value));

        public IEnumerator<KeyValuePair<string, JsonValue>> GetEnumerator() => _members.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Objects one member a line; arrays of scalars on one line, arrays of objects one item a line.</summary>
    private static void Write(JsonValue value, StringBuilder builder, int indent)
    {
        switch (value)
        {
            case JsonString s:
                WriteString(s.Value, builder);
                break;
            case JsonLiteral literal:
                builder.Append(literal.Text);
                break;
            case JsonArray array when array.Items.All(i => i is JsonString or JsonLiteral):
                builder.Append('[');
                for (int i = 0; i < array.Items.Count; i++)
                {
                    if (i > 0) builder.Append(", ");
                    Write(array.Items[i], builder, indent);
                }

                builder.Append(']');
                break;
            case JsonArray array:
                builder.Append("[\n");
                for (int i = 0; i < array.Items.Count; i++)
                {
                    builder.Append(' ', (indent + 1) * 2);
                    Write(array.Items[i], builder, indent + 1);
                    builder.Append(i < array.Items.Count - 1 ? ",\n" : "\n");
                }

                builder.Append(' ', indent * 2).Append(']');
                break;
            case JsonObject obj when obj.Count == 0:
                builder.Append("{}");
                break;
            case JsonObject obj:
                builder.Append("{\n");
                int index = 0;
                foreach (var member in obj)
                {
                    builder.Append(' ', (indent + 1) * 2);
                    WriteString(member.Key, builder);
                    builder.Append(": ");
                    Write(member.Value, builder, indent + 1);
                    builder.Append(++index < obj.Count ? ",\n" : "\n");
                }

                builder.Append(' ', indent * 2).Append('}');
                break;
        }
    }

    private static void WriteString(string value, StringBuilder builder)
    {
        builder.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < ' ') builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    else builder.Append(c);
                    break;
            }
        }

        builder.Append('"');
    }
}
