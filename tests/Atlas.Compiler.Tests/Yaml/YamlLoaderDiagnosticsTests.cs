using System.Linq;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;
using static Atlas.Compiler.Tests.Yaml.YamlTestHelpers;

namespace Atlas.Compiler.Tests.Yaml;

public class YamlLoaderDiagnosticsTests
{
    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    [InlineData("---\n...\n")]
    [InlineData("providers:\n# every provider commented out\n")]
    public void Load_EmptyFile_EmptyTreeWithoutDiagnostics(string yaml)
    {
        var (tree, diagnostics) = Load(yaml);
        Assert.Empty(tree.Declarations);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Load_UnknownSection_ReportsAtl1003WithSuggestion()
    {
        var (tree, diagnostics) = Load("agent:\n  a: {}\nproviders:\n  p: { kind: \"mock\" }\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL1003", d.Id);
        Assert.Equal(new LinePosition(1, 1), d.Position());
        Assert.Contains("`agent` is not a section", d.Message);
        Assert.Contains("did you mean `agents`?", d.Message);
        Assert.IsType<ProviderSyntax>(Assert.Single(tree.Declarations));
    }

    [Fact]
    public void Load_UnclosedFlowMapping_ReportsAtl1001AtTheYamlError()
    {
        var (_, diagnostics) = Load("providers:\n  offline: { kind: mock\nroutes: {}\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL1001", d.Id);
        Assert.Equal(new LinePosition(3, 1), d.Position());
        Assert.Contains("less indented than the flow collection", d.Message);
    }

    [Fact]
    public void Load_SyntaxErrorAfterCompleteDeclarations_KeepsThoseDeclarations()
    {
        var (tree, diagnostics) = Load("providers:\n  a: { kind: \"mock\" }\n  b: { kind: \"x\"\n  c: { kind: \"y\" }\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL1001", d.Id);
        var a = Assert.IsType<ProviderSyntax>(Assert.Single(tree.Declarations));
        Assert.Equal("a", a.Name.Name);
    }

    [Fact]
    public void Load_UnclosedQuote_ReportsAtl1001WithoutMarkPrefix()
    {
        var (_, diagnostics) = Load("providers:\n  a: { kind: \"mock }\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL1001", d.Id);
        Assert.Equal(new LinePosition(2, 14), d.Position());
        Assert.DoesNotContain("Idx:", d.Message);
        Assert.Equal("This quoted string is never closed; end it with the same quote it starts with", d.Message);
    }

    [Fact]
    public void Load_BadIndentation_ReportsAtl1001()
    {
        var (_, diagnostics) = Load("providers:\n  a: { kind: \"mock\" }\n b: {}\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL1001", d.Id);
        Assert.Equal(3, d.Position().Line);
    }

    [Fact]
    public void Load_TopLevelList_ReportsAtl1002()
    {
        var (tree, diagnostics) = Load("- providers\n- agents\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL1002", d.Id);
        Assert.Equal(new LinePosition(1, 1), d.Position());
        Assert.Contains("Expected a mapping of sections", d.Message);
        Assert.Contains("this is a list", d.Message);
        Assert.Empty(tree.Declarations);
    }

    [Fact]
    public void Load_SectionThatIsAList_ReportsAtl1002AtTheList()
    {
        var (_, diagnostics) = Load("providers:\n  - offline\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL1002", d.Id);
        Assert.Equal(new LinePosition(2, 3), d.Position());
        Assert.Contains("section `providers` to be a mapping", d.Message);
        Assert.Contains("this is a list", d.Message);
    }

    [Fact]
    public void Load_ScalarWhereDeclarationMappingIsNeeded_ReportsAtl1002AtTheScalar()
    {
        var (tree, diagnostics) = Load("agents:\n  classifier: hello\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL1002", d.Id);
        Assert.Equal(new LinePosition(2, 15), d.Position());
        Assert.Contains("agent `classifier` as a mapping", d.Message);
        Assert.Contains("`hello`", d.Message);
        Assert.Empty(tree.Declarations);
    }

    [Fact]
    public void Load_NonScalarKey_ReportsAtl1002AtTheKey()
    {
        var (_, diagnostics) = Load("providers:\n  ? [a, b]\n  : { kind: \"mock\" }\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL1002", d.Id);
        Assert.Equal(new LinePosition(2, 5), d.Position());
        Assert.Contains("must be a name, but this is a list", d.Message);
    }

    [Fact]
    public void Load_KeyThatIsNotAName_ReportsAtl1007()
    {
        var (tree, diagnostics) = Load("providers:\n  my provider: { kind: \"mock\" }\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL1007", d.Id);
        Assert.Equal(new LinePosition(2, 3), d.Position());
        Assert.Contains("`my provider` is not a valid name", d.Message);
        Assert.Empty(tree.Declarations);
    }

    [Fact]
    public void Load_DuplicateKey_ReportsAtTheSecondKeyAndKeepsTheFirst()
    {
        var (tree, diagnostics) = Load("providers:\n  a: { kind: \"mock\" }\n  a: { kind: \"other\" }\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL1004", d.Id);
        Assert.Equal(new LinePosition(3, 3), d.Position());
        Assert.Contains("`a` is already used in this mapping at line 2, column 3", d.Message);
        var provider = Assert.IsType<ProviderSyntax>(Assert.Single(tree.Declarations));
        var kind = Assert.IsType<StringValueSyntax>(Assert.Single(provider.Body.Attributes).Value);
        Assert.Equal("mock", kind.Value);
    }

    [Fact]
    public void Load_DuplicateAttributeInFlowMapping_ReportsAtTheSecondKey()
    {
        var (_, diagnostics) = Load("providers:\n  a: { kind: \"mock\", kind: \"x\" }\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL1004", d.Id);
        Assert.Equal(new LinePosition(2, 22), d.Position());
    }

    [Fact]
    public void Load_Alias_ReportsAtl1008AtTheAlias()
    {
        var (tree, diagnostics) = Load("providers:\n  a: &base { kind: \"mock\" }\n  b: *base\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL1008", d.Id);
        Assert.Equal(new LinePosition(3, 6), d.Position());
        Assert.Contains("aliases (`*base`) are not supported", d.Message);
        Assert.Equal("a", Assert.Single(tree.Declarations).Name.Name);
    }

    [Fact]
    public void Load_UndefinedAlias_ReportsADiagnostic()
    {
        var (_, diagnostics) = Load("providers:\n  b: *nowhere\n");
        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, d => Assert.StartsWith("ATL1", d.Id));
    }

    [Fact]
    public void Load_AttributeWithoutValue_ReportsAtl1002()
    {
        var (tree, diagnostics) = Load("providers:\n  a:\n    kind:\n    model: \"m\"\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL1002", d.Id);
        Assert.Equal(new LinePosition(3, 10), d.Position());
        Assert.Contains("`kind` has no value", d.Message);
        var provider = Assert.IsType<ProviderSyntax>(Assert.Single(tree.Declarations));
        Assert.Equal("model", Assert.Single(provider.Body.Attributes).Name.Name);
    }

    [Fact]
    public void Load_UnquotedTemplate_ReportsAtl1002SayingToQuoteIt()
    {
        var (_, diagnostics) = Load("agents:\n  a:\n    returns: string\n    prompt: {{ticket.body}}\n");
        Assert.Contains(diagnostics, d => d.Id == "ATL1002"
                                          && d.Position() == new LinePosition(4, 13)
                                          && d.Message.Contains("`prompt` starts with `{{`, so YAML reads it as a mapping; quote it"));
    }

    [Fact]
    public void Load_EnumThatIsAMapping_ReportsAtl1002()
    {
        var (_, diagnostics) = Load("enums:\n  Category: { billing: 1 }\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL1002", d.Id);
        Assert.Equal(new LinePosition(2, 13), d.Position());
        Assert.Contains("members of enum `Category` as a list", d.Message);
    }

    [Fact]
    public void Load_AgentWithoutReturns_ReportsAtl1006AtTheAgentName()
    {
        var (tree, diagnostics) = Load("agents:\n  classifier:\n    model: \"offline\"\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL1006", d.Id);
        Assert.Equal(new LinePosition(2, 3), d.Position());
        Assert.Contains("Agent `classifier` needs `returns:`", d.Message);
        Assert.Empty(tree.Declarations);
    }

    [Fact]
    public void Load_ParamsThatIsAList_ReportsAtl1002AtTheList()
    {
        var (_, diagnostics) = Load("tools:\n  lookup:\n    params: [order_id]\n");
        Assert.Collection(
            diagnostics,
            d =>
            {
                Assert.Equal("ATL1006", d.Id);
                Assert.Equal(new LinePosition(2, 3), d.Position());
                Assert.Contains("Tool `lookup` needs `returns:`", d.Message);
            },
            d =>
            {
                Assert.Equal("ATL1002", d.Id);
                Assert.Equal(new LinePosition(3, 13), d.Position());
                Assert.Contains("`params` of tool `lookup` as a mapping", d.Message);
                Assert.Contains("this is a list", d.Message);
            });
    }

    [Fact]
    public void Load_UnknownWorkflowKey_ReportsAtl1005WithSuggestion()
    {
        var (_, diagnostics) = Load("workflows:\n  w:\n    step: { a: b }\n");
        Assert.Contains(diagnostics, d => d.Id == "ATL1005"
                                          && d.Position() == new LinePosition(3, 5)
                                          && d.Message.Contains("`step` is not a key of workflow `w`")
                                          && d.Message.Contains("did you mean `steps`?"));
    }

    [Fact]
    public void Load_BlockStepValue_ReportsAtl1002AtTheStep()
    {
        var (_, diagnostics) = Load("workflows:\n  w:\n    steps:\n      a:\n        - x\n");
        Assert.Contains(diagnostics, d => d.Id == "ATL1002"
                                          && d.Position() == new LinePosition(5, 9)
                                          && d.Message.Contains("step `a` as an expression string"));
    }

    [Fact]
    public void Load_DeepNesting_ReportsOnceAndKeepsEarlierDeclarations()
    {
        var yaml = "providers:\n  a: {}\n  b:\n    x: " + new string('[', 5000) + new string(']', 5000) + "\n";
        var (tree, diagnostics) = Load(yaml);
        var d = Assert.Single(diagnostics);
        Assert.Equal("ATL1001", d.Id);
        Assert.Equal(4, d.Position().Line);
        Assert.Contains("nested more than 64 levels", d.Message);
        Assert.Equal("a", Assert.Single(tree.Declarations).Name.Name);
    }

    [Fact]
    public void Load_SeveralBadDeclarations_ReportsEachAndKeepsTheGoodOnes()
    {
        const string yaml = """
            providers:
              a: hello
              b: { kind: "mock" }
              c: [1, 2]
            enums:
              E: { x: 1 }
              F: [x, y]
            bogus: 1
            """;
        var (tree, diagnostics) = Load(yaml);
        Assert.Equal(
            new[] { ("ATL1002", 2), ("ATL1002", 4), ("ATL1002", 6), ("ATL1003", 8) },
            diagnostics.Select(d => (d.Id, d.Position().Line)).ToArray());
        Assert.Equal(new[] { "b", "F" }, tree.Declarations.Select(d => d.Name.Name).ToArray());
    }
}
