using System.Collections.Immutable;
using System.Threading;
using Atlas.Compiler.Binding;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Model;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Tests.Binding;

/// <summary>Binds hand-built trees: odd shapes the parsers never make, and the YAML loader's value forms.</summary>
public class SyntaxTreeBindingTests
{
    private static readonly TextSpan At = new(0, 1);

    private static IdentifierSyntax Id(string name) => new(name, At);

    private static AttributeSyntax Attr(string name, ValueSyntax value) => new(Id(name), value, At);

    private static BlockSyntax Block(params AttributeSyntax[] attributes) => new(attributes.ToImmutableArray(), At);

    private static StringValueSyntax Bare(string text) => new(text, SourceMap.Contiguous(0, text.Length), At, IsBareYamlScalar: true);

    private static NumberValueSyntax Number(int value) => new(value, true, value.ToString(System.Globalization.CultureInfo.InvariantCulture), At);

    private static (AtlasModel Model, DiagnosticBag Diagnostics) Bind(SourceFile file, params DeclarationSyntax[] declarations)
    {
        var diagnostics = new DiagnosticBag();
        var model = Binder.Bind(new[] { new SyntaxTree(file, declarations.ToImmutableArray()) }, diagnostics, CancellationToken.None);
        return (model, diagnostics);
    }

    [Fact]
    public void Bind_NullsAndDefaultArrays_GivesDiagnosticsNotExceptions()
    {
        var file = new SourceFile("t.atlas", "x");
        var declarations = new DeclarationSyntax[]
        {
            new ProviderSyntax(Id("p"), null!, At),
            new RouteSyntax(Id("r"), new BlockSyntax(default, At), At),
            new EnumSyntax(Id("E"), default, At),
            new TypeSyntax(Id("T"), ImmutableArray.Create<FieldSyntax>(null!, new FieldSyntax(null!, null!, At)), At),
            new AgentSyntax(Id("a"), default, null!, Block(Attr("model", null!), new AttributeSyntax(null!, null!, At)), At),
            new ToolSyntax(null!, default, null!, At),
            new WorkflowSyntax(
                Id("w"),
                ImmutableArray.Create(new ParameterSyntax[] { null! }),
                null!,
                ImmutableArray.Create(
                    new StepSyntax(Id("s"), null!, At),
                    new StepSyntax(Id("t"), new CallExpressionSyntax(null!, default, null, At), At),
                    new StepSyntax(Id("u"), new SwitchExpressionSyntax(null!, default, At, At), At),
                    new StepSyntax(Id("v"), new ForExpressionSyntax(null!, null!, null, null!, At), At),
                    new StepSyntax(Id("x"), new ObjectExpressionSyntax(null!, ImmutableArray.Create(new FieldInitializerSyntax[] { null! }), At), At),
                    new StepSyntax(null!, null!, At)),
                new ReturnSyntax(null!, At),
                At),
        };

        var (model, diagnostics) = Bind(file, declarations);

        Assert.True(diagnostics.HasErrors);
        Assert.DoesNotContain(diagnostics.ToSortedArray(), d => d.Id == "ATL9001");
        Assert.Single(model.Workflows);
    }

    [Fact]
    public void NestingTooDeep_HugelyNestedExpression_ReportsOnceAndDoesNotThrow()
    {
        // The parser stops at 64 levels (ATL0001); the binder guards itself for trees built another way.
        var file = new SourceFile("t.atlas", new string('[', 200));
        ExpressionSyntax value = new LiteralExpressionSyntax(Number(1), new TextSpan(200, 0));
        for (int i = 199; i >= 0; i--) value = new ListExpressionSyntax(ImmutableArray.Create(value), new TextSpan(i, 200 - i));
        var workflow = new WorkflowSyntax(
            Id("w"),
            ImmutableArray<ParameterSyntax>.Empty,
            new TypeRefSyntax(Id("int"), false, false, At),
            ImmutableArray.Create(new StepSyntax(Id("x"), value, At)),
            new ReturnSyntax(new LiteralExpressionSyntax(Number(1), At), At),
            At);

        var (_, diagnostics) = Bind(file, workflow);

        var diagnostic = Assert.Single(diagnostics.ToSortedArray());
        Assert.Equal("ATL2022", diagnostic.Id);
        Assert.Equal(new LinePosition(1, 102), diagnostic.Location.Start);
    }

    [Fact]
    public void Bind_NullTreeList_GivesAnEmptyModel()
    {
        var diagnostics = new DiagnosticBag();
        var model = Binder.Bind(new SyntaxTree[] { null!, new(new SourceFile("a.atlas", ""), default) }, diagnostics, CancellationToken.None);
        Assert.Equal(AtlasModel.Empty, model);
        Assert.Equal(0, diagnostics.Count);
    }

    [Fact]
    public void Bind_Cancelled_Throws()
    {
        var file = new SourceFile("t.atlas", "x");
        var tree = new SyntaxTree(file, ImmutableArray.Create<DeclarationSyntax>(new EnumSyntax(Id("E"), default, At)));
        Assert.Throws<System.OperationCanceledException>(() => Binder.Bind(new[] { tree }, new DiagnosticBag(), new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Yaml_BareScalarsAndHeadlessChunkingBlock_BindLikeTheAtlasForm()
    {
        var file = new SourceFile("t.atlas.yaml", "x");
        var (model, diagnostics) = Bind(
            file,
            new ProviderSyntax(Id("local"), Block(Attr("kind", Bare("ollama")), Attr("model", Bare("llama3")), Attr("embedding_model", Bare("nomic-embed-text"))), At),
            new AgentSyntax(Id("a"), default, new TypeRefSyntax(Id("string"), false, false, At), Block(Attr("model", Bare("local")), Attr("prompt", new NameValueSyntax(Id("hello"), At))), At),
            new KnowledgeSyntax(
                Id("kb"),
                Block(
                    Attr("sources", Bare("docs/*.md")),
                    Attr("embedder", Bare("local")),
                    Attr("chunking", new BlockValueSyntax(null, Block(Attr("fixed", new BlockValueSyntax(null, Block(Attr("size", Number(400)), Attr("overlap", Number(40))), At))), At))),
                At),
            new WorkflowSyntax(
                Id("w"),
                ImmutableArray.Create(new ParameterSyntax(Id("q"), new TypeRefSyntax(Id("string"), false, false, At), At)),
                new TypeRefSyntax(Id("Passage"), true, false, At),
                ImmutableArray<StepSyntax>.Empty,
                new ReturnSyntax(new CallExpressionSyntax(new MemberAccessSyntax(new NameExpressionSyntax(Id("kb"), At), Id("search"), At), ImmutableArray.Create(new ArgumentSyntax(null, new NameExpressionSyntax(Id("q"), At), At)), null, At), At),
                At));

        Assert.Equal(0, diagnostics.Count);
        var provider = Assert.Single(model.Providers);
        Assert.Equal(ProviderKind.Ollama, provider.Kind);
        Assert.Equal("llama3", provider.Model);
        Assert.Equal("nomic-embed-text", provider.EmbeddingModel);
        var agent = Assert.Single(model.Agents);
        Assert.Equal("local", agent.Model);
        Assert.Equal(new TextPart("hello"), Assert.Single(agent.Prompt.Parts));
        var kb = Assert.Single(model.KnowledgeBases);
        Assert.Equal(new ChunkingModel(ChunkingStrategy.Fixed, 400, 40), kb.Chunking);
        Assert.Equal("local", kb.Embedder);
        Assert.Equal(new[] { "docs/*.md" }, kb.Sources);
    }

    [Fact]
    public void Atlas_BareNameWhereAStringIsExpected_IsAnError()
    {
        var file = new SourceFile("t.atlas", "x");
        var (_, diagnostics) = Bind(file, new ProviderSyntax(Id("p"), Block(Attr("kind", new NameValueSyntax(Id("openai"), At)), Attr("model", new NameValueSyntax(Id("gpt"), At))), At));
        Assert.Contains(diagnostics.ToSortedArray(), d => d.Id == "ATL2008" && d.Message == "`model` must be a string, not the name `gpt`");
    }
}
