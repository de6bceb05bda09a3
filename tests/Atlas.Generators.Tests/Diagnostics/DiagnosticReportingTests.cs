using System;
using System.Globalization;
using System.Linq;
using Atlas.Compiler;
using Atlas.Compiler.Text;
using Atlas.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace Atlas.Generators.Tests.Diagnostics;

/// <summary>
/// Atlas diagnostics reach Roslyn with the front-end's id, severity and message, located in the
/// Atlas file, and print exactly as <c>atlas check</c> prints them.
/// </summary>
public class DiagnosticReportingTests
{
    [Fact]
    public void BrokenAtlasFile_ReportsError_AtItsLineAndColumn()
    {
        var result = new GeneratorHarness(("/src/flow.atlas", "provider offline {\n  kind mock\n}\n")).Run();

        result.AssertNoGeneratorException();
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("ATL0001", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("Syntax error", diagnostic.Descriptor.Title.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("Atlas.Syntax", diagnostic.Descriptor.Category);
        Assert.Equal("Unexpected `mock`; expected `=` or `{`", diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(LocationKind.ExternalFile, diagnostic.Location.Kind);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal("/src/flow.atlas", span.Path);
        Assert.Equal((1, 7), (span.StartLinePosition.Line, span.StartLinePosition.Character)); // (2,8) 1-based
        Assert.Equal("/src/flow.atlas(2,8): error ATL0001: Unexpected `mock`; expected `=` or `{`", diagnostic.ToString());
    }

    [Fact]
    public void KnowledgeBase_ProjectWithoutTheKnowledgePackages_Atl2031NamingWhatIsMissing()
    {
        const string atlas = "provider p { kind = openai, model = \"m\", embedding_model = \"e\" }\n\nknowledge handbook {\n  sources = [\"docs/*.md\"]\n}\n\nknowledge faq {\n  sources  = [\"faq/*.md\"]\n  embedder = p\n}\n";
        GeneratorHarness Project(params string[] references)
        {
            var harness = new GeneratorHarness([new InMemoryAdditionalText("/src/app/kb.atlas", atlas)], referencesKnowledge: false);
            harness.AddReferences(references);
            return harness;
        }

        var none = Project();
        var knowledgeOnly = Project("Atlas.Knowledge");
        var both = Project("Atlas.Knowledge", "Atlas.Embeddings.MiniLM");

        string Errors(GeneratorHarness harness) => string.Join("\n", harness.Run().Diagnostics.Where(d => d.Id == "ATL2031").Select(d => d.ToString()));

        Assert.Equal(
            """
            /src/app/kb.atlas(3,11): error ATL2031: Knowledge base `handbook` needs Atlas.Knowledge (its store) and Atlas.Embeddings.MiniLM (the `minilm` embedder) to be searched as `atlas run` searches it, and the project does not reference Atlas.Knowledge and Atlas.Embeddings.MiniLM; add a PackageReference (or ProjectReference)
            /src/app/kb.atlas(7,11): error ATL2031: Knowledge base `faq` needs Atlas.Knowledge (its store) to be searched as `atlas run` searches it, and the project does not reference Atlas.Knowledge; add a PackageReference (or ProjectReference)
            """,
            Errors(none));
        Assert.Equal(
            "/src/app/kb.atlas(3,11): error ATL2031: Knowledge base `handbook` needs Atlas.Knowledge (its store) and Atlas.Embeddings.MiniLM (the `minilm` embedder) to be searched as `atlas run` searches it, and the project does not reference Atlas.Embeddings.MiniLM; add a PackageReference (or ProjectReference)",
            Errors(knowledgeOnly));
        Assert.Equal("", Errors(both));
        var declarations = both.Output!.SyntaxTrees.Single(t => t.FilePath.EndsWith("AtlasDeclarations.g.cs", StringComparison.Ordinal)).ToString();
        Assert.Contains("public const string BaseDirectory = \"/src/app\";", declarations, StringComparison.Ordinal); // the Atlas files' folder, as for atlas run
        Assert.Contains("options.BaseDirectory = BaseDirectory;", declarations, StringComparison.Ordinal);
    }

    [Fact]
    public void ProviderKindOrMcpServer_ProjectWithoutItsPackage_Atl2036AtTheKind_NamingThePackage()
    {
        const string atlas = "provider gpt {\n  kind  = openai\n  model = \"gpt-4o-mini\"\n}\n\nprovider claude { kind = anthropic, model = \"claude-haiku-4-5\" }\n\nprovider offline { kind = mock }\n\nmcp files {\n  command = \"npx\"\n}\n";
        GeneratorHarness Project(params string[] references)
        {
            var harness = new GeneratorHarness([new InMemoryAdditionalText("/src/app/flow.atlas", atlas)], referencesRuntimePackages: false);
            harness.AddReferences(references);
            return harness;
        }

        string Errors(GeneratorHarness harness) => string.Join("\n", harness.Run().Diagnostics.Where(d => d.Id == "ATL2036").Select(d => d.ToString()));

        Assert.Equal(
            """
            /src/app/flow.atlas(2,11): error ATL2036: Provider `gpt` (kind `openai`) needs Atlas.Runtime.OpenAI at run time, and the project does not reference it; add a PackageReference (or ProjectReference) to Atlas.Runtime.OpenAI
            /src/app/flow.atlas(6,26): error ATL2036: Provider `claude` (kind `anthropic`) needs Atlas.Runtime.Anthropic at run time, and the project does not reference it; add a PackageReference (or ProjectReference) to Atlas.Runtime.Anthropic
            /src/app/flow.atlas(10,5): error ATL2036: MCP server `files` needs Atlas.Runtime.Mcp at run time, and the project does not reference it; add a PackageReference (or ProjectReference) to Atlas.Runtime.Mcp
            """,
            Errors(Project()));
        Assert.Equal(
            "/src/app/flow.atlas(6,26): error ATL2036: Provider `claude` (kind `anthropic`) needs Atlas.Runtime.Anthropic at run time, and the project does not reference it; add a PackageReference (or ProjectReference) to Atlas.Runtime.Anthropic",
            Errors(Project("Atlas.Runtime.OpenAI", "Atlas.Runtime.Mcp")));

        // With every package the project compiles, and AddAtlas() registers what the declarations use: no Ollama.
        var all = Project("Atlas.Runtime.OpenAI", "Atlas.Runtime.Anthropic", "Atlas.Runtime.Mcp");
        Assert.Equal("", Errors(all));
        var declarations = all.Output!.SyntaxTrees.Single(t => t.FilePath.EndsWith("AtlasDeclarations.g.cs", StringComparison.Ordinal)).ToString();
        Assert.Contains("options.UseOpenAI();\n        options.UseAnthropic();\n        options.UseMcp();\n", declarations.Replace("\r\n", "\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("UseOllama", declarations, StringComparison.Ordinal);
    }

    [Fact]
    public void BrokenYamlFile_ReportsEveryDiagnostic_InTheYamlFile()
    {
        const string yaml = "providers:\n  offline: { kind: mock, latency: 20xs }\nagents:\n  bot:\n    params: { q: string }\n    returns: string\n    model: offline\n    prompt: \"{{q.nope}}\"\n";
        var result = new GeneratorHarness(("/src/bot.atlas.yaml", yaml)).Run();

        result.AssertNoGeneratorException();
        Assert.Equal(
            """
            /src/bot.atlas.yaml(2,35): error ATL2008: `latency` must be a duration such as `500ms`, `20s` or `2m`, not a string
            /src/bot.atlas.yaml(8,18): error ATL2002: `string` has no member `nope`
            """,
            string.Join("\n", result.Diagnostics.Select(d => d.ToString())));
        Assert.All(result.Diagnostics, d => Assert.Equal(LocationKind.ExternalFile, d.Location.Kind));
    }

    [Theory]
    [InlineData("sketch.atlas")]
    [InlineData("fragment.atlas.yaml")]
    public void AnyInput_PrintsExactlyWhatTheFrontEndPrints(string name)
    {
        // Break the example so there is something to print, in both formats.
        var text = TestData.Read(name).Replace("ticket.subject", "ticket.subjct", StringComparison.Ordinal) + "\n# end\nbroken {\n";
        var path = "/src/" + name;
        var expected = AtlasCompiler.Compile(new SourceFile(path, text)).Diagnostics.Select(d => d.ToString()).ToArray();

        var result = new GeneratorHarness((path, text)).Run();

        result.AssertNoGeneratorException();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void ModelWithErrors_EmitsNothing()
    {
        var emitter = new FakeEmitter();
        var harness = new GeneratorHarness(new[] { new InMemoryAdditionalText("/src/a.atlas", TestData.Agents + "\nagent broken(x: Nope) -> string { model = offline, prompt = \"x\" }\n") }, emitter);

        var result = harness.Run();

        Assert.Contains(result.Diagnostics, d => d.Id == "ATL2014" && d.Severity == DiagnosticSeverity.Error);
        Assert.Empty(result.GeneratedTrees);
    }

    [Fact]
    public void ValidFiles_ReportNoErrors_AndEmitOneFilePerUnit_ThatCompiles()
    {
        // Two files forming one namespace: the second file's agents use the first file's provider.
        var second = "type Memo {\n  body: string\n}\n\nagent memo_writer(memo: Memo) -> string {\n  model  = smart\n  prompt = \"{{memo.body}}\"\n}\n";
        var harness = new GeneratorHarness(
            new[] { new InMemoryAdditionalText("/src/sketch.atlas", TestData.Read("sketch.atlas")), new InMemoryAdditionalText("/src/memo.atlas", second) },
            new FakeEmitter());

        var result = harness.Run();

        result.AssertNoGeneratorException();
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(
            new[]
            {
                "Memo.Type.g.cs", "Reply.Type.g.cs", "Ticket.Type.g.cs", "Triage.Type.g.cs",
                "billing_expert.Agent.g.cs", "classifier.Agent.g.cs", "memo_writer.Agent.g.cs", "support_agent.Agent.g.cs",
            },
            result.GeneratedTrees.Select(t => System.IO.Path.GetFileName(t.FilePath)).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Empty(harness.Output!.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void ValidFile_WithTheRealEmitter_EmitsWhatItPlans()
    {
        var text = TestData.Read("sketch.atlas");
        var compiled = AtlasCompiler.Compile(new SourceFile("/src/sketch.atlas", text));
        var planned = Atlas.Compiler.Emit.CSharpEmitter.Plan(compiled.Model, new Atlas.Compiler.Emit.EmitOptions("Consumer"));

        var result = new GeneratorHarness(("/src/sketch.atlas", text)).Run();

        result.AssertNoGeneratorException();
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(
            planned.Select(u => u.HintName.EndsWith(".cs", StringComparison.Ordinal) ? u.HintName : u.HintName + ".cs").OrderBy(n => n, StringComparer.Ordinal),
            result.GeneratedTrees.Select(t => System.IO.Path.GetFileName(t.FilePath)).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void NoAtlasFiles_EmitNothing_EvenWhatAnEmptyModelWouldPlan()
    {
        var harness = new GeneratorHarness(new[] { new InMemoryAdditionalText("/src/notes.txt", "hello") }, new FakeEmitter { PlanRegistration = true });

        var result = harness.Run();

        result.AssertNoGeneratorException();
        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.GeneratedTrees);
    }

    [Fact]
    public void OtherAdditionalFiles_AreIgnored()
    {
        var result = new GeneratorHarness(("/src/notes.txt", "{{{"), ("/src/flow.atlasx", "{{{"), ("/src/settings.yaml", "a: [")).Run();

        result.AssertNoGeneratorException();
        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.GeneratedTrees);
    }

    [Fact]
    public void SamePathListedTwice_IsReadOnce()
    {
        const string text = "provider offline {\n  kind mock\n}\n";
        var result = new GeneratorHarness(("/src/flow.atlas", text), ("/src/flow.atlas", text)).Run();

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("ATL0001", diagnostic.Id);
    }

    [Fact]
    public void UnreadableFile_IsSkipped()
    {
        var result = new GeneratorHarness(new[] { new InMemoryAdditionalText("/src/gone.atlas", null) }).Run();

        result.AssertNoGeneratorException();
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void FailingPlan_BecomesAtl9001_NotACrash()
    {
        var harness = new GeneratorHarness(new[] { new InMemoryAdditionalText("/src/a.atlas", TestData.Agents) }, new FakeEmitter { PlanThrows = new InvalidOperationException("boom") });

        var result = harness.Run();

        result.AssertNoGeneratorException();
        var diagnostic = Assert.Single(result.Diagnostics, d => d.Id == "ATL9001");
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains("InvalidOperationException while planning the generated files: boom", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Empty(result.GeneratedTrees);
    }

    [Fact]
    public void FailingEmit_BecomesAtl9001PerUnit_NotACrash()
    {
        var harness = new GeneratorHarness(new[] { new InMemoryAdditionalText("/src/a.atlas", TestData.Agents) }, new FakeEmitter { EmitThrows = new NotSupportedException("nope") });

        var result = harness.Run();

        result.AssertNoGeneratorException();
        var internalErrors = result.Diagnostics.Where(d => d.Id == "ATL9001").Select(d => d.GetMessage(CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(3, internalErrors.Length); // two agents, one type
        Assert.Contains(internalErrors, m => m.Contains("NotSupportedException while emitting summarizer.Agent.g.cs: nope", StringComparison.Ordinal));
    }

    [Fact]
    public void CancelledRun_PropagatesCancellation_InsteadOfReportingIt()
    {
        var harness = new GeneratorHarness(("/src/a.atlas", TestData.Agents));
        using var cancelled = new System.Threading.CancellationTokenSource();
        cancelled.Cancel();
        var driver = Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create(
            new[] { new AtlasGenerator().AsSourceGenerator() },
            new[] { new InMemoryAdditionalText("/src/a.atlas", TestData.Agents) });

        Assert.ThrowsAny<OperationCanceledException>(() => driver.RunGenerators(harness.Compilation, cancelled.Token));
    }
}
