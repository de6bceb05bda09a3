using System.Text.Json.Nodes;

namespace Atlas.Runtime.Tests;

public class TemplateTests
{
    [Fact]
    public void Render_ScalarsListsAndObjects_FollowTheTextRules()
    {
        var template = TestSupport.Template("{{t.subject}}|{{t.count}}|{{t.ratio}}|{{t.urgent}}|{{t.missing}}|{{t.owner}}|{{t.tags}}|{{t.meta}}|{{t.people}}");
        var ticket = JsonNode.Parse("""
            { "subject": "Refund \"now\"", "count": 3, "ratio": 0.25, "urgent": true, "owner": null,
              "tags": ["billing", 2, false], "meta": { "a": 1, "b": "é" }, "people": [ { "n": "x" } ] }
            """);

        var text = template.Render(TestSupport.Args(("t", ticket)));

        Assert.Equal("Refund \"now\"|3|0.25|true|||billing, 2, false|{\"a\":1,\"b\":\"é\"}|[{\"n\":\"x\"}]", text);
    }

    [Fact]
    public void Render_ForLoop_RepeatsBodyWithTheVariableBound()
    {
        var template = new PromptTemplate(
        [
            new TextSegment("Use:\n"),
            new LoopSegment("p", ["ctx"], [new TextSegment("- "), new PathSegment(["p", "text"]), new TextSegment(" ("), new PathSegment(["p", "source"]), new TextSegment(")\n")]),
            new TextSegment("Q: "),
            new PathSegment(["q", "body"]),
        ]);
        var args = TestSupport.Args(
            ("ctx", JsonNode.Parse("""[ { "text": "one", "source": "a.md" }, { "text": "two", "source": "b.md" } ]""")),
            ("q", JsonNode.Parse("""{ "body": "why?" }""")));

        Assert.Equal("Use:\n- one (a.md)\n- two (b.md)\nQ: why?", template.Render(args));
    }

    [Fact]
    public void Render_NestedLoopVariable_ShadowsAndResolvesOuterNames()
    {
        var template = new PromptTemplate(
        [
            new LoopSegment("g", ["groups"], [new PathSegment(["g", "name"]), new TextSegment(":"), new LoopSegment("x", ["g", "items"], [new PathSegment(["x"]), new PathSegment(["sep"])]), new TextSegment(";")]),
        ]);
        var args = TestSupport.Args(
            ("groups", JsonNode.Parse("""[ { "name": "a", "items": [1, 2] }, { "name": "b", "items": [] } ]""")),
            ("sep", JsonValue.Create(",")));

        Assert.Equal("a:1,2,;b:;", template.Render(args));
    }

    [Fact]
    public void Render_LoopOverMissingList_RendersNothing()
    {
        var template = new PromptTemplate([new LoopSegment("x", ["nope"], [new TextSegment("!")]), new TextSegment("end")]);
        Assert.Equal("end", template.Render(TestSupport.Args()));
    }
}
