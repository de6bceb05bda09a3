using Atlas.Compiler.Emit;
using Atlas.Emitter.Tests.TestSupport;

namespace Atlas.Emitter.Tests;

/// <summary>Plan splits the model so each file is re-emitted only when what it depends on changes; emitting is deterministic.</summary>
public class PlanTests
{
    private static readonly string Sketch = File.ReadAllText(Path.Combine(Repository.Root, "tests", "Atlas.Compiler.Tests", "TestData", "sketch.atlas"));

    private static Dictionary<string, EmitUnit> Units(string text) =>
        CSharpEmitter.Plan(AtlasProject.CompileText(text, "sketch.atlas"), new EmitOptions("App")).ToDictionary(u => u.HintName);

    private static string[] Changed(string before, string after)
    {
        var a = Units(before);
        var b = Units(after);
        return a.Keys.Union(b.Keys)
            .Where(k => !a.TryGetValue(k, out var x) || !b.TryGetValue(k, out var y) || !x.Equals(y))
            .OrderBy(k => k, StringComparer.Ordinal)
            .ToArray();
    }

    [Fact]
    public void Emit_SameModelTwice_GivesIdenticalText()
    {
        var first = AtlasProject.Get("coverage").Emit();
        var second = AtlasProject.Get("coverage").Emit();
        Assert.Equal(first.Select(s => (s.HintName, s.Text)), second.Select(s => (s.HintName, s.Text)));
    }

    [Fact]
    public void Plan_SameModelTwice_GivesEqualUnits()
    {
        var first = Units(Sketch);
        var second = Units(Sketch);
        Assert.Equal(first.Keys.OrderBy(k => k), second.Keys.OrderBy(k => k));
        Assert.All(first, pair => Assert.Equal(pair.Value, second[pair.Key]));
        Assert.All(first, pair => Assert.Equal(pair.Value.GetHashCode(), second[pair.Key].GetHashCode()));
    }

    [Fact]
    public void Plan_HintNames_AreUnique()
    {
        var units = CSharpEmitter.Plan(AtlasProject.Get("coverage").Compile(), new EmitOptions("App"));
        Assert.Equal(units.Length, units.Select(u => u.HintName).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    // The workflows that call an edited agent (or an agent on an edited route) compute something else, so their
    // plan fingerprints move; those live in AtlasFingerprints.g.cs alone, and the workflows' own files stay.
    [Fact]
    public void Plan_AgentPromptEdited_ChangesOnlyThatAgent() =>
        Assert.Equal(
            ["AtlasFingerprints.g.cs", "ClassifierAgent.g.cs"],
            Changed(Sketch, Sketch.Replace("Subject: {{ticket.subject}}", "Topic: {{ticket.subject}}")));

    [Fact]
    public void Plan_WhitespaceAndCommentsEdited_ChangesNothing() =>
        Assert.Empty(Changed(Sketch, "# a new comment\n\n" + Sketch.Replace("model  = smart", "model =   smart")));

    [Fact]
    public void Plan_RouteEdited_ChangesOnlyDeclarations() =>
        Assert.Equal(["AtlasDeclarations.g.cs", "AtlasFingerprints.g.cs"], Changed(Sketch, Sketch.Replace("retry    = 2", "retry    = 4")));

    [Fact]
    public void Plan_WorkflowEdited_ChangesOnlyThatWorkflow() =>
        Assert.Equal(["AtlasFingerprints.g.cs", "TriageAllWorkflow.g.cs"], Changed(Sketch, Sketch.Replace("parallel 8", "parallel 16")));

    [Fact]
    public void Plan_EnumMemberAdded_ChangesTheEnumAndWhatEmbedsIt()
    {
        var changed = Changed(Sketch, Sketch.Replace("enum Category { billing, bug, account, other }", "enum Category { billing, bug, account, refund, other }"));
        // The enum, the records whose schema lists its members, the workflow that switches over it, and
        // billing_expert: a delegate, whose parameters' schema (Ticket, Triage) is in its descriptor.
        Assert.Equal(["AtlasFingerprints.g.cs", "BillingExpertAgent.g.cs", "Category.g.cs", "Reply.g.cs", "SupportWorkflow.g.cs", "Triage.g.cs"], changed);
    }

    [Fact]
    public void Plan_TypeFieldAdded_ChangesTheTypeAndItsUsers()
    {
        var changed = Changed(Sketch, Sketch.Replace("  body:    string\n}", "  body:    string\n  channel: string?\n}"));
        // Ticket's record, the workflow that reads its members, and the delegate billing_expert, whose
        // parameters' schema holds Ticket's; other agents only name the type. Every fingerprint that
        // reaches Ticket moves (a value stored under the old shape may not read under the new one).
        Assert.Equal(["AtlasFingerprints.g.cs", "BillingExpertAgent.g.cs", "SupportWorkflow.g.cs", "Ticket.g.cs"], changed);
    }
}
