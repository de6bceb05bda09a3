using System.Linq;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;
using static Atlas.Compiler.Tests.TestSupport;

namespace Atlas.Compiler.Tests.Parsing;

public class ParserTests
{
    [Fact]
    public void Sketch_FromDesignBrief_ParsesEveryDeclarationWithoutErrors()
    {
        var (tree, diagnostics) = ParseAtlas(TestData("sketch.atlas"), "sketch.atlas");

        Assert.Empty(diagnostics);
        var kinds = tree.Declarations.GroupBy(d => d.Keyword).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(4, kinds["provider"]);
        Assert.Equal(1, kinds["route"]);
        Assert.Equal(1, kinds["enum"]);
        Assert.Equal(3, kinds["type"]);
        Assert.Equal(3, kinds["agent"]);
        Assert.Equal(1, kinds["tool"]);
        Assert.Equal(1, kinds["mcp"]);
        Assert.Equal(1, kinds["knowledge"]);
        Assert.Equal(2, kinds["workflow"]);
    }

    [Fact]
    public void Sketch_Workflow_HasStepsSwitchForAndReturn()
    {
        var (tree, _) = ParseAtlas(TestData("sketch.atlas"));
        var support = tree.Declarations.OfType<WorkflowSyntax>().Single(w => w.Name.Name == "support");

        Assert.Equal(new[] { "triage", "context", "answer" }, support.Steps.Select(s => s.Name.Name));
        var search = Assert.IsType<CallExpressionSyntax>(support.Steps[1].Value);
        var target = Assert.IsType<MemberAccessSyntax>(search.Target);
        Assert.Equal("search", target.Member.Name);
        Assert.Equal("top", search.Arguments[1].Name!.Name);
        var @switch = Assert.IsType<SwitchExpressionSyntax>(support.Steps[2].Value);
        Assert.Equal(2, @switch.Cases.Length);
        Assert.Null(@switch.Cases[1].Pattern);
        var ret = Assert.IsType<ObjectExpressionSyntax>(support.Return!.Value);
        Assert.Equal("Reply", ret.Type.Name);
        Assert.Equal(3, ret.Fields.Length);

        var batch = tree.Declarations.OfType<WorkflowSyntax>().Single(w => w.Name.Name == "triage_all");
        var loop = Assert.IsType<ForExpressionSyntax>(batch.Steps[0].Value);
        Assert.Equal(8, loop.Parallel!.Value);
        var call = Assert.IsType<CallExpressionSyntax>(loop.Body);
        Assert.Equal(new[] { "retry", "timeout" }, call.With!.Attributes.Select(a => a.Name.Name));
        Assert.Equal(20_000, Assert.IsType<DurationValueSyntax>(call.With.Attributes[1].Value).Milliseconds);
    }

    [Fact]
    public void WorkflowBody_SettingsAndSteps_AreToldApartByTheTokenAfterTheName()
    {
        var (tree, diagnostics) = ParseAtlas("workflow w(x: string) -> string {\n  a = f(x)\n  budget { usd = 0.5, tokens = 100 }\n  b = g(a)\n  return b\n}\n");

        Assert.Empty(diagnostics);
        var workflow = Assert.IsType<WorkflowSyntax>(Assert.Single(tree.Declarations));
        Assert.Equal(new[] { "a", "b" }, workflow.Steps.Select(s => s.Name.Name));
        var budget = Assert.Single(workflow.Settings);
        Assert.Equal("budget", budget.Name.Name);
        var block = Assert.IsType<BlockValueSyntax>(budget.Value);
        Assert.Equal(new[] { "usd", "tokens" }, block.Block.Attributes.Select(a => a.Name.Name));
    }

    [Fact]
    public void WorkflowBody_NameWithoutEqualsOrBlock_IsOneSyntaxErrorNamingBoth()
    {
        var (_, diagnostics) = ParseAtlas("workflow w(x: string) -> string {\n  budget usd = 1\n  return x\n}\n");

        var error = Assert.Single(diagnostics);
        Assert.Equal(("ATL0001", 2, 10), (error.Id, error.Location.Start.Line, error.Location.Start.Column));
        Assert.Equal("Unexpected `usd`; expected `=` or `{`", error.Message);
    }

    [Fact]
    public void Sketch_Values_KeepTheirKinds()
    {
        var (tree, _) = ParseAtlas(TestData("sketch.atlas"));
        var openai = tree.Declarations.OfType<ProviderSyntax>().First();
        var attributes = openai.Body.Attributes.ToDictionary(a => a.Name.Name, a => a.Value);

        Assert.Equal("openai", Assert.IsType<NameValueSyntax>(attributes["kind"]).Name.Name);
        Assert.Equal("gpt-4o-mini", Assert.IsType<StringValueSyntax>(attributes["model"]).Value);
        var env = Assert.IsType<CallValueSyntax>(attributes["api_key"]);
        Assert.Equal("env", env.Name.Name);
        Assert.Equal(3, Assert.IsType<ListValueSyntax>(attributes["supports"]).Items.Length);
        var cost = Assert.IsType<BlockValueSyntax>(attributes["cost"]);
        Assert.Null(cost.Head);
        Assert.Equal(0.60, Assert.IsType<NumberValueSyntax>(cost.Block.Attributes[1].Value).Value);

        var knowledge = tree.Declarations.OfType<KnowledgeSyntax>().Single();
        var chunking = Assert.IsType<BlockValueSyntax>(knowledge.Body.Attributes.Single(a => a.Name.Name == "chunking").Value);
        Assert.Equal("recursive", chunking.Head!.Name);
        var store = Assert.IsType<CallValueSyntax>(knowledge.Body.Attributes.Single(a => a.Name.Name == "store").Value);
        Assert.Equal("sqlite", store.Name.Name);
    }

    [Fact]
    public void Spans_OfNames_PointAtTheirLineAndColumn()
    {
        var text = "# comment\nprovider   offline {\n  kind = mock\n}\n";
        var (tree, diagnostics) = ParseAtlas(text);
        Assert.Empty(diagnostics);
        var provider = tree.Declarations.Single();
        var file = tree.File;
        Assert.Equal(new LinePosition(2, 12), file.GetLinePosition(provider.Name.Span.Start));
        Assert.Equal("provider   offline {\n  kind = mock\n}", file.GetText(provider.Span));
        var kind = ((ProviderSyntax)provider).Body.Attributes[0];
        Assert.Equal("kind = mock", file.GetText(kind.Span));
    }

    [Fact]
    public void TripleQuotedString_CommonIndentation_IsRemovedAndMapped()
    {
        var text = "agent a(x: string) -> string {\n  model = m\n  prompt = \"\"\"\n    Hello {{x}}\n      indented\n  \"\"\"\n}\n";
        var (tree, diagnostics) = ParseAtlas(text);
        Assert.Empty(diagnostics);
        var prompt = Assert.IsType<StringValueSyntax>(((AgentSyntax)tree.Declarations[0]).Body.Attributes[1].Value);
        Assert.Equal("Hello {{x}}\n  indented", prompt.Value);
        // 'H' sits on line 4, column 5 of the file.
        Assert.Equal(new LinePosition(4, 5), tree.File.GetLinePosition(prompt.Map.ToFileOffset(0)));
        Assert.Equal(new LinePosition(5, 7), tree.File.GetLinePosition(prompt.Map.ToFileOffset(prompt.Value.IndexOf("indented"))));
    }

    [Fact]
    public void QuotedString_Escapes_AreDecodedAndMapped()
    {
        var (tree, diagnostics) = ParseAtlas("provider p { model = \"a\\\"b\\nc\" }");
        Assert.Empty(diagnostics);
        var model = Assert.IsType<StringValueSyntax>(((ProviderSyntax)tree.Declarations[0]).Body.Attributes[0].Value);
        Assert.Equal("a\"b\nc", model.Value);
        Assert.Equal(25, model.Map.ToFileOffset(2)); // 'b' after the escaped quote
    }

    [Fact]
    public void SyntaxError_MissingEquals_IsReportedAtTheToken()
    {
        var (_, diagnostics) = ParseAtlas("provider p {\n  kind mock\n}\n");
        AssertDiagnostics(diagnostics, ("ATL0001", 2, 8));
        Assert.Contains("Unexpected `mock`", diagnostics[0].Message);
        Assert.Contains("`=`", diagnostics[0].Message);
    }

    [Fact]
    public void SyntaxError_InOneDeclaration_DoesNotHideErrorsInOthers()
    {
        var text = "provider a {\n  kind = \n}\nenum E { x, y }\nagent b(t: T) -> {\n  model = a\n}\ntype T { f: string }\nworkflow w() -> T {\n  x = (\n}\n";
        var (tree, diagnostics) = ParseAtlas(text);
        AssertDiagnostics(diagnostics, ("ATL0001", 3, 1), ("ATL0001", 5, 18), ("ATL0001", 11, 1));
        Assert.Equal(new[] { "E", "T" }, tree.Declarations.Select(d => d.Name.Name));
    }

    [Fact]
    public void SyntaxError_UnclosedBlock_PointsAtTheNextDeclaration()
    {
        var (tree, diagnostics) = ParseAtlas("provider a {\n  kind = mock\n\nprovider b {\n  kind = mock\n}\n");
        AssertDiagnostics(diagnostics, ("ATL0001", 4, 1));
        Assert.Contains("not complete", diagnostics[0].Message);
        Assert.Equal("b", Assert.Single(tree.Declarations).Name.Name);
    }

    [Fact]
    public void Human_ParsesLikeAnAgent_AndStartsADeclarationForRecovery()
    {
        var (tree, diagnostics) = ParseAtlas(
            "agent a(x: string) -> string {\n  model = m\n\nhuman approver(reply: Reply) -> bool {\n  prompt = \"ok?\"\n  timeout = 24h\n}\n");
        AssertDiagnostics(diagnostics, ("ATL0001", 4, 1));
        Assert.Contains("not complete", diagnostics[0].Message);
        var human = Assert.IsType<HumanSyntax>(Assert.Single(tree.Declarations));
        Assert.Equal(("approver", "human"), (human.Name.Name, human.Keyword));
        Assert.Equal("reply", Assert.Single(human.Parameters).Name.Name);
        Assert.Equal("bool", human.Returns.ToString());
        Assert.Equal(new[] { "prompt", "timeout" }, human.Body.Attributes.Select(a => a.Name.Name));
        Assert.Equal(24L * 3_600_000, Assert.IsType<DurationValueSyntax>(human.Body.Attributes[1].Value).Milliseconds);
    }

    [Fact]
    public void SyntaxError_MisspelledKeyword_SuggestsTheKeyword()
    {
        var (_, diagnostics) = ParseAtlas("agnet a(x: string) -> string { model = m }\n");
        AssertDiagnostics(diagnostics, ("ATL0001", 1, 1));
        Assert.Contains("did you mean `agent`?", diagnostics[0].Message);
    }

    [Fact]
    public void UnterminatedString_IsReportedAndParsingGoesOn()
    {
        var (tree, diagnostics) = ParseAtlas("provider a {\n  model = \"gpt\n  kind = mock\n}\n");
        AssertDiagnostics(diagnostics, ("ATL0002", 2, 11));
        Assert.Single(tree.Declarations);
    }

    [Fact]
    public void UnterminatedTripleQuotedString_IsReported()
    {
        var (_, diagnostics) = ParseAtlas("agent a(x: string) -> string {\n  prompt = \"\"\"\n  hello\n");
        Assert.Contains(diagnostics, d => d.Id == "ATL0002" && d.Location.Start.Line == 2 && d.Location.Start.Column == 12);
    }

    [Fact]
    public void Duration_UnknownUnit_IsReportedAtTheUnit()
    {
        var (_, diagnostics) = ParseAtlas("provider a {\n  latency = 20xs\n}\n");
        AssertDiagnostics(diagnostics, ("ATL0004", 2, 15));
        Assert.Contains("`xs` is not a duration unit", diagnostics[0].Message);
    }

    [Fact]
    public void Number_OutOfRange_IsReported()
    {
        var (_, diagnostics) = ParseAtlas("provider a {\n  max_concurrency = 99999999999\n}\n");
        AssertDiagnostics(diagnostics, ("ATL0005", 2, 21));
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("20s", 20_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1.5s", 1_500)]
    public void Duration_Units_ConvertToMilliseconds(string text, long expected)
    {
        var (tree, diagnostics) = ParseAtlas($"route r {{ timeout = {text} }}");
        Assert.Empty(diagnostics);
        var value = ((RouteSyntax)tree.Declarations[0]).Body.Attributes[0].Value;
        Assert.Equal(expected, Assert.IsType<DurationValueSyntax>(value).Milliseconds);
    }

    [Fact]
    public void DeepNesting_IsAnErrorNotACrash()
    {
        var text = "provider a { x = " + new string('[', 5000) + " }";
        var (_, diagnostics) = ParseAtlas(text);
        var error = Assert.Single(diagnostics);
        Assert.Equal("ATL0001", error.Id);
        Assert.Contains("Nesting is deeper", error.Message);
    }

    [Fact]
    public void ParseExpression_WithSourceMap_ReportsInFileCoordinates()
    {
        var file = new SourceFile("f.yaml", "steps:\n  a: classifier(ticket,\n");
        var bag = new DiagnosticBag();
        var text = "classifier(ticket,";
        var result = AtlasParser.ParseExpression(file, text, SourceMap.Contiguous(file.Text.IndexOf("classifier"), text.Length), bag);
        Assert.Null(result);
        AssertDiagnostics(bag.ToSortedArray().ToArray(), ("ATL0001", 2, 24));
    }

    [Fact]
    public void ParseExpression_Valid_HasFileSpans()
    {
        var file = new SourceFile("f.yaml", "x: kb.search(q, top = 3)");
        var bag = new DiagnosticBag();
        var expr = AtlasParser.ParseExpression(file, "kb.search(q, top = 3)", SourceMap.Contiguous(3, 21), bag);
        Assert.Equal(0, bag.Count);
        var call = Assert.IsType<CallExpressionSyntax>(expr);
        Assert.Equal("q", file.GetText(call.Arguments[0].Span));
        Assert.Equal("top = 3", file.GetText(call.Arguments[1].Span));
    }

    [Theory]
    [InlineData("mock", typeof(NameValueSyntax))]
    [InlineData("20ms", typeof(DurationValueSyntax))]
    [InlineData("0.15", typeof(NumberValueSyntax))]
    [InlineData("true", typeof(BoolValueSyntax))]
    [InlineData("env(\"X\")", typeof(CallValueSyntax))]
    [InlineData("recursive { size = 800, overlap = 100 }", typeof(BlockValueSyntax))]
    public void TryParseValue_WholeValue_ReturnsItsKind(string text, System.Type kind)
    {
        var file = new SourceFile("f.yaml", text);
        Assert.IsType(kind, AtlasParser.TryParseValue(file, text, SourceMap.Contiguous(0, text.Length), new DiagnosticBag()));
    }

    [Theory]
    [InlineData("gpt-4o-mini")]
    [InlineData("llama3.2")]
    [InlineData("http://localhost:11434")]
    [InlineData("20xs")]
    public void TryParseValue_NotAWholeValue_ReturnsNull(string text)
    {
        var file = new SourceFile("f.yaml", text);
        Assert.Null(AtlasParser.TryParseValue(file, text, SourceMap.Contiguous(0, text.Length), new DiagnosticBag()));
    }

    [Fact]
    public void ParseTypeRef_ListAndOptional()
    {
        var file = new SourceFile("f.yaml", "Passage[]?");
        var type = AtlasParser.ParseTypeRef(file, file.Text, SourceMap.Contiguous(0, file.Text.Length), new DiagnosticBag());
        Assert.NotNull(type);
        Assert.True(type!.IsList);
        Assert.True(type.IsOptional);
        Assert.Equal("Passage", type.Name.Name);
    }
}
