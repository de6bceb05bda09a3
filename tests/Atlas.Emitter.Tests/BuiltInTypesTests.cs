using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Atlas.Compiler.Model;
using Atlas.Runtime;

namespace Atlas.Emitter.Tests;

/// <summary>
/// The model declares <c>Passage</c>'s fields once (<see cref="BuiltInTypes.Passage"/>); at run time a passage is
/// <see cref="Atlas.Runtime.Passage"/>. The binder, the schemas, the emitter and the interpreter read the first, generated
/// code and the runtime the second, so the two must agree field for field: name, order, type and optionality.
/// </summary>
public sealed class BuiltInTypesTests
{
    private static readonly Atlas.Runtime.Passage Sample = new("t", "s", 0.5, "h", "ti", new Dictionary<string, string> { ["format"] = "markdown" });

    [Fact]
    public void Passage_ModelFieldsAreTheRuntimeRecordsJsonNamesInOrder()
    {
        var modelNames = BuiltInTypes.Passage.Fields.Select(f => f.Name).ToArray();

        // As System.Text.Json writes the record (its [JsonPropertyName]s; Metadata is [JsonIgnore]) ...
        var reflected = Assert.IsType<JsonObject>(JsonSerializer.SerializeToNode(Sample, new JsonSerializerOptions()));
        Assert.Equal(modelNames, reflected.Select(p => p.Key));

        // ... and as generated code writes it, through the runtime's converter.
        var converted = Assert.IsType<JsonObject>(JsonNode.Parse(JsonSerializer.Serialize(Sample, new JsonSerializerOptions { Converters = { PassageJsonConverter.Instance } })));
        Assert.Equal(modelNames, converted.Select(p => p.Key));
    }

    [Fact]
    public void Passage_EachModelFieldHasTheRuntimePropertysTypeAndOptionality()
    {
        var properties = typeof(Atlas.Runtime.Passage).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .ToDictionary(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? p.Name, StringComparer.Ordinal);
        var nullability = new NullabilityInfoContext();

        Assert.Equal(BuiltInTypes.Passage.Fields.Count, properties.Count);
        foreach (var field in BuiltInTypes.Passage.Fields)
        {
            Assert.True(properties.TryGetValue(field.Name, out var property), $"Atlas.Runtime.Passage has no property whose JSON name is \"{field.Name}\"");
            Assert.False(field.Type.IsList, field.Name);
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            Assert.Equal(
                field.Type.Kind switch
                {
                    TypeKind.String => typeof(string),
                    TypeKind.Int => typeof(int),
                    TypeKind.Float => typeof(double),
                    TypeKind.Bool => typeof(bool),
                    _ => throw new InvalidOperationException($"Passage.{field.Name} is a {field.Type}, which this test does not map"),
                },
                type);
            var optional = Nullable.GetUnderlyingType(property.PropertyType) is not null || nullability.Create(property).ReadState == NullabilityState.Nullable;
            Assert.True(field.Type.IsOptional == optional, $"Passage.{field.Name}: the model says {field.Type}, the runtime's property is {(optional ? "nullable" : "not nullable")}");
        }
    }
}
