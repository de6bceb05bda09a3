using System;
using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler;
using Atlas.Compiler.Emit;
using Atlas.Compiler.Text;
using Atlas.Generators.Emit;
using Atlas.Generators.Pipeline;
using Atlas.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace Atlas.Generators.Tests.Incremental;

/// <summary>
/// Why each step re-ran after an edit (<see cref="IncrementalStepRunReason"/>): unrelated C#
/// edits re-run nothing, an .atlas edit re-reads only that file, an edit that leaves the model
/// equal re-emits nothing, and an edit to one declaration re-emits only its unit.
/// </summary>
public class IncrementalityTests
{
    private static readonly IncrementalStepRunReason[] Reused = { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged };

    private static GeneratorHarness TwoFiles(IAtlasEmitter? emitter = null) => new(
        new[]
        {
            new InMemoryAdditionalText("/src/agents.atlas", TestData.Agents),
            new InMemoryAdditionalText("/src/more.atlas", "type Note {\n  text: string\n}\n"),
        },
        emitter ?? new FakeEmitter());

    [Fact]
    public void UnrelatedCSharpEdit_ReRunsNoAtlasStep()
    {
        var harness = TwoFiles();
        var first = harness.Run();
        Assert.NotEmpty(first.GeneratedTrees);

        harness.AddCSharp("/src/Other.cs", "namespace App { internal static class Other { } }");
        var afterAdd = harness.Run();
        harness.ReplaceCSharp("/src/Other.cs", "namespace App { internal static class Other { public const int X = 1; } }");
        var afterEdit = harness.Run();

        foreach (var result in new[] { afterAdd, afterEdit })
        {
            result.AssertNoGeneratorException();
            foreach (var step in RunResultExtensions.AllStepNames)
            {
                var reasons = result.Reasons(step);
                Assert.NotEmpty(reasons);
                Assert.All(reasons, r => Assert.Contains(r, Reused));
            }
            Assert.All(result.OutputReasons(TrackingNames.Units), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
            Assert.All(result.OutputReasons(TrackingNames.Diagnostics), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        }
    }

    [Fact]
    public void AddingTheKnowledgeReferences_ReCompilesAndClearsAtl2031()
    {
        var harness = new GeneratorHarness([new InMemoryAdditionalText("/src/kb.atlas", "knowledge handbook {\n  sources = [\"docs/*.md\"]\n}\n")], referencesKnowledge: false);
        var before = harness.Run();
        Assert.Contains(before.Diagnostics, d => d.Id == "ATL2031");
        Assert.Empty(before.GeneratedTrees);

        harness.AddReferences("Atlas.Knowledge", "Atlas.Embeddings.MiniLM");
        var after = harness.Run();

        Assert.Equal(new[] { IncrementalStepRunReason.Modified }, after.Reasons(TrackingNames.References));
        Assert.Equal(new[] { IncrementalStepRunReason.Modified }, after.Reasons(TrackingNames.Compile));
        Assert.DoesNotContain(after.Diagnostics, d => d.Id == "ATL2031");
        Assert.NotEmpty(after.GeneratedTrees);
    }

    [Fact]
    public void AddingAProviderKindsPackage_ReCompilesAndClearsAtl2036_AnUnrelatedReferenceDoesNot()
    {
        var harness = new GeneratorHarness([new InMemoryAdditionalText("/src/p.atlas", "provider gpt { kind = openai, model = \"gpt-4o-mini\" }\n")], referencesRuntimePackages: false);
        var before = harness.Run();
        Assert.Contains(before.Diagnostics, d => d.Id == "ATL2036");

        harness.AddReferences("Some.Other.Library");
        var unrelated = harness.Run();
        harness.AddReferences("Atlas.Runtime.OpenAI");
        var after = harness.Run();

        Assert.Equal(new[] { IncrementalStepRunReason.Unchanged }, unrelated.Reasons(TrackingNames.References));
        Assert.Equal(new[] { IncrementalStepRunReason.Cached }, unrelated.Reasons(TrackingNames.Compile));
        Assert.Equal(new[] { IncrementalStepRunReason.Modified }, after.Reasons(TrackingNames.References));
        Assert.Equal(new[] { IncrementalStepRunReason.Modified }, after.Reasons(TrackingNames.Compile));
        Assert.DoesNotContain(after.Diagnostics, d => d.Id == "ATL2036");
        Assert.NotEmpty(after.GeneratedTrees);
    }

    [Fact]
    public void EditingOneAtlasFile_ReReadsOnlyThatFile()
    {
        var harness = TwoFiles();
        harness.Run();

        harness.ReplaceText("/src/more.atlas", "type Note {\n  text: string\n  tags: string[]\n}\n");
        var result = harness.Run();

        var files = result.Outputs(TrackingNames.Files).Select(o => (((AtlasSourceInput)o.Value).Path, o.Reason)).OrderBy(f => f.Path, StringComparer.Ordinal);
        Assert.Equal(new[] { ("/src/agents.atlas", IncrementalStepRunReason.Cached), ("/src/more.atlas", IncrementalStepRunReason.Modified) }, files);
        // Only the edited file is parsed again; the other file's syntax tree is reused.
        var parsed = result.Outputs(TrackingNames.Parse).Select(o => (((ParsedSource)o.Value).Path, o.Reason)).OrderBy(f => f.Path, StringComparer.Ordinal);
        Assert.Equal(new[] { ("/src/agents.atlas", IncrementalStepRunReason.Cached), ("/src/more.atlas", IncrementalStepRunReason.Modified) }, parsed);
        Assert.Equal(new[] { IncrementalStepRunReason.Modified }, result.Reasons(TrackingNames.Compile));
    }

    [Fact]
    public void WhitespaceAndCommentEdit_LeavesModelEqual_AndReEmitsNothing()
    {
        var harness = TwoFiles();
        harness.Run();

        harness.ReplaceText("/src/more.atlas", "# notes\n\ntype   Note {\n\n  text:   string   // the text\n}\n");
        var result = harness.Run();

        Assert.Contains(IncrementalStepRunReason.Modified, result.Reasons(TrackingNames.Files));
        Assert.Equal(new[] { IncrementalStepRunReason.Unchanged }, result.Reasons(TrackingNames.Model));
        Assert.All(result.Reasons(TrackingNames.Plan), r => Assert.Contains(r, Reused));
        Assert.All(result.Reasons(TrackingNames.Units), r => Assert.Contains(r, Reused));
        var emitted = result.OutputReasons(TrackingNames.Units);
        Assert.NotEmpty(emitted);
        Assert.All(emitted, r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void EditingOneAgent_ReEmitsOnlyItsUnit()
    {
        var harness = TwoFiles();
        harness.Run();

        harness.ReplaceText("/src/agents.atlas", TestData.Agents.Replace("Summarize: ", "Summarize briefly: ", StringComparison.Ordinal));
        var result = harness.Run();

        var units = result.Outputs(TrackingNames.Units).Select(o => (((FakeUnit)o.Value).HintName, o.Reason)).OrderBy(u => u.HintName, StringComparer.Ordinal);
        Assert.Equal(
            new[]
            {
                ("Note.Type.g.cs", IncrementalStepRunReason.Unchanged),
                ("Ticket.Type.g.cs", IncrementalStepRunReason.Unchanged),
                ("summarizer.Agent.g.cs", IncrementalStepRunReason.Modified),
                ("titler.Agent.g.cs", IncrementalStepRunReason.Unchanged),
            },
            units);
        Assert.Equal(1, result.OutputReasons(TrackingNames.Units).Count(r => r == IncrementalStepRunReason.Modified));
    }

    [Fact]
    public void AddingAnAtlasFile_ReadsOnlyTheNewFile()
    {
        var harness = TwoFiles();
        harness.Run();

        harness.AddText("/src/third.atlas", "enum Mood { calm, busy }\n");
        var result = harness.Run();

        var files = result.Outputs(TrackingNames.Files).Select(o => (((AtlasSourceInput)o.Value).Path, o.Reason)).OrderBy(f => f.Path, StringComparer.Ordinal);
        Assert.Equal(
            new[] { ("/src/agents.atlas", IncrementalStepRunReason.Cached), ("/src/more.atlas", IncrementalStepRunReason.Cached), ("/src/third.atlas", IncrementalStepRunReason.New) },
            files);
    }

    /// <summary>
    /// With the real emitter: after editing one agent, exactly the units whose plan changed are
    /// re-emitted. (Holds trivially while the emitter plans nothing.)
    /// </summary>
    [Fact]
    public void RealEmitter_EditingOneAgent_ReEmitsOnlyChangedUnits()
    {
        var before = TestData.Read("sketch.atlas");
        var after = before.Replace("You triage customer-support tickets.", "You triage tickets.", StringComparison.Ordinal);
        Assert.NotEqual(before, after);
        var harness = new GeneratorHarness(("/src/sketch.atlas", before));
        harness.Run();

        harness.ReplaceText("/src/sketch.atlas", after);
        var result = harness.Run();

        result.AssertNoGeneratorException();
        var changed = Plan(after).Except(Plan(before)).Count();
        Assert.Equal(changed, result.OutputReasons(TrackingNames.Units).Count(r => r is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New));
    }

    private static IEnumerable<EmitUnit> Plan(string text) =>
        CSharpEmitter.Plan(AtlasCompiler.Compile(new SourceFile("/src/sketch.atlas", text)).Model, new EmitOptions("Consumer"));
}
