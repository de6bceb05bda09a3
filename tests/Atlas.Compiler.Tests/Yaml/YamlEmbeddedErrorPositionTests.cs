using System.Linq;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;
using static Atlas.Compiler.Tests.Yaml.YamlTestHelpers;

namespace Atlas.Compiler.Tests.Yaml;

/// <summary>Errors inside expressions and templates written in YAML strings point at the YAML file's line and column.</summary>
public class YamlEmbeddedErrorPositionTests
{
    private const string Head = "workflows:\n  w:\n    params: { t: Ticket }\n    returns: string\n    steps:\n";

    [Theory]
    [InlineData("      a: classifier(t) @ x\n", 6, 24)]                            // plain
    [InlineData("      a: \"f(\\\"x\\\") @\"\n", 6, 20)]                          // double-quoted, escapes before the error
    [InlineData("      a: 'f(t,\n\n        x, @)'\n", 8, 12)]                      // single-quoted over lines
    [InlineData("      a: f(t,\n        x, @)\n", 7, 12)]                         // plain over two lines
    [InlineData("      a: |\n        switch t {\n          x => f(t) @\n        }\n", 8, 21)] // literal block
    [InlineData("      a: >-\n        f(t,\n\n          @)\n", 9, 11)]             // folded block, more-indented line
    public void Load_ExpressionErrorInStep_ReportedAtItsYamlLineAndColumn(string step, int line, int column)
    {
        var yaml = Head + step + "    return: t\n";
        var (tree, diagnostics) = Load(yaml);
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL0001", d.Id);
        Assert.Equal(new LinePosition(line, column), d.Position());
        Assert.Equal('@', yaml[d.Location.Span.Start]);
        // Like a .atlas declaration with a syntax error, the workflow is left out (no follow-up errors).
        Assert.Empty(tree.Declarations);
    }

    [Fact]
    public void Load_ExpressionErrorInReturn_ReportedThereAndWorkflowLeftOut()
    {
        var yaml = Head + "      a: f(t)\n    return: Reply { x = @ }\n";
        var (tree, diagnostics) = Load(yaml);
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL0001", d.Id);
        Assert.Equal(new LinePosition(7, 25), d.Position());
        Assert.Empty(tree.Declarations);
    }

    [Fact]
    public void Load_TypeErrorInParams_ReportedAtItsYamlLineAndColumn()
    {
        var (_, diagnostics) = Load("tools:\n  t:\n    params: { a: \"string[\" }\n    returns: string\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL0001", d.Id);
        Assert.Equal(new LinePosition(3, 26), d.Position()); // the end of the string: its closing quote
        Assert.Contains("end of text", d.Message);
    }

    [Theory]
    [InlineData("    prompt: \"Subject: {{ticket.}}\"\n", 4, 32)]
    [InlineData("    prompt: |\n      Subject:\n        {{ticket.}}\n", 6, 18)]
    public void TemplateErrorInYamlPrompt_ReportedAtItsYamlLineAndColumn(string prompt, int line, int column)
    {
        var yaml = "agents:\n  a:\n    returns: string\n" + prompt;
        var (tree, diagnostics) = Load(yaml);
        Assert.Empty(diagnostics);
        var agent = Assert.IsType<AgentSyntax>(Assert.Single(tree.Declarations));
        var value = Assert.IsType<StringValueSyntax>(agent.Body.Attributes.Single(a => a.Name.Name == "prompt").Value);

        var templateDiagnostics = new DiagnosticBag();
        TemplateParser.Parse(value, tree.File, templateDiagnostics);
        var d = Assert.Single(templateDiagnostics.ToSortedArray());
        Assert.Equal("ATL0003", d.Id);
        Assert.Equal(new LinePosition(line, column), d.Position());
    }
}
