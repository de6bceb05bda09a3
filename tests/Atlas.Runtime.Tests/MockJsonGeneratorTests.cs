using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Atlas.Runtime.Tests;

/// <summary>
/// The mock's JSON generator terminates on any schema (issue 11, item 3): a required
/// self-reference overflowed the stack, killing the process. Past the soft depth only what is
/// required is filled (optional fields null or left out, arrays empty); at the hard depth it stops.
/// </summary>
public class MockJsonGeneratorTests
{
    private static JsonNode? Generate(string schema, ulong seed = 7) =>
        new MockJsonGenerator(JsonDocument.Parse(schema).RootElement.Clone(), new DeterministicRandom(seed), ["alpha", "beta"]).Generate();

    private static int Depth(JsonNode? node) => node switch
    {
        JsonObject o => 1 + o.Select(p => Depth(p.Value)).DefaultIfEmpty(0).Max(),
        JsonArray a => 1 + a.Select(Depth).DefaultIfEmpty(0).Max(),
        _ => 0,
    };

    [Fact]
    public void RequiredSelfReference_StopsAtTheHardDepth()
    {
        const string schema = """
            { "$ref": "#/$defs/Node",
              "$defs": { "Node": { "type": "object", "properties": { "name": { "type": "string" }, "next": { "$ref": "#/$defs/Node" } }, "required": ["name", "next"] } } }
            """;
        var value = Generate(schema);
        Assert.InRange(Depth(value), 2, MockJsonGenerator.HardDepth);
    }

    [Fact]
    public void RequiredMutualPair_Terminates()
    {
        const string schema = """
            { "$ref": "#/$defs/A",
              "$defs": {
                "A": { "type": "object", "properties": { "b": { "$ref": "#/$defs/B" } }, "required": ["b"] },
                "B": { "type": "object", "properties": { "a": { "$ref": "#/$defs/A" } }, "required": ["a"] } } }
            """;
        Assert.InRange(Depth(Generate(schema)), 1, MockJsonGenerator.HardDepth);
    }

    [Theory]
    [InlineData("""{ "$ref": "#" }""")]
    [InlineData("""{ "anyOf": [ { "$ref": "#" } ] }""")]
    [InlineData("""{ "type": "array", "minItems": 1, "items": { "$ref": "#" } }""")]
    public void SchemaThatIsItself_Terminates(string schema) =>
        Assert.InRange(Depth(Generate(schema)), 0, MockJsonGenerator.HardDepth);

    [Fact]
    public void OptionalSelfReference_IsValid_AndEndsInNull()
    {
        const string schema = """
            { "$ref": "#/$defs/Node",
              "$defs": { "Node": { "type": "object", "properties": { "name": { "type": "string" }, "next": { "anyOf": [ { "$ref": "#/$defs/Node" }, { "type": "null" } ] }, "children": { "type": "array", "items": { "$ref": "#/$defs/Node" } } }, "required": ["name", "next", "children"] } } }
            """;
        var value = Generate(schema);
        using var document = JsonDocument.Parse(value!.ToJsonString());
        Assert.True(JsonSchema.FromText(schema).Evaluate(document.RootElement).IsValid, value.ToJsonString());
        Assert.True(Depth(value) < MockJsonGenerator.HardDepth, value.ToJsonString());

        var node = value;
        while (node!["next"] is { } next) node = next;
        Assert.Null(node["next"]);
        Assert.Empty(node["children"]!.AsArray());
    }

    [Fact]
    public void HugeMinItems_IsCapped()
    {
        var value = Generate("""{ "type": "array", "minItems": 2147483647, "items": { "type": "integer" } }""");
        Assert.Equal(MockJsonGenerator.MaxItems, value!.AsArray().Count);
    }
}
