using System.Linq;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;
using static Atlas.Compiler.Tests.Yaml.YamlTestHelpers;

namespace Atlas.Compiler.Tests.Yaml;

public class YamlLoaderTests
{
    private static readonly SourceFile Fragment = new(Path, YamlSamples.BriefFragment);

    [Fact]
    public void Load_BriefFragment_HasTheFourDeclarationsWithoutDiagnostics()
    {
        var (tree, diagnostics) = Load(YamlSamples.BriefFragment);
        Assert.Empty(diagnostics);
        Assert.Equal(
            new[] { "provider offline", "type Ticket", "agent classifier", "workflow support" },
            tree.Declarations.Select(d => d.Keyword + " " + d.Name.Name).ToArray());
    }

    [Fact]
    public void Load_BriefFragment_ProviderAttributesAreParsedValues()
    {
        var provider = Declaration<ProviderSyntax>("offline");
        Assert.Equal(new LinePosition(2, 3), Start(provider.Name.Span));
        Assert.Equal(new LinePosition(2, 3), Start(provider.Span));
        Assert.Equal(new LinePosition(2, 41), Fragment.GetLinePosition(provider.Span.End));
        Assert.Equal(new LinePosition(2, 12), Start(provider.Body.Span));
        Assert.Collection(
            provider.Body.Attributes,
            kind =>
            {
                Assert.Equal("kind", kind.Name.Name);
                Assert.Equal(new LinePosition(2, 14), Start(kind.Span));
                var value = Assert.IsType<NameValueSyntax>(kind.Value);
                Assert.Equal("mock", value.Name.Name);
                Assert.Equal(new LinePosition(2, 20), Start(value.Span));
            },
            latency =>
            {
                Assert.Equal("latency", latency.Name.Name);
                var value = Assert.IsType<DurationValueSyntax>(latency.Value);
                Assert.Equal(20, value.Milliseconds);
                Assert.Equal(new LinePosition(2, 35), Start(value.Span));
            });
    }

    [Fact]
    public void Load_BriefFragment_TypeFieldsAreTypeRefs()
    {
        var type = Declaration<TypeSyntax>("Ticket");
        Assert.Equal(new[] { "id", "subject", "body" }, type.Fields.Select(f => f.Name.Name).ToArray());
        Assert.All(type.Fields, f => Assert.Equal("string", f.Type.ToString()));
        Assert.Equal(new LinePosition(4, 13), Start(type.Fields[0].Name.Span));
        Assert.Equal(new LinePosition(4, 17), Start(type.Fields[0].Type.Span));
    }

    [Fact]
    public void Load_BriefFragment_AgentHasParamsReturnsAndBody()
    {
        var agent = Declaration<AgentSyntax>("classifier");
        var parameter = Assert.Single(agent.Parameters);
        Assert.Equal("ticket", parameter.Name.Name);
        Assert.Equal("Ticket", parameter.Type.ToString());
        Assert.Equal(new LinePosition(7, 16), Start(parameter.Span));
        Assert.Equal("Triage", agent.Returns.ToString());
        Assert.Equal(new LinePosition(8, 14), Start(agent.Returns.Span));
        Assert.Equal(new[] { "model", "prompt" }, agent.Body.Attributes.Select(a => a.Name.Name).ToArray());
        Assert.Equal("offline", Assert.IsType<NameValueSyntax>(agent.Body.Attributes[0].Value).Name.Name);

        var prompt = Assert.IsType<StringValueSyntax>(agent.Body.Attributes[1].Value);
        Assert.Equal("Subject: {{ticket.subject}}", prompt.Value);
        Assert.False(prompt.IsBareYamlScalar);
        int index = prompt.Value.IndexOf("ticket", System.StringComparison.Ordinal);
        Assert.Equal(new LinePosition(10, 26), Fragment.GetLinePosition(prompt.Map.ToFileOffset(index)));
    }

    [Fact]
    public void Load_BriefFragment_WorkflowStepsAndReturnAreExpressions()
    {
        var workflow = Declaration<WorkflowSyntax>("support");
        Assert.Equal("ticket", Assert.Single(workflow.Parameters).Name.Name);
        Assert.Equal("Reply", workflow.Returns.ToString());
        Assert.Collection(
            workflow.Steps,
            triage =>
            {
                Assert.Equal("triage", triage.Name.Name);
                Assert.Equal(new LinePosition(16, 7), Start(triage.Span));
                var call = Assert.IsType<CallExpressionSyntax>(triage.Value);
                Assert.Equal(new LinePosition(16, 16), Start(call.Span));
                Assert.Equal("classifier", Assert.IsType<NameExpressionSyntax>(call.Target).Name.Name);
                var argument = Assert.Single(call.Arguments);
                Assert.Equal(new LinePosition(16, 27), Start(argument.Span));
            },
            context =>
            {
                var call = Assert.IsType<CallExpressionSyntax>(context.Value);
                var target = Assert.IsType<MemberAccessSyntax>(call.Target);
                Assert.Equal("search", target.Member.Name);
                Assert.Equal(new LinePosition(17, 25), Start(target.Member.Span));
                Assert.Equal(2, call.Arguments.Length);
                Assert.Equal("top", call.Arguments[1].Name?.Name);
                Assert.Equal(new LinePosition(17, 45), Start(call.Arguments[1].Span));
            });

        Assert.NotNull(workflow.Return);
        Assert.Equal(new LinePosition(18, 5), Start(workflow.Return!.Span));
        var result = Assert.IsType<ObjectExpressionSyntax>(workflow.Return.Value);
        Assert.Equal("Reply", result.Type.Name);
        Assert.Equal(new[] { "ticket", "category", "answer" }, result.Fields.Select(f => f.Name.Name).ToArray());
        Assert.Equal(new LinePosition(18, 69), Start(result.Fields[2].Name.Span));
    }

    [Fact]
    public void Load_FullSample_LoadsEverySectionWithoutDiagnostics()
    {
        var (tree, diagnostics) = Load(YamlSamples.Full);
        Assert.Empty(diagnostics);
        Assert.Equal(
            new[]
            {
                "provider openai", "provider offline", "route smart", "enum Category", "type Ticket", "type Triage",
                "type Reply", "type Passage", "agent classifier", "agent support_agent", "tool lookup_order",
                "mcp files", "knowledge handbook", "workflow support", "workflow triage_all",
            },
            tree.Declarations.Select(d => d.Keyword + " " + d.Name.Name).ToArray());
    }

    [Fact]
    public void Load_PlainScalarValues_AreParsedAsAtlasValues()
    {
        var (tree, _) = Load(YamlSamples.Full);
        var openai = tree.Declarations.OfType<ProviderSyntax>().Single(p => p.Name.Name == "openai");
        var values = openai.Body.Attributes.ToDictionary(a => a.Name.Name, a => a.Value);
        Assert.Equal("openai", Assert.IsType<NameValueSyntax>(values["kind"]).Name.Name);
        Assert.Equal("gpt-4o-mini", Assert.IsType<StringValueSyntax>(values["model"]).Value);
        var env = Assert.IsType<CallValueSyntax>(values["api_key"]);
        Assert.Equal("env", env.Name.Name);
        Assert.Equal("OPENAI_API_KEY", Assert.IsType<StringValueSyntax>(Assert.Single(env.Arguments)).Value);
        var supports = Assert.IsType<ListValueSyntax>(values["supports"]);
        Assert.Equal(new[] { "chat", "tools", "json" }, supports.Items.Select(i => Assert.IsType<NameValueSyntax>(i).Name.Name).ToArray());
        var cost = Assert.IsType<BlockValueSyntax>(values["cost"]);
        Assert.Null(cost.Head);
        var input = Assert.IsType<NumberValueSyntax>(cost.Block.Attributes[0].Value);
        Assert.Equal(0.15, input.Value);
        Assert.False(input.IsInteger);

        var handbook = tree.Declarations.OfType<KnowledgeSyntax>().Single();
        var chunking = Assert.IsType<BlockValueSyntax>(handbook.Body.Attributes.Single(a => a.Name.Name == "chunking").Value);
        Assert.Equal("recursive", chunking.Head?.Name);
        Assert.Equal(new[] { "size", "overlap" }, chunking.Block.Attributes.Select(a => a.Name.Name).ToArray());

        var route = tree.Declarations.OfType<RouteSyntax>().Single();
        var retry = Assert.IsType<NumberValueSyntax>(route.Body.Attributes.Single(a => a.Name.Name == "retry").Value);
        Assert.True(retry.IsInteger);
        Assert.Equal(30_000, Assert.IsType<DurationValueSyntax>(route.Body.Attributes.Single(a => a.Name.Name == "timeout").Value).Milliseconds);
    }

    [Fact]
    public void Load_PlainScalarThatIsNoAtlasValue_IsABareString()
    {
        var (tree, diagnostics) = Load("providers:\n  local:\n    endpoint: http://localhost:11434\n");
        Assert.Empty(diagnostics);
        var endpoint = Assert.IsType<StringValueSyntax>(Assert.Single(((ProviderSyntax)tree.Declarations[0]).Body.Attributes).Value);
        Assert.Equal("http://localhost:11434", endpoint.Value);
        Assert.True(endpoint.IsBareYamlScalar);
    }

    [Fact]
    public void Load_EnumAndOptionalListTypes_HaveTheirMembersAndFlags()
    {
        var (tree, _) = Load(YamlSamples.Full);
        var category = tree.Declarations.OfType<EnumSyntax>().Single();
        Assert.Equal(new[] { "billing", "bug", "account", "other" }, category.Members.Select(m => m.Name).ToArray());
        Assert.Equal("billing", new SourceFile(Path, YamlSamples.Full).GetText(category.Members[0].Span));

        var triage = tree.Declarations.OfType<TypeSyntax>().Single(t => t.Name.Name == "Triage");
        var tags = triage.Fields.Single(f => f.Name.Name == "tags").Type;
        Assert.True(tags.IsList);
        Assert.False(tags.IsOptional);
        var owner = triage.Fields.Single(f => f.Name.Name == "owner").Type;
        Assert.True(owner.IsOptional);
        var agent = tree.Declarations.OfType<AgentSyntax>().Single(a => a.Name.Name == "support_agent");
        Assert.True(agent.Parameters.Single(p => p.Name.Name == "context").Type.IsList);
    }

    [Fact]
    public void Load_BlockScalarPrompt_MapsTemplateTextIntoTheBlock()
    {
        var (tree, _) = Load(YamlSamples.Full);
        var file = new SourceFile(Path, YamlSamples.Full);
        var classifier = tree.Declarations.OfType<AgentSyntax>().Single(a => a.Name.Name == "classifier");
        var prompt = Assert.IsType<StringValueSyntax>(classifier.Body.Attributes.Single(a => a.Name.Name == "prompt").Value);
        Assert.Equal("Subject: {{ticket.subject}}\n{{ticket.body}}\n", prompt.Value);
        int index = prompt.Value.IndexOf("ticket.body", System.StringComparison.Ordinal);
        Assert.Equal("ticket.body", file.Text.Substring(prompt.Map.ToFileOffset(index), "ticket.body".Length));
    }

    [Fact]
    public void Load_ToolAndMcp_HaveTheirShapes()
    {
        var (tree, _) = Load(YamlSamples.Full);
        var tool = tree.Declarations.OfType<ToolSyntax>().Single();
        Assert.Equal("order_id", Assert.Single(tool.Parameters).Name.Name);
        Assert.Equal("string", tool.Returns.ToString());
        var mcp = tree.Declarations.OfType<McpSyntax>().Single();
        var args = Assert.IsType<ListValueSyntax>(mcp.Body.Attributes.Single(a => a.Name.Name == "args").Value);
        Assert.Equal("-y", Assert.IsType<StringValueSyntax>(args.Items[0]).Value);
    }

    [Fact]
    public void Load_MultiLineStepAndForStep_AreParsedExpressions()
    {
        var (tree, _) = Load(YamlSamples.Full);
        var support = tree.Declarations.OfType<WorkflowSyntax>().Single(w => w.Name.Name == "support");
        var answer = support.Steps.Single(s => s.Name.Name == "answer");
        var @switch = Assert.IsType<SwitchExpressionSyntax>(answer.Value);
        Assert.Equal(2, @switch.Cases.Length);
        var file = new SourceFile(Path, YamlSamples.Full);
        Assert.Equal("switch", file.GetText(@switch.KeywordSpan));

        var triageAll = tree.Declarations.OfType<WorkflowSyntax>().Single(w => w.Name.Name == "triage_all");
        var loop = Assert.IsType<ForExpressionSyntax>(Assert.Single(triageAll.Steps).Value);
        Assert.Equal(8, loop.Parallel?.Value);
        Assert.NotNull(Assert.IsType<CallExpressionSyntax>(loop.Body).With);
        Assert.IsType<NameExpressionSyntax>(triageAll.Return?.Value);
    }

    [Fact]
    public void Load_FlowSequenceStep_IsReadAsAListExpression()
    {
        var (tree, diagnostics) = Load("workflows:\n  w:\n    returns: string\n    steps:\n      xs: [a, b]\n    return: xs\n");
        Assert.Empty(diagnostics);
        var step = Assert.Single(((WorkflowSyntax)tree.Declarations[0]).Steps);
        var list = Assert.IsType<ListExpressionSyntax>(step.Value);
        Assert.Equal(2, list.Items.Length);
        Assert.Equal(new LinePosition(5, 15), new SourceFile(Path, "workflows:\n  w:\n    returns: string\n    steps:\n      xs: [a, b]\n    return: xs\n").GetLinePosition(list.Items[1].Span.Start));
    }

    [Fact]
    public void Load_QuotedNames_SpanTheNameWithoutQuotes()
    {
        const string yaml = "enums:\n  'Category': [\"billing\", bug]\n";
        var (tree, diagnostics) = Load(yaml);
        Assert.Empty(diagnostics);
        var category = Assert.IsType<EnumSyntax>(Assert.Single(tree.Declarations));
        var file = new SourceFile(Path, yaml);
        Assert.Equal("Category", file.GetText(category.Name.Span));
        Assert.Equal("billing", file.GetText(category.Members[0].Span));
        Assert.Equal("bug", file.GetText(category.Members[1].Span));
    }

    private static T Declaration<T>(string name) where T : DeclarationSyntax
    {
        var (tree, _) = Load(YamlSamples.BriefFragment);
        return tree.Declarations.OfType<T>().Single(d => d.Name.Name == name);
    }

    private static LinePosition Start(TextSpan span) => Fragment.GetLinePosition(span.Start);
}
