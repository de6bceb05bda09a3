using System;
using System.Linq;
using Atlas.Compiler.Lowering;
using Atlas.Compiler.Model;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Tests.Lowering;

/// <summary>The lowering decides once how a workflow runs; its fingerprints move only when what is computed moves.</summary>
public class LoweringTests
{
    private static readonly string Sketch = TestSupport.TestData("sketch.atlas");

    private static ProjectPlan Lower(string text, string path = "sketch.atlas")
    {
        var result = AtlasCompiler.Compile(new SourceFile(path, text));
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        return AtlasLowering.Lower(result.Model);
    }

    private static string Edit(string original, string from, string to)
    {
        Assert.Contains(from, original, StringComparison.Ordinal);
        return original.Replace(from, to, StringComparison.Ordinal);
    }

    private const string Flow = """
        provider offline { kind = mock }
        type Doc {
          title: string
          body:  string
        }
        agent summarize(doc: Doc) -> string {
          model  = offline
          prompt = "{{doc.body}}"
        }
        agent tag(text: string) -> string[] {
          model  = offline
          prompt = "{{text}}"
        }
        tool save(texts: string[]) -> string { }
        workflow digest(docs: Doc[]) -> string[] {
          summaries = for d in docs parallel 4 => summarize(d) with { retry = 2 }
          saved     = save(summaries) with { timeout = 5s }
          return tag(saved)
        }
        """;

    [Fact]
    public void Lower_Sketch_SwitchOnAPlainSubject_IsASwitchNodeWithItsArmsInOrder()
    {
        var support = Lower(Sketch).Workflow("support")!;

        var answer = Assert.IsType<SwitchNode>(support.Nodes.Single(n => n.Name == "answer"));
        Assert.Equal(["billing", null], answer.Arms.Select(a => a.Case));
        Assert.Equal(["triage", "context"], answer.DependsOn);
        Assert.IsType<MemberExpr>(answer.Subject);
    }

    [Fact]
    public void Lower_ReturnThatCallsNothing_IsTheResultRead_AfterTheStepsItReads()
    {
        var support = Lower(Sketch).Workflow("support")!;

        Assert.Null(support.ReturnNode);
        Assert.IsType<ObjectExpr>(support.Result);
        Assert.Equal(["triage", "answer"], support.Outputs);
        Assert.Equal([1, 2, 3], support.Nodes.Select(n => n.Slot));
        Assert.Equal(4, support.SlotCount);
    }

    [Fact]
    public void Lower_ReturnThatCalls_IsALastReturnNode_AndTheOnlyOutput()
    {
        var digest = Lower(Flow).Workflow("digest")!;

        var returnNode = Assert.IsType<ReturnNode>(digest.Nodes[^1]);
        Assert.Same(returnNode, digest.ReturnNode);
        Assert.Equal(WorkflowPlan.ReturnNodeName, returnNode.Name);
        Assert.Equal(3, returnNode.Slot);
        Assert.Equal(["saved"], returnNode.DependsOn);
        Assert.Null(digest.Result);
        Assert.Equal([WorkflowPlan.ReturnNodeName], digest.Outputs);
    }

    [Fact]
    public void Lower_PolicyOfAWholeStepCall_MovesToTheStep_AndOfAForBody_ToTheLoop()
    {
        var digest = Lower(Flow).Workflow("digest")!;

        var saved = Assert.IsType<StepNode>(digest.Nodes.Single(n => n.Name == "saved"));
        Assert.Equal(new CallOptions(null, 5000), saved.Policy);
        Assert.True(Assert.IsType<CallExpr>(saved.Value).Options.IsEmpty);

        var summaries = Assert.IsType<StepNode>(digest.Nodes.Single(n => n.Name == "summaries"));
        Assert.True(summaries.Policy.IsEmpty);
        var loop = Assert.IsType<ForExpr>(summaries.Value);
        Assert.Equal(new CallOptions(2, null), loop.ItemOptions);
        Assert.True(Assert.IsType<CallExpr>(loop.Body).Options.IsEmpty);
        Assert.Equal(4, loop.Parallelism);
    }

    [Fact]
    public void Lower_NestedCallPolicy_StaysOnTheCall()
    {
        var text = Edit(Flow, "saved     = save(summaries) with { timeout = 5s }", "saved     = save(tag(save(summaries) with { timeout = 5s }))");
        var saved = Assert.IsType<StepNode>(Lower(text).Workflow("digest")!.Nodes.Single(n => n.Name == "saved"));

        Assert.True(saved.Policy.IsEmpty);
        var tag = Assert.IsType<CallExpr>(Assert.IsType<CallExpr>(saved.Value).Arguments[0]);
        var inner = Assert.IsType<CallExpr>(tag.Arguments[0]);
        Assert.Equal(new CallOptions(null, 5000), inner.Options);
    }

    [Fact]
    public void Lower_Uses_AreTheRecordsEnumsAndCalleesTheWorkflowReaches()
    {
        var plan = Lower(Sketch);
        var support = plan.Workflow("support")!;

        Assert.Equal(["Reply", "Ticket", "Triage"], support.Uses.Types.Select(t => t.Name));
        Assert.Equal(["Category"], support.Uses.Enums.Select(e => e.Name));
        Assert.Equal(["billing_expert", "classifier", "support_agent"], support.Uses.Callees.Select(c => c.Name));
        Assert.False(support.Uses.NeedsTools);

        var digest = Lower(Flow).Workflow("digest")!;
        Assert.True(digest.Uses.NeedsTools);
        Assert.Contains(digest.Uses.Callees, c => c is { Kind: CallKind.Tool, Name: "save", NeedsTools: true });
    }

    [Fact]
    public void Lower_Agents_DecideTextOrStructured_DelegateAndSchemasOnce()
    {
        var plan = Lower(Sketch);

        var classifier = plan.Agent("classifier")!;
        Assert.Equal(AgentResultKind.Structured, classifier.Result);
        Assert.Contains("\"urgency\"", classifier.ResultSchema, StringComparison.Ordinal);
        Assert.False(classifier.IsDelegate);
        Assert.Null(classifier.ParametersSchema);

        var billing = plan.Agent("billing_expert")!;
        Assert.Equal(AgentResultKind.Text, billing.Result);
        Assert.Null(billing.ResultSchema);
        Assert.True(billing.IsDelegate);
        Assert.Contains("\"triage\"", billing.ParametersSchema, StringComparison.Ordinal);

        Assert.Contains("\"order_id\"", plan.Tool("lookup_order")!.ParametersSchema, StringComparison.Ordinal);
    }

    private const string Review = """
        provider offline { kind = mock }
        route smart { use = [offline] }
        type Draft {
          to:   string
          text: string
        }
        agent writer(to: string) -> Draft {
          model  = smart
          prompt = "Write to {{to}}"
        }
        human approver(draft: Draft) -> bool {
          prompt  = "Send this to {{draft.to}}?"
          timeout = 24h
        }
        human editor(draft: Draft) -> string {
          prompt = "Edit: {{draft.text}}"
        }
        workflow review(to: string) -> string {
          draft  = writer(to)
          ok     = approver(draft)
          edited = editor(draft)
          final  = switch ok {
            true  => draft.text
            false => edited
          }
          return final
        }
        """;

    [Fact]
    public void Lower_Humans_DecideTextOrStructured_AndAreCalleesOfTheirWorkflow()
    {
        var plan = Lower(Review);

        var approver = plan.Human("approver")!;
        Assert.Contains("\"boolean\"", approver.ResultSchema, StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{16}$", approver.Fingerprint);
        Assert.Null(plan.Human("editor")!.ResultSchema);

        var review = plan.Workflow("review")!;
        Assert.Contains(review.Uses.Callees, c => c is { Kind: CallKind.Human, Name: "approver", NeedsTools: false });
        var ok = Assert.IsType<StepNode>(review.Nodes.Single(n => n.Name == "ok"));
        Assert.Equal((CallKind.Human, "approver"), (Assert.IsType<CallExpr>(ok.Value).Kind, ((CallExpr)ok.Value).Target));
    }

    [Theory]
    [InlineData("Send this to {{draft.to}}?", "Send this to {{draft.to}} now?")]  // the question
    [InlineData("timeout = 24h", "timeout = 48h")]                                // how long it may wait
    public void Fingerprints_AHumansQuestion_MovesItsStepAndTheWorkflow_NotTheOtherSteps(string from, string to)
    {
        var before = Lower(Review);
        var after = Lower(Edit(Review, from, to));

        Assert.NotEqual(before.Human("approver")!.Fingerprint, after.Human("approver")!.Fingerprint);
        string Node(ProjectPlan plan, string name) => plan.Workflow("review")!.Nodes.Single(n => n.Name == name).Fingerprint;
        Assert.NotEqual(Node(before, "ok"), Node(after, "ok"));
        Assert.Equal(Node(before, "draft"), Node(after, "draft"));
        Assert.Equal(Node(before, "edited"), Node(after, "edited"));
        Assert.NotEqual(before.Workflow("review")!.Fingerprint, after.Workflow("review")!.Fingerprint);
    }

    [Theory]
    [InlineData("route smart { use = [offline] }", "route smart { use = [offline], cache = true }")]
    [InlineData("route smart { use = [offline] }", "route smart { use = [offline], cache { ttl = 1h } }")]
    [InlineData("prompt = \"Write to {{to}}\"", "prompt = \"Write to {{to}}\"\n  cache = true")]
    public void Fingerprints_Cache_ChangesNoFingerprint(string from, string to)
    {
        // A cached reply is the recorded reply to the same request: where an answer comes from, not what it is.
        var before = Lower(Review);
        var after = Lower(Edit(Review, from, to));

        Assert.Equal(before.Agent("writer")!.Fingerprint, after.Agent("writer")!.Fingerprint);
        Assert.Equal(before.Workflow("review"), after.Workflow("review"));
    }

    [Fact]
    public void PlanPrinter_PrintsHumansAndAnAgentsCache()
    {
        var plan = Lower(Edit(Review, "prompt = \"Write to {{to}}\"", "prompt = \"Write to {{to}}\"\n  cache { ttl = 90m }"));
        var text = PlanPrinter.Print(plan);

        Assert.Contains("agent writer(to: string) -> Draft on route smart · structured · cache ttl 90m · fingerprint ", text, StringComparison.Ordinal);
        Assert.Contains($"human approver(draft: Draft) -> bool · structured · timeout 24h · fingerprint {plan.Human("approver")!.Fingerprint}\n", text, StringComparison.Ordinal);
        Assert.Contains($"human editor(draft: Draft) -> string · text · fingerprint {plan.Human("editor")!.Fingerprint}\n", text, StringComparison.Ordinal);
        Assert.Contains("  uses types Draft; calls human approver, human editor, agent writer\n", text, StringComparison.Ordinal);
        Assert.Contains("    approver(draft)\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Fingerprints_AreSixteenHexDigits_AndPinnedForTheSameText()
    {
        var plan = Lower(Sketch);
        Assert.All(plan.Workflows.SelectMany(w => w.Nodes.Select(n => n.Fingerprint).Append(w.Fingerprint)), f => Assert.Matches("^[0-9a-f]{16}$", f));

        // The same text gives the same fingerprint in every run and on every machine: the hash of a fixed text is a constant.
        Assert.Equal("5e884898da280471", Fingerprints.Of("password"));
        Assert.Equal(plan, Lower(Sketch));
    }

    [Fact]
    public void Fingerprints_CommentsLayoutAndForm_ChangeNothing()
    {
        var before = Lower(Sketch);
        var after = Lower("# a comment\n\n" + Edit(Sketch, "model  = smart", "model =     smart   # moved"));

        Assert.Equal(before, after);
    }

    [Fact]
    public void Fingerprints_RenamingAStepOrALoopVariable_ChangesNoFingerprint()
    {
        var before = Lower(Sketch);
        var renamed = Edit(Edit(Sketch, "  triage  = classifier(ticket)", "  sorted  = classifier(ticket)"), "switch triage.category", "switch sorted.category");
        renamed = Edit(renamed, "billing => billing_expert(ticket, triage)", "billing => billing_expert(ticket, sorted)");
        renamed = Edit(renamed, "category = triage.category", "category = sorted.category");
        renamed = Edit(renamed, "for t in tickets parallel 8 => classifier(t)", "for x in tickets parallel 8 => classifier(x)");
        var after = Lower(renamed);

        Assert.Equal(before.Workflow("support")!.Fingerprint, after.Workflow("support")!.Fingerprint);
        Assert.Equal(before.Workflow("support")!.Nodes.Select(n => n.Fingerprint), after.Workflow("support")!.Nodes.Select(n => n.Fingerprint));
        Assert.Equal(before.Workflow("triage_all")!.Fingerprint, after.Workflow("triage_all")!.Fingerprint);
    }

    [Fact]
    public void Fingerprints_AnAgentsPrompt_MovesItsCallersAndWhatReadsThem_NotTheRest()
    {
        var before = Lower(Sketch).Workflow("support")!;
        var after = Lower(Edit(Sketch, "Answer this billing question", "Answer this question")).Workflow("support")!;

        string Node(WorkflowPlan plan, string name) => plan.Nodes.Single(n => n.Name == name).Fingerprint;
        Assert.Equal(Node(before, "triage"), Node(after, "triage"));
        Assert.Equal(Node(before, "context"), Node(after, "context"));
        Assert.NotEqual(Node(before, "answer"), Node(after, "answer"));
        Assert.NotEqual(before.Fingerprint, after.Fingerprint);
        Assert.Equal(Lower(Sketch).Workflow("triage_all")!.Fingerprint, Lower(Edit(Sketch, "Answer this billing question", "Answer this question")).Workflow("triage_all")!.Fingerprint);
    }

    [Theory]
    [InlineData("retry    = 2", "retry    = 3")]                          // the route every agent uses
    [InlineData("model    = \"gpt-4o-mini\"", "model    = \"gpt-4o\"")]   // a provider of that route
    [InlineData("owner:    string?", "owner:    string")]                 // the shape of a result
    [InlineData("top = 5", "top = 6")]                                    // the search a step makes
    [InlineData("\"docs/**/*.md\"", "\"doc/**/*.md\"")]                   // the knowledge base it searches
    public void Fingerprints_WhatAStepReaches_MovesTheWorkflow(string from, string to) =>
        Assert.NotEqual(Lower(Sketch).Workflow("support")!.Fingerprint, Lower(Edit(Sketch, from, to)).Workflow("support")!.Fingerprint);

    [Fact]
    public void Fingerprints_ADownstreamStep_MovesWhenWhatItReadsMoves()
    {
        var before = Lower(Flow).Workflow("digest")!;
        var after = Lower(Edit(Flow, "parallel 4", "parallel 5")).Workflow("digest")!;

        Assert.NotEqual(before.Nodes.Single(n => n.Name == "summaries").Fingerprint, after.Nodes.Single(n => n.Name == "summaries").Fingerprint);
        Assert.NotEqual(before.Nodes.Single(n => n.Name == "saved").Fingerprint, after.Nodes.Single(n => n.Name == "saved").Fingerprint);
        Assert.NotEqual(before.Fingerprint, after.Fingerprint);
    }

    [Fact]
    public void Fingerprints_AtlasAndYaml_OfTheSameModel_AreEqual()
    {
        var atlas = Lower("""
            provider offline { kind = mock }
            agent echo(text: string) -> string {
              model  = offline
              prompt = "Echo: {{text}}"
            }
            workflow run(text: string) -> string {
              said = echo(text) with { retry = 2 }
              return said
            }
            """, "flow.atlas");
        var yaml = Lower("""
            providers:
              offline: { kind: mock }
            agents:
              echo:
                params: { text: string }
                returns: string
                model: offline
                prompt: "Echo: {{text}}"
            workflows:
              run:
                params: { text: string }
                returns: string
                steps:
                  said: "echo(text) with { retry = 2 }"
                return: said
            """, "flow.atlas.yaml");

        Assert.Equal(atlas.Workflow("run")!.Fingerprint, yaml.Workflow("run")!.Fingerprint);
        Assert.Equal(atlas, yaml);
    }

    [Fact]
    public void PlanText_Readable_SpellsExpressionsAsWritten()
    {
        var loop = Assert.IsType<StepNode>(Lower(Flow).Workflow("digest")!.Nodes[0]);
        Assert.Equal("for d in docs parallel 4 => summarize(d) per item with { retry = 2 }", PlanText.Readable.Expression(loop.Value));
        Assert.Equal("\"a\\\"b\\n\\u202e\"", PlanText.Quote("a\"b\n\u202e"));
        Assert.Equal(["500ms", "20s", "2m", "90m", "1h", "24h"], new long[] { 500, 20_000, 120_000, 5_400_000, 3_600_000, 86_400_000 }.Select(PlanText.Duration));
    }

    [Fact]
    public void Lower_ModelWithErrors_DoesNotThrow()
    {
        var result = AtlasCompiler.Compile(new SourceFile("bad.atlas", """
            workflow w(x: string) -> string {
              a = missing(x)
              b = c
              c = b
              return a
            }
            """));
        Assert.True(result.HasErrors);

        var plan = AtlasLowering.Lower(result.Model);
        Assert.Single(plan.Workflows);
    }
}
