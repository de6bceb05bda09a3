using Atlas.Emitter.Tests.TestSupport;
using Microsoft.CodeAnalysis;

namespace Atlas.Emitter.Tests;

/// <summary>The generated code compiles with Roslyn as a consumer project would: nullable on, every warning an error, XML docs checked.</summary>
public class CompileTests
{
    public static TheoryData<string> Examples() => new(AtlasProject.All().Select(p => p.Name));

    [Theory]
    [MemberData(nameof(Examples))]
    public void Emit_Example_CompilesWithoutWarnings(string example)
    {
        var model = AtlasProject.Get(example).Compile();
        var compilation = RoslynCompiler.Compile(AtlasProject.Generate(model), Consumer.ToolImplementations(model));
        RoslynCompiler.AssertClean(compilation);
    }

    [Fact]
    public void Emit_Sketch_ConsumerUsesTheTypedApi()
    {
        var model = AtlasProject.Get("sketch").Compile();
        const string Program = """
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using System.Threading.Tasks.Dataflow;
            using Atlas.Runtime;
            using Microsoft.Extensions.DependencyInjection;

            namespace Atlas.Generated;

            internal static class Program
            {
                public static async Task<Reply> Run(CancellationToken cancellationToken)
                {
                    using var provider = new ServiceCollection().AddAtlas().BuildServiceProvider();
                    var workflow = provider.GetRequiredService<SupportWorkflow>();
                    Reply reply = await workflow.RunAsync(new Ticket("t-1", "Refund", "I was charged twice"), cancellationToken);
                    Category category = reply.Category;
                    string answer = reply.Answer;

                    var classifier = provider.GetRequiredService<ClassifierAgent>();
                    Triage triage = await classifier.InvokeAsync(new Ticket("t-2", "s", "b"), cancellationToken);
                    IReadOnlyList<string> tags = triage.Tags;
                    string? owner = triage.Owner;

                    IAsyncEnumerable<string> tokens = provider.GetRequiredService<BillingExpertAgent>().StreamAsync(new Ticket("t-3", "s", "b"), triage);
                    await foreach (var token in tokens) answer += token;

                    IPropagatorBlock<IReadOnlyList<Ticket>, WorkflowResult<IReadOnlyList<Triage>>> block =
                        new TriageAllWorkflow(AtlasDeclarations.CreateRuntime(new AtlasTools())).CreateBlock(new WorkflowBlockOptions(BoundedCapacity: 4));
                    await foreach (AtlasEvent e in workflow.RunStreamingAsync(new Ticket("t-4", "s", "b"), cancellationToken)) answer += e.RunId;

                    string schema = Triage.JsonSchema;
                    string json = AtlasJson.Serialize(triage);
                    return reply with { Answer = answer + category + schema + json + block };
                }
            }
            """;
        var compilation = RoslynCompiler.Compile(AtlasProject.Generate(model), Consumer.ToolImplementations(model), Program);
        RoslynCompiler.AssertClean(compilation);
    }

    [Fact]
    public void Emit_ToolNotImplemented_IsACompileErrorNamingTheTool()
    {
        var model = AtlasProject.Get("sketch").Compile();
        var compilation = RoslynCompiler.Compile(AtlasProject.Generate(model));

        var problems = RoslynCompiler.Problems(compilation);
        var error = Assert.Single(problems);
        Assert.Equal("CS8795", error.Id);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Contains("AtlasTools.LookupOrderAsync(string, CancellationToken)", error.GetMessage(), StringComparison.Ordinal);
        Assert.Equal("AtlasTools.g.cs", error.Location.SourceTree!.FilePath);
        var line = error.Location.SourceTree.GetText().Lines[error.Location.GetLineSpan().StartLinePosition.Line].ToString();
        Assert.Contains("LookupOrderAsync(string orderId", line, StringComparison.Ordinal);
        // The line above the declaration names the tool as declared in the .atlas file.
        var doc = error.Location.SourceTree.GetText().Lines[error.Location.GetLineSpan().StartLinePosition.Line - 3].ToString();
        Assert.Contains("lookup_order(order_id: string) -> string", doc, StringComparison.Ordinal);
    }

    [Fact]
    public void Emit_TwoToolsNotImplemented_ReportsEachByName()
    {
        var model = AtlasProject.CompileText("""
            provider offline { kind = mock }
            tool lookup_order(order_id: string) -> string
            tool refund_order(order_id: string, amount: float) -> bool
            agent helper(q: string) -> string {
              model = offline
              prompt = "{{q}}"
              tools = [lookup_order, refund_order]
            }
            workflow w(q: string) -> string {
              a = helper(q)
              return a
            }
            """);
        var problems = RoslynCompiler.Problems(RoslynCompiler.Compile(AtlasProject.Generate(model)));
        Assert.All(problems, p => Assert.Equal("CS8795", p.Id));
        Assert.Equal(
            ["AtlasTools.LookupOrderAsync(string, CancellationToken)", "AtlasTools.RefundOrderAsync(string, double, CancellationToken)"],
            problems.Select(p => p.GetMessage().Split('\'')[1]).OrderBy(m => m, StringComparer.Ordinal));
    }

    [Fact]
    public void Emit_ProviderTimeout_IsPassedToTheRuntime_AndCompiles()
    {
        var model = AtlasProject.CompileText("""
            provider slow { kind = ollama, model = "llama3.2", timeout = 90s }
            provider offline { kind = mock }
            route r { use = [slow, offline] }
            agent helper(q: string) -> string { model = r, prompt = "{{q}}" }
            workflow w(q: string) -> string {
              a = helper(q)
              return a
            }
            """);
        var sources = AtlasProject.Generate(model);

        RoslynCompiler.AssertClean(RoslynCompiler.Compile(sources));
        var declarations = string.Concat(sources.Select(s => s.Text));
        Assert.Contains("new ProviderDescriptor(\"slow\", global::Atlas.Runtime.ProviderKind.Ollama, Model: \"llama3.2\", Capabilities: [\"chat\", \"tools\", \"json\", \"embeddings\", \"streaming\"], Timeout: TimeSpan.FromSeconds(90))", declarations, StringComparison.Ordinal);
        Assert.Contains("new ProviderDescriptor(\"offline\", global::Atlas.Runtime.ProviderKind.Mock, Capabilities: [\"chat\", \"tools\", \"json\", \"streaming\"])", declarations, StringComparison.Ordinal);
    }
}
