using System.Collections.Generic;
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
            """);
        return w.ToString();
    }
}
