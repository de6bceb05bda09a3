using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Atlas.Compiler.Model;

namespace Atlas.Cli.Interpreter;

/// <summary>
/// The JSON schema of an Atlas type, as text, for an agent's structured result: names as
/// declared, records as objects whose <c>required</c> lists the non-optional fields and that allow
/// no other properties, enums as string <c>enum</c>s, lists as arrays, <c>float</c> as
/// <c>number</c>, optional values also allowing <c>null</c>. A record that contains itself refers
/// back with <c>$ref</c>.
/// </summary>
/// <remarks>
/// The text is character for character what the C# emitter writes into generated agents
/// (indented, <c>\n</c> line ends, arrays of scalars on one line). It has to be: the mock provider
/// seeds its replies with the schema's text, and the interpreter must give the same results as
/// generated code. Thread-safe after construction.
/// </remarks>
internal sealed class JsonSchemaText
{
    private readonly Dictionary<string, TypeModel> _types;
    private readonly Dictionary<string, EnumModel> _enums;

    public JsonSchemaText(AtlasModel model)
    {
        _types = model.Types.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _enums = model.Enums.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    /// <summary>The schema of a value of <paramref name="type"/>.</summary>
    public string For(TypeRef type)
    {
        var context = new Context(type.Kind == TypeKind.Record && !type.IsList ? type.Name : null);
        var root = Value(type, context);
        if (context.Definitions.Count > 0 && root is ObjectNode rootObject)
        {
            var definitions = new ObjectNode();
            // A definition can discover further definitions: expand until none is new.
            for (var i = 0; i < context.Definitions.Count; i++)
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

    private sealed class Context(string? root)
    {
        public string? Root { get; } = root;

        /// <summary>Records being written, outermost first (to find recursion).</summary>
        public List<string> Stack { get; } = new();

        public List<string> Definitions { get; } = new();
    }

    private Node Value(TypeRef type, Context context)
    {
        if (type.IsList)
        {
            return new ObjectNode
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
                var values = _enums.TryGetValue(type.Name, out var model)
                    ? model.Members.Select(m => (Node)new StringNode(m)).ToList()
                    : new List<Node>();
                if (type.IsOptional) values.Add(new LiteralNode("null"));
                return new ObjectNode { { "type", Types("string", type.IsOptional) }, { "enum", new ArrayNode(values) } };
            }

            case TypeKind.Passage:
                return ObjectSchema(TypeShapes.PassageFields, type.IsOptional, context);
            case TypeKind.Record:
            {
                if (context.Stack.Contains(type.Name, StringComparer.Ordinal))
                {
                    var reference = type.Name == context.Root ? "#" : "#/$defs/" + type.Name;
                    if (type.Name != context.Root && !context.Definitions.Contains(type.Name, StringComparer.Ordinal)) context.Definitions.Add(type.Name);
                    var target = new ObjectNode { { "$ref", new StringNode(reference) } };
                    return type.IsOptional
                        ? new ObjectNode { { "anyOf", new ArrayNode([target, new ObjectNode { { "type", new StringNode("null") } }]) } }
                        : target;
                }

                return _types.TryGetValue(type.Name, out var record) ? RecordSchema(record, type.IsOptional, context) : new ObjectNode();
            }

            default:
                return new ObjectNode();
        }
    }

    private ObjectNode RecordSchema(TypeModel record, bool optional, Context context)
    {
        context.Stack.Add(record.Name);
        var schema = ObjectSchema(record.Fields, optional, context);
        context.Stack.RemoveAt(context.Stack.Count - 1);
        return schema;
    }

    private ObjectNode ObjectSchema(IReadOnlyList<FieldModel> fields, bool optional, Context context)
    {
        var properties = new ObjectNode();
        foreach (var field in fields) properties.Add(field.Name, Value(field.Type, context));
        return new ObjectNode
        {
            { "type", Types("object", optional) },
            { "properties", properties },
            { "required", new ArrayNode(fields.Where(f => !f.Type.IsOptional).Select(f => (Node)new StringNode(f.Name))) },
            { "additionalProperties", new LiteralNode("false") },
        };
    }

    private static ObjectNode Scalar(string type, bool optional) => new() { { "type", Types(type, optional) } };

    private static Node Types(string type, bool optional) =>
        optional ? new ArrayNode([new StringNode(type), new StringNode("null")]) : new StringNode(type);

    // An ordered tree of its own rather than System.Text.Json.Nodes: the layout below (scalar
    // arrays on one line) is not one Utf8JsonWriter can produce.
    private abstract class Node;

    private sealed class StringNode(string value) : Node
    {
        public string Value { get; } = value;
    }

    private sealed class LiteralNode(string text) : Node
    {
        public string Text { get; } = text;
    }

    private sealed class ArrayNode(IEnumerable<Node> items) : Node
    {
        public List<Node> Items { get; } = items.ToList();
    }

    private sealed class ObjectNode : Node, IEnumerable<KeyValuePair<string, Node>>
    {
        private readonly List<KeyValuePair<string, Node>> _members = new();

        public int Count => _members.Count;

        public void Add(string name, Node value) => _members.Add(new KeyValuePair<string, Node>(name, value));

        public IEnumerator<KeyValuePair<string, Node>> GetEnumerator() => _members.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Objects one member a line; arrays of scalars on one line, arrays of objects one item a line.</summary>
    private static void Write(Node value, StringBuilder builder, int indent)
    {
        switch (value)
        {
            case StringNode s:
                WriteString(s.Value, builder);
                break;
            case LiteralNode literal:
                builder.Append(literal.Text);
                break;
            case ArrayNode array when array.Items.All(i => i is StringNode or LiteralNode):
                builder.Append('[');
                for (var i = 0; i < array.Items.Count; i++)
                {
                    if (i > 0) builder.Append(", ");
                    Write(array.Items[i], builder, indent);
                }

                builder.Append(']');
                break;
            case ArrayNode array:
                builder.Append("[\n");
                for (var i = 0; i < array.Items.Count; i++)
                {
                    builder.Append(' ', (indent + 1) * 2);
                    Write(array.Items[i], builder, indent + 1);
                    builder.Append(i < array.Items.Count - 1 ? ",\n" : "\n");
                }

                builder.Append(' ', indent * 2).Append(']');
                break;
            case ObjectNode obj when obj.Count == 0:
                builder.Append("{}");
                break;
            case ObjectNode obj:
                builder.Append("{\n");
                var index = 0;
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
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < ' ') builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else builder.Append(c);
                    break;
            }
        }

        builder.Append('"');
    }
}
