// The JSON pieces every generated project needs, shipped once here rather than emitted into each
// project: value readers/writers with errors that say where, list and nullable converters, and the
// built-in Passage. Generated converters for declared records and enums call them.
using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Atlas.Runtime;

/// <summary>Reads one JSON value at the reader's current token; <paramref name="where"/> names it in error messages.</summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <param name="reader">The reader, at the value's first token; left at its last token.</param>
/// <param name="options">The serializer's options.</param>
/// <param name="where">The value's JSON path, named in errors.</param>
/// <returns>The value read.</returns>
public delegate T AtlasJsonValueReader<T>(ref Utf8JsonReader reader, JsonSerializerOptions options, string where);

/// <summary>Writes one JSON value.</summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <param name="writer">The writer.</param>
/// <param name="value">The value to write.</param>
/// <param name="options">The serializer's options.</param>
public delegate void AtlasJsonValueWriter<in T>(Utf8JsonWriter writer, T value, JsonSerializerOptions options);

/// <summary>Reading helpers shared by the generated converters; errors are <see cref="JsonException"/>s that say where and what was expected.</summary>
public static class AtlasJsonReader
{
    /// <summary>A string value.</summary>
    /// <param name="reader">The reader, at the value's first token; left at its last token.</param>
    /// <param name="options">The serializer's options.</param>
    /// <param name="where">The value's JSON path (e.g. <c>$.ticket.tags[2]</c>), named in the error.</param>
    /// <returns>The string.</returns>
    /// <exception cref="JsonException">The JSON holds something else; the message says where and what was expected.</exception>
    public static string ReadString(ref Utf8JsonReader reader, JsonSerializerOptions options, string where) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw Unexpected(ref reader, where, "a string");

    /// <summary>A whole number that fits in 32 bits.</summary>
    /// <param name="reader">The reader, at the value's first token; left at its last token.</param>
    /// <param name="options">The serializer's options.</param>
    /// <param name="where">The value's JSON path (e.g. <c>$.ticket.tags[2]</c>), named in the error.</param>
    /// <returns>The number.</returns>
    /// <exception cref="JsonException">The JSON holds something else; the message says where and what was expected.</exception>
    public static int ReadInt32(ref Utf8JsonReader reader, JsonSerializerOptions options, string where) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int value) ? value : throw Unexpected(ref reader, where, "a whole number");

    /// <summary>A number.</summary>
    /// <param name="reader">The reader, at the value's first token; left at its last token.</param>
    /// <param name="options">The serializer's options.</param>
    /// <param name="where">The value's JSON path (e.g. <c>$.ticket.tags[2]</c>), named in the error.</param>
    /// <returns>The number.</returns>
    /// <exception cref="JsonException">The JSON holds something else; the message says where and what was expected.</exception>
    public static double ReadDouble(ref Utf8JsonReader reader, JsonSerializerOptions options, string where) =>
        reader.TokenType == JsonTokenType.Number ? reader.GetDouble() : throw Unexpected(ref reader, where, "a number");

    /// <summary>true or false.</summary>
    /// <param name="reader">The reader, at the value's first token; left at its last token.</param>
    /// <param name="options">The serializer's options.</param>
    /// <param name="where">The value's JSON path (e.g. <c>$.ticket.tags[2]</c>), named in the error.</param>
    /// <returns>The boolean.</returns>
    /// <exception cref="JsonException">The JSON holds something else; the message says where and what was expected.</exception>
    public static bool ReadBoolean(ref Utf8JsonReader reader, JsonSerializerOptions options, string where) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw Unexpected(ref reader, where, "true or false"),
    };

    /// <summary>An array, each item read by <paramref name="readItem"/>.</summary>
    /// <typeparam name="T">The items' type.</typeparam>
    /// <param name="reader">The reader, at the value's first token; left at its last token.</param>
    /// <param name="options">The serializer's options.</param>
    /// <param name="where">The value's JSON path (e.g. <c>$.ticket.tags[2]</c>), named in the error.</param>
    /// <param name="readItem">Reads one item; its path is <paramref name="where"/> with the item's index.</param>
    /// <returns>The items, in order.</returns>
    /// <exception cref="JsonException">The JSON holds something else; the message says where and what was expected.</exception>
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
    /// <param name="reader">The reader, at the offending token.</param>
    /// <param name="where">The value's JSON path.</param>
    /// <param name="expected">What was expected, as a phrase (<c>a string</c>).</param>
    /// <returns>The exception, to throw.</returns>
    public static JsonException Unexpected(ref Utf8JsonReader reader, string where, string expected) =>
        new($"{where} must be {expected}, but the JSON has {Describe(reader.TokenType)}.");

    /// <summary>The error for a required field that is absent.</summary>
    /// <param name="where">The object's JSON path.</param>
    /// <param name="field">The missing field's JSON name.</param>
    /// <returns>The exception, to throw.</returns>
    public static JsonException MissingField(string where, string field) =>
        new($"{where} is missing the required field \"{field}\".");

    /// <summary>
    /// The error for a property the type does not declare: <c>unknown field "Ticket.subjct" (Ticket has id, subject, body)</c>.
    /// Atlas rejects such properties everywhere (spec/language.md §5): the schemas it gives models say
    /// <c>additionalProperties: false</c>, and the interpreter's values follow the same rule.
    /// </summary>
    /// <param name="path">Where the property is: the object's <c>where</c> and the property's name.</param>
    /// <param name="typeName">The type of the object.</param>
    /// <param name="fields">The fields the type declares, in order.</param>
    /// <returns>The exception to throw.</returns>
    public static JsonException UnknownField(string path, string typeName, IEnumerable<string> fields) =>
        new(UnknownFieldMessage(path, typeName, fields));

    /// <summary>The one text of an unknown-field error, for <see cref="UnknownField"/> and <see cref="ValueShapes"/>.</summary>
    internal static string UnknownFieldMessage(string path, string typeName, IEnumerable<string> fields) =>
        $"unknown field \"{path}\" ({typeName} has {string.Join(", ", fields)})";

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
    /// <param name="writer">The writer.</param>
    /// <param name="value">The value to write.</param>
    /// <param name="options">The serializer's options.</param>
    public static void WriteString(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    /// <summary>A whole number.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The value to write.</param>
    /// <param name="options">The serializer's options.</param>
    public static void WriteInt32(Utf8JsonWriter writer, int value, JsonSerializerOptions options) => writer.WriteNumberValue(value);

    /// <summary>A number.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The value to write.</param>
    /// <param name="options">The serializer's options.</param>
    public static void WriteDouble(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => writer.WriteNumberValue(value);

    /// <summary>true or false.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The value to write.</param>
    /// <param name="options">The serializer's options.</param>
    public static void WriteBoolean(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);

    /// <summary>An array, each item written by <paramref name="writeItem"/>.</summary>
    /// <typeparam name="T">The items' type.</typeparam>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The value to write.</param>
    /// <param name="options">The serializer's options.</param>
    /// <param name="writeItem">Writes one item.</param>
    public static void WriteList<T>(Utf8JsonWriter writer, IReadOnlyList<T> value, JsonSerializerOptions options, AtlasJsonValueWriter<T> writeItem)
    {
        writer.WriteStartArray();
        foreach (var item in value) writeItem(writer, item, options);
        writer.WriteEndArray();
    }
}

/// <summary>A list of <typeparamref name="T"/> as a JSON array.</summary>
/// <typeparam name="T">The items' type.</typeparam>
/// <param name="readItem">Reads one item.</param>
/// <param name="writeItem">Writes one item.</param>
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
/// <typeparam name="T">The value's type.</typeparam>
/// <param name="read">Reads a value that is not null.</param>
/// <param name="write">Writes a value that is not null.</param>
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

/// <summary>Reads and writes the built-in <see cref="Passage"/> (<c>text</c>, <c>source</c>, <c>score</c>, <c>heading</c>, <c>title</c>).</summary>
public sealed class PassageJsonConverter : JsonConverter<Passage>
{
    // What an unknown-field error lists (Passage's JSON names, in order).
    private static readonly string[] PassageFields = ["text", "source", "score", "heading", "title"];

    /// <summary>The shared instance.</summary>
    public static PassageJsonConverter Instance { get; } = new();

    /// <inheritdoc/>
    public override Passage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadValue(ref reader, options, "Passage");

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, Passage value, JsonSerializerOptions options) => WriteValue(writer, value, options);

    /// <summary>Reads a passage object.</summary>
    /// <param name="reader">The reader, at the value's first token; left at its last token.</param>
    /// <param name="options">The serializer's options.</param>
    /// <param name="where">The value's JSON path (e.g. <c>$.ticket.tags[2]</c>), named in the error.</param>
    /// <returns>The passage; its <see cref="Passage.Metadata"/> is <see langword="null"/> (it is not part of the JSON).</returns>
    /// <exception cref="JsonException">The JSON is not a passage object, or lacks <c>text</c>, <c>source</c> or <c>score</c>.</exception>
    public static Passage ReadValue(ref Utf8JsonReader reader, JsonSerializerOptions options, string where)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw AtlasJsonReader.Unexpected(ref reader, where, "a Passage (an object)");
        string? text = null, source = null, heading = null, title = null;
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
                case "title":
                    title = reader.TokenType == JsonTokenType.Null ? null : AtlasJsonReader.ReadString(ref reader, options, where + ".title");
                    break;
                default:
                    throw AtlasJsonReader.UnknownField(where + "." + property, "Passage", PassageFields);
            }
        }

        return new Passage(
            text ?? throw AtlasJsonReader.MissingField(where, "text"),
            source ?? throw AtlasJsonReader.MissingField(where, "source"),
            score ?? throw AtlasJsonReader.MissingField(where, "score"),
            heading,
            title);
    }

    /// <summary>Writes a passage object.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The passage; its <see cref="Passage.Metadata"/> is not written.</param>
    /// <param name="options">The serializer's options.</param>
    public static void WriteValue(Utf8JsonWriter writer, Passage value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("text", value.Text);
        writer.WriteString("source", value.Source);
        writer.WriteNumber("score", value.Score);
        if (value.Heading is null) writer.WriteNull("heading");
        else writer.WriteString("heading", value.Heading);
        if (value.Title is null) writer.WriteNull("title");
        else writer.WriteString("title", value.Title);
        writer.WriteEndObject();
    }
}
