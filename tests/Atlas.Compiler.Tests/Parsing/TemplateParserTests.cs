using System.Linq;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;
using static Atlas.Compiler.Tests.TestSupport;

namespace Atlas.Compiler.Tests.Parsing;

public class TemplateParserTests
{
    private static (TemplateSyntax Template, Diagnostic[] Diagnostics, SourceFile File) Parse(string template)
    {
        var file = new SourceFile("t.atlas", "agent a() -> string { prompt = \"\"\"\n" + template + "\n\"\"\" }");
        var (tree, _) = ParseAtlas(file.Text);
        var value = (StringValueSyntax)((AgentSyntax)tree.Declarations[0]).Body.Attributes[0].Value;
        var bag = new DiagnosticBag();
        var result = TemplateParser.Parse(value, tree.File, bag);
        return (result, bag.ToSortedArray().ToArray(), tree.File);
    }

    [Fact]
    public void Paths_AndText_AreParts()
    {
        var (template, diagnostics, file) = Parse("Subject: {{ticket.subject}}!");
        Assert.Empty(diagnostics);
        Assert.Equal(3, template.Parts.Length);
        Assert.Equal("Subject: ", Assert.IsType<TemplateTextSyntax>(template.Parts[0]).Text);
        var path = Assert.IsType<TemplatePathSyntax>(template.Parts[1]);
        Assert.Equal(new[] { "ticket", "subject" }, path.Path.Select(p => p.Name));
        Assert.Equal(new LinePosition(2, 19), file.GetLinePosition(path.Path[1].Span.Start));
    }

    [Fact]
    public void ForLoop_HasBodyAndSource()
    {
        var (template, diagnostics, _) = Parse("{{for p in context}}- {{ p.text }} ({{p.source}})\n{{end}}done");
        Assert.Empty(diagnostics);
        var loop = Assert.IsType<TemplateForSyntax>(template.Parts[0]);
        Assert.Equal("p", loop.Variable.Name);
        Assert.Equal("context", loop.Source.Single().Name);
        Assert.Equal(5, loop.Body.Length);
        Assert.Equal("done", Assert.IsType<TemplateTextSyntax>(template.Parts[1]).Text);
    }

    [Fact]
    public void UnclosedTag_IsATL0003AtTheBraces()
    {
        var (_, diagnostics, _) = Parse("Hello {{name");
        AssertDiagnostics(diagnostics, ("ATL0003", 2, 7));
    }

    [Fact]
    public void UnclosedFor_IsATL0003()
    {
        var (_, diagnostics, _) = Parse("{{for x in xs}} {{x}}");
        AssertDiagnostics(diagnostics, ("ATL0003", 2, 1));
        Assert.Contains("never closed", diagnostics[0].Message);
    }

    [Fact]
    public void StrayEnd_EmptyTag_AndBadPath_AreEachReported()
    {
        var (_, diagnostics, _) = Parse("{{end}} {{}} {{a..b}} {{for in}}");
        AssertDiagnostics(diagnostics, ("ATL0003", 2, 1), ("ATL0003", 2, 9), ("ATL0003", 2, 18), ("ATL0003", 2, 23));
    }

    [Fact]
    public void DeeplyNestedLoops_AreAnErrorNotAStackOverflow()
    {
        var template = string.Concat(System.Linq.Enumerable.Repeat("{{for x in xs}}", 100_000));
        var (_, diagnostics, _) = Parse(template);
        Assert.Contains(diagnostics, d => d.Id == "ATL0003" && d.Message.Contains("nested more than 64"));
    }
}
