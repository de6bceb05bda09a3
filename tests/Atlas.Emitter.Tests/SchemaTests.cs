using System.Text.Json;
using Atlas.Compiler.Emit;
using Atlas.Emitter.Tests.TestSupport;
using Json.Schema;

namespace Atlas.Emitter.Tests;

/// <summary>The JSON schemas in the generated code are valid schemas that accept what the converters write and reject what they reject.</summary>
public class SchemaTests
{
    private static readonly Dictionary<string, string> Schemas = CSharpEmitter
        .Plan(AtlasProject.Get("coverage").Compile(), new EmitOptions("App"))
        .Concat(CSharpEmitter.Plan(AtlasProject.Get("sketch").Compile(), new EmitOptions("App")))
        .SelectMany(u => u switch
        {
            RecordUnit r => new[] { (r.Type.Name, r.JsonSchema) },
            EnumUnit e => new[] { (e.Enum.Name, e.JsonSchema) },
            _ => Array.Empty<(string, string)>(),
        })
        .GroupBy(p => p.Item1)
        .ToDictionary(g => g.Key, g => g.First().Item2);

    private static bool IsValid(string type, string json)
    {
        using var schemaDocument = JsonDocument.Parse(Schemas[type]);
        var schema = JsonSchema.Build(schemaDocument.RootElement, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
        using var instance = JsonDocument.Parse(json);
        return schema.Evaluate(instance.RootElement).IsValid;
    }

    [Theory]
    [InlineData("Triage", """{"category":"bug","urgency":2,"summary":"s","tags":["a"],"owner":null}""", true)]
    [InlineData("Triage", """{"category":"bug","urgency":2,"summary":"s","tags":[]}""", true)]
    [InlineData("Triage", """{"category":"bug","summary":"s","tags":[]}""", false)]
    [InlineData("Triage", """{"category":"urgent","urgency":2,"summary":"s","tags":[]}""", false)]
    [InlineData("Triage", """{"category":"bug","urgency":2,"summary":"s","tags":[],"extra":1}""", false)]
    [InlineData("Triage", """{"category":"bug","urgency":2.5,"summary":"s","tags":[]}""", false)]
    [InlineData("Measure", """{"class":"c","measure":1.5,"values":[1,2.5],"severity":null,"flag":true}""", true)]
    [InlineData("Measure", """{"class":"c","measure":1.5,"values":[1],"severity":"very_high","count":3,"flag":false}""", true)]
    [InlineData("Measure", """{"class":"c","measure":1.5,"values":["1"],"flag":true}""", false)]
    [InlineData("Node", """{"label":"a","children":[{"label":"b","children":[],"parent":null}],"parent":{"label":"p","children":[]}}""", true)]
    [InlineData("Node", """{"label":"a","children":[{"label":"b"}]}""", false)]
    [InlineData("Summary", """{"text":"t","severity":"low","scores":[1],"top":{"text":"x","source":"y","score":0.5,"heading":null},"labels":[]}""", true)]
    [InlineData("Summary", """{"text":"t","severity":"low","scores":[1],"top":{"text":"x"},"labels":[]}""", false)]
    [InlineData("Severity", "\"very_high\"", true)]
    [InlineData("Severity", "\"VeryHigh\"", false)]
    public void Schema_Instance_IsValidExactlyWhenTheConverterWouldAcceptIt(string type, string json, bool valid) =>
        Assert.Equal(valid, IsValid(type, json));
}
