using System.Linq;
using Atlas.Compiler.Model;

namespace Atlas.Compiler.Emit;

// Records and enums with their JSON converters (declared names in JSON) and schemas.
public static partial class CSharpEmitter
{
    private static string EmitEnum(EnumUnit unit)
    {
        var model = unit.Enum;
        var declared = CSharpNames.TypeName(model.Name);
        var name = CSharpNames.Ref(model.Name, unit.Options.Namespace);
        var converter = CSharpNames.Converter(declared);
        var members = CSharpNames.EnumMembers(model);
        var w = StartFile(unit.Options, "System", "System.Text.Json", "System.Text.Json.Serialization", "Atlas.Runtime");

        w.WriteLine($"/// <summary>The Atlas enum <c>{model.Name}</c>; in JSON each member is written as declared.</summary>");
        w.WriteLine($"[JsonConverter(typeof({converter}))]");
        w.WriteLine($"public enum {declared}");
        w.OpenBrace();
        for (int i = 0; i < members.Length; i++)
        {
            w.WriteLine($"/// <summary><c>{model.Members[i]}</c></summary>");
            w.WriteLine(members[i] + ",");
        }

        w.CloseBrace();
        w.WriteLine();
        w.WriteLine($"/// <summary>Reads and writes <see cref=\"{declared}\"/> as the member names declared in Atlas; an unknown name is a <see cref=\"JsonException\"/>.</summary>");
        w.WriteLine($"public sealed class {converter} : JsonConverter<{name}>");
        w.OpenBrace();
        w.WriteLine($"/// <summary>The JSON schema of <see cref=\"{declared}\"/>.</summary>");
        WriteConst(w, "JsonSchema", unit.JsonSchema);
        w.WriteLine();
        w.WriteLines($$"""
            /// <summary>The shared instance (the converter is stateless).</summary>
            public static {{converter}} Instance { get; } = new();

            /// <inheritdoc/>
            public override {{name}} Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadValue(ref reader, options, "{{model.Name}}");

            /// <inheritdoc/>
            public override void Write(Utf8JsonWriter writer, {{name}} value, JsonSerializerOptions options) => WriteValue(writer, value, options);

            /// <summary>Reads a member name; <paramref name="where"/> names the value in error messages.</summary>
            public static {{name}} ReadValue(ref Utf8JsonReader reader, JsonSerializerOptions options, string where)
            {
                if (reader.TokenType != JsonTokenType.String) throw AtlasJsonReader.Unexpected(ref reader, where, "a {{model.Name}} (a string)");
                return reader.GetString() switch
                {
            """);
        w.Indent();
        w.Indent();
        for (int i = 0; i < members.Length; i++) w.WriteLine($"{CSharpLiterals.String(model.Members[i])} => {name}.{members[i]},");
        // Atlas names are identifiers, so they can sit in the interpolated string as they are.
        w.WriteLine($"var other => throw new JsonException($\"{{where}}: \\\"{{other}}\\\" is not a {model.Name}; expected one of {string.Join(", ", model.Members)}.\"),");
        w.Unindent();
        w.Unindent();
        w.WriteLines($$"""
                };
            }

            /// <summary>Writes the member's declared name.</summary>
            public static void WriteValue(Utf8JsonWriter writer, {{name}} value, JsonSerializerOptions options) => writer.WriteStringValue(ToJsonName(value));

            /// <summary>The member's name as declared in Atlas.</summary>
            public static string ToJsonName({{name}} value) => value switch
            {
            """);
        w.Indent();
        for (int i = 0; i < members.Length; i++) w.WriteLine($"{name}.{members[i]} => {CSharpLiterals.String(model.Members[i])},");
        w.WriteLine($"_ => throw new ArgumentOutOfRangeException(nameof(value), value, \"Not a member of {model.Name}.\"),");
        w.Unindent();
        w.WriteLine("};");
        w.CloseBrace();
        return w.ToString();
    }

    private static string EmitRecord(RecordUnit unit)
    {
        var model = unit.Type;
        var ns = unit.Options.Namespace;
        var declared = CSharpNames.TypeName(model.Name);
        var name = CSharpNames.Ref(model.Name, ns);
        var converter = CSharpNames.Converter(declared);
        var properties = CSharpNames.Properties(model);
        var w = StartFile(unit.Options, "System", "System.Collections.Generic", "System.Text.Json", "System.Text.Json.Serialization", "Atlas.Runtime");

        w.WriteLine($"/// <summary>The Atlas type <c>{model.Name}</c>; in JSON its fields keep their declared names.</summary>");
        for (int i = 0; i < properties.Length; i++)
        {
            w.WriteLine($"/// <param name=\"{properties[i]}\"><c>{model.Fields[i].Name}: {model.Fields[i].Type}</c></param>");
        }

        w.WriteLine($"[JsonConverter(typeof({converter}))]");
        if (properties.Length == 0)
        {
            w.WriteLine($"public sealed record {declared}()");
        }
        else
        {
            w.WriteLine($"public sealed record {declared}(");
            w.Indent();
            for (int i = 0; i < properties.Length; i++)
            {
                w.WriteLine($"{CSharpNames.Type(model.Fields[i].Type, ns)} {properties[i]}{(i < properties.Length - 1 ? "," : ")")}");
            }

            w.Unindent();
        }

        w.OpenBrace();
        w.WriteLine($"/// <summary>The JSON schema of <see cref=\"{declared}\"/> (declared field names), as used for structured output.</summary>");
        WriteConst(w, "JsonSchema", unit.JsonSchema);
        w.CloseBrace();
        w.WriteLine();

        // The converter.
        w.WriteLine($"/// <summary>Reads and writes <see cref=\"{declared}\"/> with the field names declared in Atlas; a missing required field or an undeclared property is a <see cref=\"JsonException\"/> naming it.</summary>");
        w.WriteLine($"public sealed class {converter} : JsonConverter<{name}>");
        w.OpenBrace();
        w.WriteLines($$"""
            /// <summary>The shared instance (the converter is stateless).</summary>
            public static {{converter}} Instance { get; } = new();

            /// <inheritdoc/>
            public override {{name}} Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadValue(ref reader, options, "{{model.Name}}");

            /// <inheritdoc/>
            public override void Write(Utf8JsonWriter writer, {{name}} value, JsonSerializerOptions options) => WriteValue(writer, value, options);

            /// <summary>Reads an object; <paramref name="where"/> names the value in error messages.</summary>
            public static {{name}} ReadValue(ref Utf8JsonReader reader, JsonSerializerOptions options, string where)
            {
                if (reader.TokenType != JsonTokenType.StartObject) throw AtlasJsonReader.Unexpected(ref reader, where, "a {{model.Name}} (an object)");
            """);
        w.Indent();
        var (locals, flags) = LocalNames(model);
        for (int i = 0; i < model.Fields.Count; i++)
        {
            var type = model.Fields[i].Type;
            // A value type needs no nullable local: its "seen" flag says whether it was read.
            var localType = type.IsOptional || !CSharpNames.IsValueType(type) ? type with { IsOptional = true } : type;
            w.WriteLine($"{CSharpNames.Type(localType, ns)} {locals[i]} = default;");
            if (!type.IsOptional) w.WriteLine($"bool {flags[i]} = false;");
        }

        if (model.Fields.Count > 0) w.WriteLine();
        w.WriteLine("while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)");
        w.OpenBrace();
        w.WriteLine("string property = reader.GetString()!;");
        w.WriteLine("reader.Read();");
        w.WriteLine("switch (property)");
        w.OpenBrace();
        for (int i = 0; i < model.Fields.Count; i++)
        {
            var field = model.Fields[i];
            w.WriteLine($"case {CSharpLiterals.String(field.Name)}:");
            w.Indent();
            w.WriteLine($"{locals[i]} = {ReadExpression(field.Type, "where + \"." + field.Name + "\"")};");
            if (!field.Type.IsOptional) w.WriteLine($"{flags[i]} = true;");
            w.WriteLine("break;");
            w.Unindent();
        }

        // A property the type does not declare is an error, as in the interpreter (spec/language.md §5).
        w.WriteLine("default:");
        w.Indent();
        w.WriteLine($"throw AtlasJsonReader.UnknownField(where + \".\" + property, {CSharpLiterals.String(model.Name)}, {CSharpLiterals.StringList(model.Fields.Select(f => f.Name))});");
        w.Unindent();
        w.CloseBrace();
        w.CloseBrace();
        w.WriteLine();
        w.WriteLine($"if (reader.TokenType != JsonTokenType.EndObject) throw AtlasJsonReader.Unexpected(ref reader, where, \"a property name or the end of the object\");");
        for (int i = 0; i < model.Fields.Count; i++)
        {
            if (model.Fields[i].Type.IsOptional) continue;
            w.WriteLine($"if (!{flags[i]}) throw AtlasJsonReader.MissingField(where, {CSharpLiterals.String(model.Fields[i].Name)});");
        }

        var arguments = model.Fields.Select((f, i) => locals[i] + (f.Type.IsOptional || CSharpNames.IsValueType(f.Type) ? "" : "!"));
        w.WriteLine($"return new {name}({Join(arguments)});");
        w.Unindent();
        w.WriteLine("}");
        w.WriteLine();
        w.WriteLine("/// <summary>Writes an object with the declared field names.</summary>");
        w.WriteLine($"public static void WriteValue(Utf8JsonWriter writer, {name} value, JsonSerializerOptions options)");
        w.OpenBrace();
        w.WriteLine("writer.WriteStartObject();");
        for (int i = 0; i < model.Fields.Count; i++)
        {
            var field = model.Fields[i];
            w.WriteLine($"writer.WritePropertyName({CSharpLiterals.String(field.Name)});");
            WriteValueStatement(w, field.Type, "value." + properties[i]);
        }

        w.WriteLine("writer.WriteEndObject();");
        w.CloseBrace();
        w.CloseBrace();
        return w.ToString();
    }

    /// <summary>Locals for a converter's fields and their "seen" flags: camelCase, unique, clear of the converter's own names.</summary>
    private static (string[] Locals, string[] Flags) LocalNames(TypeModel model)
    {
        var parameters = model.Fields.Select(f => new ParameterModel(f.Name, f.Type)).ToList();
        var locals = CSharpNames.Parameters(parameters, "reader", "options", "where", "property", "writer", "value");
        var taken = new System.Collections.Generic.HashSet<string>(locals.Select(CSharpNames.Bare), System.StringComparer.Ordinal);
        var flags = locals.Select(l => CSharpNames.Unique("has" + CSharpNames.Pascal(CSharpNames.Bare(l)), taken)).ToArray();
        return (locals, flags);
    }

    private static void WriteConst(SourceWriter w, string name, string json)
    {
        var lines = CSharpLiterals.Raw(json).Split('\n');
        w.WriteLine($"public const string {name} = {lines[0]}");
        w.Indent();
        for (int i = 1; i < lines.Length; i++) w.WriteLine(lines[i] + (i == lines.Length - 1 ? ";" : ""));
        w.Unindent();
    }

    /// <summary>The static reader of one (non-list, non-optional) value, as a method group <c>(ref reader, options, where)</c>.</summary>
    internal static string Reader(TypeRef element) => element.Kind switch
    {
        TypeKind.String => "AtlasJsonReader.ReadString",
        TypeKind.Int => "AtlasJsonReader.ReadInt32",
        TypeKind.Float => "AtlasJsonReader.ReadDouble",
        TypeKind.Bool => "AtlasJsonReader.ReadBoolean",
        TypeKind.Passage => "PassageJsonConverter.ReadValue",
        _ => CSharpNames.Converter(CSharpNames.TypeName(element.Name)) + ".ReadValue",
    };

    /// <summary>The static writer of one (non-list, non-optional) value, as a method group <c>(writer, value, options)</c>.</summary>
    internal static string Writer(TypeRef element) => element.Kind switch
    {
        TypeKind.String => "AtlasJsonWriter.WriteString",
        TypeKind.Int => "AtlasJsonWriter.WriteInt32",
        TypeKind.Float => "AtlasJsonWriter.WriteDouble",
        TypeKind.Bool => "AtlasJsonWriter.WriteBoolean",
        TypeKind.Passage => "PassageJsonConverter.WriteValue",
        _ => CSharpNames.Converter(CSharpNames.TypeName(element.Name)) + ".WriteValue",
    };

    /// <summary>An expression reading a value of <paramref name="type"/> at the reader's current token.</summary>
    private static string ReadExpression(TypeRef type, string where)
    {
        var read = type.IsList
            ? $"AtlasJsonReader.ReadList(ref reader, options, {where}, {Reader(type.Element)})"
            : $"{Reader(type)}(ref reader, options, {where})";
        return type.IsOptional ? $"reader.TokenType == JsonTokenType.Null ? null : {read}" : read;
    }

    /// <summary>Statements writing <paramref name="value"/> of <paramref name="type"/>.</summary>
    private static void WriteValueStatement(SourceWriter w, TypeRef type, string value)
    {
        string Write(string v) => type.IsList
            ? $"AtlasJsonWriter.WriteList(writer, {v}, options, {Writer(type.Element)});"
            : $"{Writer(type)}(writer, {v}, options);";

        if (!type.IsOptional)
        {
            w.WriteLine(Write(value));
            return;
        }

        w.WriteLine($"if ({value} is null) writer.WriteNullValue();");
        w.WriteLine("else " + Write(CSharpNames.IsValueType(type) ? value + ".Value" : value));
    }
}
