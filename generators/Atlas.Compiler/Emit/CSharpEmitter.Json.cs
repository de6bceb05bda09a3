using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler.Model;

namespace Atlas.Compiler.Emit;

// AtlasJson.g.cs: options + resolver (JsonMetadataServices over the generated converters, no
// reflection), and the helpers the converters share.
public static partial class CSharpEmitter
{
    private static string EmitJson(JsonUnit unit)
    {
        var w = StartFile(unit.Options, "System", "System.Collections.Generic", "System.Text.Json", "System.Text.Json.Nodes", "System.Text.Json.Serialization", "System.Text.Json.Serialization.Metadata", "Atlas.Runtime");

        w.WriteLines("""
            /// <summary>
            /// JSON for the Atlas types of this project, with names as declared in the .atlas files and
            /// no reflection (AOT-friendly): <see cref="Options"/> resolves every declared type, its list
            /// and nullable forms, <see cref="Passage"/> and the scalars. Thread-safe.
            /// </summary>
            public static class AtlasJson
            {
                /// <summary>Read-only options whose resolver is <see cref="AtlasJsonResolver"/>.</summary>
                public static JsonSerializerOptions Options { get; } = CreateOptions();

                /// <summary>The metadata of <typeparamref name="T"/> from <see cref="Options"/>.</summary>
                public static JsonTypeInfo<T> GetTypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

                /// <summary>Serializes <paramref name="value"/> to a JSON node (an agent argument).</summary>
                public static JsonNode? ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, GetTypeInfo<T>());

                /// <summary>Deserializes a JSON node (an agent result); JSON null gives the default.</summary>
                public static T? FromNode<T>(JsonNode? node) => node is null ? default : JsonSerializer.Deserialize(node, GetTypeInfo<T>());

                /// <summary>Serializes <paramref name="value"/> to JSON text.</summary>
                public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, GetTypeInfo<T>());

                /// <summary>Deserializes JSON text.</summary>
                public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize(json, GetTypeInfo<T>());

                private static JsonSerializerOptions CreateOptions()
                {
                    var options = new JsonSerializerOptions { TypeInfoResolver = AtlasJsonResolver.Instance };
                    options.MakeReadOnly();
                    return options;
                }
            }

            /// <summary>
            /// Metadata for the Atlas types of this project, built on the generated converters. Combine it with
            /// other resolvers through <c>JsonTypeInfoResolver.Combine(...)</c>. Thread-safe.
            /// </summary>
            public sealed class AtlasJsonResolver : IJsonTypeInfoResolver
            {
                /// <summary>The shared instance.</summary>
                public static AtlasJsonResolver Instance { get; } = new();

                /// <inheritdoc/>
                public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options)
                {
            """);
        w.Indent();
        w.Indent();
        var scalars = new[]
        {
            ("string", "JsonMetadataServices.StringConverter", false),
            ("int", "JsonMetadataServices.Int32Converter", true),
            ("double", "JsonMetadataServices.DoubleConverter", true),
            ("bool", "JsonMetadataServices.BooleanConverter", true),
        };
        var entries = new List<(string Type, string Converter, bool IsValueType, string Reader, string Writer)>();
        foreach (var (type, converter, isValue) in scalars)
        {
            var typeRef = type switch { "string" => TypeRef.String, "int" => TypeRef.Int, "double" => TypeRef.Float, _ => TypeRef.Bool };
            entries.Add((type, converter, isValue, Reader(typeRef), Writer(typeRef)));
        }

        entries.Add(("Passage", "PassageJsonConverter.Instance", false, Reader(TypeRef.Passage), Writer(TypeRef.Passage)));
        foreach (var e in unit.Enums)
        {
            var typeRef = new TypeRef(e, TypeKind.Enum);
            var name = CSharpNames.Ref(e, unit.Options.Namespace);
            entries.Add((name, CSharpNames.Converter(CSharpNames.TypeName(e)) + ".Instance", true, Reader(typeRef), Writer(typeRef)));
        }

        foreach (var r in unit.Records)
        {
            var typeRef = new TypeRef(r, TypeKind.Record);
            var name = CSharpNames.Ref(r, unit.Options.Namespace);
            entries.Add((name, CSharpNames.Converter(CSharpNames.TypeName(r)) + ".Instance", false, Reader(typeRef), Writer(typeRef)));
        }

        foreach (var (type, converter, isValue, reader, writer) in entries)
        {
            w.WriteLine($"if (type == typeof({type})) return JsonMetadataServices.CreateValueInfo<{type}>(options, {converter});");
            w.WriteLine($"if (type == typeof(IReadOnlyList<{type}>)) return JsonMetadataServices.CreateValueInfo<IReadOnlyList<{type}>>(options, new AtlasListJsonConverter<{type}>({reader}, {writer}));");
            if (isValue) w.WriteLine($"if (type == typeof({type}?)) return JsonMetadataServices.CreateValueInfo<{type}?>(options, new AtlasNullableJsonConverter<{type}>({reader}, {writer}));");
        }

        w.WriteLine("return null;");
        w.Unindent();
        w.Unindent();
        w.WriteLines("""
                }
            }

            /// <summary>Reads one JSON value at the reader's current token; <paramref name="where"/> names it in error messages.</summary>
            public delegate T AtlasJsonValueReader<T>(ref Utf8JsonReader reader, JsonSerializerOptions options, string where);

            /// <summary>Writes one JSON value.</summary>
            public delegate void AtlasJsonValueWriter<in T>(Utf8JsonWriter writer, T value, JsonSerializerOptions options);

            /// <summary>Reading helpers shared by the generated converters; errors are <see cref="JsonException"/>s that say where and what was expected.</summary>
            public static class AtlasJsonReader
            {
                /// <summary>A string value.</summary>
                public static string ReadString(ref Utf8JsonReader reader, JsonSerializerOptions options, string where) =>
                    reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw Unexpected(ref reader, where, "a string");

                /// <summary>A whole number that fits in 32 bits.</summary>
                public static int ReadInt32(ref Utf8JsonReader reader, JsonSerializerOptions options, string where) =>
                    reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int value) ? value : throw Unexpected(ref reader, where, "a whole number");

                /// <summary>A number.</summary>
                public static double ReadDouble(ref Utf8JsonReader reader, JsonSerializerOptions options, string where) =>
                    reader.TokenType == JsonTokenType.Number ? reader.GetDouble() : throw Unexpected(ref reader, where, "a number");

                /// <summary>true or false.</summary>
                public static bool ReadBoolean(ref Utf8JsonReader reader, JsonSerializerOptions options, string where) => reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    _ => throw Unexpected(ref reader, where, "true or false"),
                };

                /// <summary>An array, each item read by <paramref name="readItem"/>.</summary>
                public static IReadOnlyList<T> ReadList<T>(ref Utf8JsonReader reader, JsonSerializerOptions options, string where, AtlasJsonValueReader<T> readItem)
                {
                    if (reader.TokenType != JsonTokenType.StartArray) throw Unexpected(ref reader, where, "an array");
                    var items = new List<T>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        items.Add(readItem(ref reader, options, where + "[" + items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]"));
                    }

                    return items;
                }

                /// <summary>The error for a value of the wrong kind.</summary>
                public static JsonException Unexpected(ref Utf8JsonReader reader, string where, string expected) =>
                    new($"{where} must be {expected}, but the JSON has {Describe(reader.TokenType)}.");

                /// <summary>The error for a required field that is absent.</summary>
                public static JsonException MissingField(string where, string field) =>
                    new($"{where} is missing the required field \"{field}\".");

                private static string Describe(JsonTokenType token) => token switch
                {
                    JsonTokenType.StartObject => "an object",
                    JsonTokenType.StartArray => "an array",
                    JsonTokenType.String => "a string",
                    JsonTokenType.Number => "a number",
                    JsonTokenType.True or JsonTokenType.False => "a boolean",
                    JsonTokenType.Null => "null",
                    _ => token.ToString(),
                };
            }

            /// <summary>Writing helpers shared by the generated converters.</summary>
            public static class AtlasJsonWriter
            {
                /// <summary>A string value.</summary>
                public static void WriteString(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

                /// <summary>A whole number.</summary>
                public static void WriteInt32(Utf8JsonWriter writer, int value, JsonSerializerOptions options) => writer.WriteNumberValue(value);

                /// <summary>A number.</summary>
                public static void WriteDouble(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => writer.WriteNumberValue(value);

                /// <summary>true or false.</summary>
                public static void WriteBoolean(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);

                /// <summary>An array, each item written by <paramref name="writeItem"/>.</summary>
                public static void WriteList<T>(Utf8JsonWriter writer, IReadOnlyList<T> value, JsonSerializerOptions options, AtlasJsonValueWriter<T> writeItem)
                {
                    writer.WriteStartArray();
                    foreach (var item in value) writeItem(writer, item, options);
                    writer.WriteEndArray();
                }
            }

            /// <summary>A list of <typeparamref name="T"/> as a JSON array.</summary>
            public sealed class AtlasListJsonConverter<T>(AtlasJsonValueReader<T> readItem, AtlasJsonValueWriter<T> writeItem) : JsonConverter<IReadOnlyList<T>>
            {
                /// <inheritdoc/>
                public override IReadOnlyList<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
                    AtlasJsonReader.ReadList(ref reader, options, "$", readItem);

                /// <inheritdoc/>
                public override void Write(Utf8JsonWriter writer, IReadOnlyList<T> value, JsonSerializerOptions options) =>
                    AtlasJsonWriter.WriteList(writer, value, options, writeItem);
            }

            /// <summary>An optional <typeparamref name="T"/>: the value, or JSON null.</summary>
            public sealed class AtlasNullableJsonConverter<T>(AtlasJsonValueReader<T> read, AtlasJsonValueWriter<T> write) : JsonConverter<T?>
                where T : struct
            {
                /// <inheritdoc/>
                public override bool HandleNull => true;

                /// <inheritdoc/>
                public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
                    reader.TokenType == JsonTokenType.Null ? null : read(ref reader, options, "$");

                /// <inheritdoc/>
                public override void Write(Utf8JsonWriter writer, T? value, JsonSerializerOptions options)
                {
                    if (value is null) writer.WriteNullValue();
                    else write(writer, value.Value, options);
                }
            }

            /// <summary>Reads and writes the built-in <see cref="Passage"/> (<c>text</c>, <c>source</c>, <c>score</c>, <c>heading</c>).</summary>
            public sealed class PassageJsonConverter : JsonConverter<Passage>
            {
                /// <summary>The shared instance.</summary>
                public static PassageJsonConverter Instance { get; } = new();

                /// <inheritdoc/>
                public override Passage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadValue(ref reader, options, "Passage");

                /// <inheritdoc/>
                public override void Write(Utf8JsonWriter writer, Passage value, JsonSerializerOptions options) => WriteValue(writer, value, options);

                /// <summary>Reads a passage object.</summary>
                public static Passage ReadValue(ref Utf8JsonReader reader, JsonSerializerOptions options, string where)
                {
                    if (reader.TokenType != JsonTokenType.StartObject) throw AtlasJsonReader.Unexpected(ref reader, where, "a Passage (an object)");
                    string? text = null, source = null, heading = null;
                    double? score = null;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        string property = reader.GetString()!;
                        reader.Read();
                        switch (property)
                        {
                            case "text":
                                text = AtlasJsonReader.ReadString(ref reader, options, where + ".text");
                                break;
                            case "source":
                                source = AtlasJsonReader.ReadString(ref reader, options, where + ".source");
                                break;
                            case "score":
                                score = AtlasJsonReader.ReadDouble(ref reader, options, where + ".score");
                                break;
                            case "heading":
                                heading = reader.TokenType == JsonTokenType.Null ? null : AtlasJsonReader.ReadString(ref reader, options, where + ".heading");
                                break;
                            default:
                                reader.Skip();
                                break;
                        }
                    }

                    return new Passage(
                        text ?? throw AtlasJsonReader.MissingField(where, "text"),
                        source ?? throw AtlasJsonReader.MissingField(where, "source"),
                        score ?? throw AtlasJsonReader.MissingField(where, "score"),
                        heading);
                }

                /// <summary>Writes a passage object.</summary>
                public static void WriteValue(Utf8JsonWriter writer, Passage value, JsonSerializerOptions options)
                {
                    writer.WriteStartObject();
                    writer.WriteString("text", value.Text);
                    writer.WriteString("source", value.Source);
                    writer.WriteNumber("score", value.Score);
                    if (value.Heading is null) writer.WriteNull("heading");
                    else writer.WriteString("heading", value.Heading);
                    writer.WriteEndObject();
                }
            }
            """);
        return w.ToString();
    }
}
