using System;
using System.Text.Json.Nodes;

namespace Atlas.Runtime.Tests;

/// <summary>The runtime's check of JSON values against declared types, and the canonical form it gives them.</summary>
public class ValueShapesTests
{
    private static readonly AtlasTypeRef Text = new("string", AtlasTypeKind.String);
    private static readonly AtlasTypeRef Category = new("Category", AtlasTypeKind.Enum);
    private static readonly AtlasTypeRef Doc = new("Doc", AtlasTypeKind.Record);

    private static readonly ValueShapes Shapes = new(
        [
            new RecordDescriptor("Doc", [new FieldDescriptor("title", Text), new FieldDescriptor("category", Category), new FieldDescriptor("note", Text with { IsOptional = true })]),
        ],
        [new EnumDescriptor("Category", ["legal", "other"])]);

    [Fact]
    public void Conform_Record_GivesEveryFieldInDeclaredOrderAsAFreshTree()
    {
        var value = JsonNode.Parse("""{"category": "legal", "title": "Lease"}""");

        var canonical = Shapes.Conform(value, Doc);

        Assert.Equal("""{"title":"Lease","category":"legal","note":null}""", canonical!.ToJsonString());
        Assert.NotSame(value!["title"], canonical["title"]);
    }

    [Fact]
    public void Conform_UnknownFieldInAListItem_IsRejectedWithItsPathAndTheDeclaredFields()
    {
        var value = JsonNode.Parse("""[{"title": "a", "category": "other"}, {"title": "b", "category": "other", "titel": "c"}]""");

        var error = Assert.Throws<JsonShapeException>(() => Shapes.Conform(value, Doc with { IsList = true }, "docs"));

        Assert.Equal("unknown field \"docs[1].titel\" (Doc has title, category, note)", error.Message);
    }

    [Theory]
    [InlineData("""{"title": "a"}""", "field \"doc.category\" is missing")]
    [InlineData("""{"title": "a", "category": "urgent"}""", "\"doc.category\" must be one of legal, other, not \"urgent\"")]
    [InlineData("""{"title": null, "category": "legal"}""", "\"doc.title\" must be a string, not null")]
    [InlineData("\"a\"", "\"doc\" must be a Doc (an object), not a string (\"a\")")]
    public void Conform_ValueThatDoesNotFit_SaysWhereAndWhy(string json, string message) =>
        Assert.Equal(message, Assert.Throws<JsonShapeException>(() => Shapes.Conform(JsonNode.Parse(json), Doc, "doc")).Message);

    [Fact]
    public void Conform_AnyElement_TakesTheValueAsItIs() =>
        Assert.Equal("""[{"x":[1]}]""", Shapes.Conform(JsonNode.Parse("""[{"x":[1]}]"""), new AtlasTypeRef("?", AtlasTypeKind.Any, IsList: true))!.ToJsonString());

    [Fact]
    public void Conform_ARecordTheShapesDoNotHave_IsAnArgumentError() =>
        Assert.Throws<ArgumentException>(() => Shapes.Conform(JsonNode.Parse("{}"), new AtlasTypeRef("Other", AtlasTypeKind.Record)));
}
