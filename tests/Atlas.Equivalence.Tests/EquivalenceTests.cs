using System.Text.Json.Nodes;
using Atlas.Compiler.Lowering;
using Atlas.Emitter.Tests.TestSupport;
using Atlas.Equivalence.Tests.TestSupport;
using Xunit.Abstractions;

namespace Atlas.Equivalence.Tests;

/// <summary>
/// Every example's workflows, run on the same input by the generated code (compiled in memory,
/// resolved from <c>AddAtlas</c>) and by the CLI's interpreter, offline on the <c>mock</c>
/// provider: equal graphs, equal result JSON, equal events up to run ids and timing, and each
/// side's events in an order the graph allows.
/// </summary>
public class EquivalenceTests(ITestOutputHelper output)
{
    /// <summary>Each workflow of each example on the sample inputs kept beside it (the ones the CLI tests and README use).</summary>
    public static readonly IReadOnlyList<EquivalenceCase> Cases =
    [
        new("support-triage", "support", "examples/support-triage/ticket.json"),
        new("support-triage", "support", "examples/support-triage/tickets.json", Item: 1), // the mock files it under billing: the other arm
        new("support-triage", "triage_all", "examples/support-triage/tickets.json"),
        new("document-digest", "review", "examples/document-digest/docs.json", Item: 0), // legal: past counsel, a tool-using agent
        new("document-digest", "review", "examples/document-digest/docs.json", Item: 1),
        new("document-digest", "review", "examples/document-digest/docs.json", Item: 2),
        new("document-digest", "digest", "examples/document-digest/docs.json"),
        new("document-digest-yaml", "review", "examples/document-digest-yaml/docs.json", Item: 0),
        new("document-digest-yaml", "digest", "examples/document-digest-yaml/docs.json"),
        new("research-assistant", "answer_question", "examples/research-assistant/question.json"),
        new("research-assistant", "research", "examples/research-assistant/request.json"),
        new("dispatch", "dispatch", "examples/dispatch/request.json"),  // delegation to two specialists, a read-only C# tool and one the mock must not call
        new("sketch", "support", "examples/support-triage/ticket.json"),
        new("sketch", "triage_all", "examples/support-triage/tickets.json"),
    ];

    public static TheoryData<EquivalenceCase> All()
    {
        var data = new TheoryData<EquivalenceCase>();
        foreach (var c in Cases) data.Add(c);
        return data;
    }

    [Fact]
    public void Cases_CoverEveryWorkflowOfEveryExampleAndTheSketch()
    {
        var projects = AtlasProject.All().Where(p => p.Name is not ("coverage" or "names")).ToList();
        Assert.Contains(projects, p => p.Name == "sketch");
        var missing = projects
            .SelectMany(p => p.Compile().Workflows.Select(w => $"{p.Name}/{w.Name}"))
            .Where(w => !Cases.Any(c => $"{c.Project}/{c.Workflow}" == w))
            .ToList();
        Assert.True(missing.Count == 0, "Workflows no equivalence case runs: " + string.Join(", ", missing));
    }

    [Theory]
    [MemberData(nameof(All))]
    public async Task GeneratedAndInterpreted_SameInput_SameGraphResultAndEvents(EquivalenceCase run)
    {
        var (generated, interpreted) = await RunBothAsync(run);
        output.WriteLine($"{generated.Events.Count} events: " + string.Join(", ", generated.Events.GroupBy(e => e.GetType().Name).Select(g => $"{g.Count()} {g.Key}")));
        output.WriteLine("providers: " + string.Join(", ", generated.Events.OfType<Atlas.Runtime.ProviderSelected>().Select(e => $"{e.Step}={e.Provider}").Distinct()));
        output.WriteLine("steps: " + string.Join(", ", generated.Events.OfType<Atlas.Runtime.StepCompleted>().Select(e => $"{e.Step} {e.Usage.InputTokens}+{e.Usage.OutputTokens} tokens")));
        output.WriteLine("result: " + generated.Result);

        // Each side on its own: a complete, successful run in an order its graph allows.
        foreach (var (side, outcome) in new[] { ("generated", generated), ("interpreted", interpreted) })
        {
            Assert.NotEmpty(outcome.Events);
            Assert.True(outcome.Events[^1] is Atlas.Runtime.RunCompleted { Succeeded: true }, $"{side}: {EventTrace.Describe(outcome.Events[^1])}");
            var violations = EventTrace.OrderViolations(outcome.Events, outcome.Nodes);
            Assert.True(violations.Count == 0, $"{side} events are out of order:\n" + string.Join("\n", violations));
        }

        // The same plan (fingerprint and nodes), and the same graph: steps, dependencies, switch arms, policies.
        RunOutcome.AssertSamePlan(AtlasLowering.Lower(AtlasProject.Get(run.Project).Compile()).Workflow(run.Workflow)!, generated, interpreted);
        Assert.Equal(generated.Nodes.Select(EventTrace.Describe), interpreted.Nodes.Select(EventTrace.Describe));

        // The same result, as JSON with the names as declared.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(generated.Result), JsonNode.Parse(interpreted.Result)), $"Results differ:\ngenerated:   {generated.Result}\ninterpreted: {interpreted.Result}");
        Assert.Equal(generated.Result, interpreted.Result);

        // The same events, up to run ids and timing: token texts, usage and cost per step, provider choices and reasons.
        var generatedEvents = EventTrace.Multiset(generated.Events);
        var interpretedEvents = EventTrace.Multiset(interpreted.Events);
        Assert.True(generatedEvents.SequenceEqual(interpretedEvents), "Events differ:\n" + EventTrace.Difference(generatedEvents, interpretedEvents));
    }

    /// <summary>
    /// The fused path (<c>RunAsync</c>, <c>RunStreamingAsync</c>: the graph run directly) and the block path (<c>CreateBlock</c>,
    /// a stream of one input) give the same result and the same events, in an order the graph allows.
    /// </summary>
    [Theory]
    [MemberData(nameof(All))]
    public async Task FusedAndBlock_SameInput_SameResultAndEvents(EquivalenceCase run)
    {
        var project = AtlasProject.Get(run.Project);
        var workflow = project.Compile().Workflows.Single(w => w.Name == run.Workflow);
        var configure = Offline.Configure(Path.GetDirectoryName(project.Files[0])!);
        var program = GeneratedProgram.For(project);

        var fused = await program.RunAsync(workflow, run.ReadInput(), configure);
        var (blockEvents, blockResult) = await program.RunBlockAsync(workflow, run.ReadInput(), configure);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(fused.Result), JsonNode.Parse(blockResult)), $"Results differ:\nfused: {fused.Result}\nblock: {blockResult}");
        Assert.True(blockEvents[^1] is Atlas.Runtime.RunCompleted { Succeeded: true }, EventTrace.Describe(blockEvents[^1]));
        var violations = EventTrace.OrderViolations(blockEvents, fused.Nodes);
        Assert.True(violations.Count == 0, "block events are out of order:\n" + string.Join("\n", violations));
        var fusedEvents = EventTrace.Multiset(fused.Events);
        var blockMultiset = EventTrace.Multiset(blockEvents);
        Assert.True(fusedEvents.SequenceEqual(blockMultiset), "Events differ:\n" + EventTrace.Difference(fusedEvents, blockMultiset));
    }

    [Fact]
    public async Task Dispatch_BothSides_TraceShowsBothDelegationsAndTheToolCall()
    {
        var (generated, interpreted) = await RunBothAsync(Cases.Single(c => c.Project == "dispatch"));

        foreach (var (side, outcome) in new[] { ("generated", generated), ("interpreted", interpreted) })
        {
            var delegations = outcome.Events.OfType<Atlas.Runtime.DelegationCompleted>().Select(d => $"{d.Step}: {d.From} -> {d.To} {d.Succeeded}").ToList();
            Assert.True(
                delegations.SequenceEqual(["answer: dispatcher -> billing_specialist True", "answer: dispatcher -> tech_specialist True"]),
                $"{side}: {string.Join("; ", delegations)}");
            Assert.Equal(2, outcome.Events.OfType<Atlas.Runtime.DelegationStarted>().Count());
            // lookup_account is read-only, so the offline mock calls it; page_team is not: only recorded, never called.
            var tools = outcome.Events.OfType<Atlas.Runtime.ToolCalled>().OrderBy(t => t.Tool, StringComparer.Ordinal).Select(t => (t.Agent, t.Tool, t.Called, t.Succeeded)).ToList();
            Assert.Equal([("dispatcher", "lookup_account", true, true), ("dispatcher", "page_team", false, false)], tools);
        }

        Assert.Contains("(consulted lookup_account, billing_specialist, tech_specialist; would call page_team (not read-only: not called offline))", generated.Result);
    }

    /// <summary>One case on both sides at once (they share nothing, and the mock's waits dominate).</summary>
    private static async Task<(RunOutcome Generated, RunOutcome Interpreted)> RunBothAsync(EquivalenceCase run)
    {
        var project = AtlasProject.Get(run.Project);
        var model = project.Compile();
        var workflow = model.Workflows.Single(w => w.Name == run.Workflow);
        var configure = Offline.Configure(Path.GetDirectoryName(project.Files[0])!);
        var generatedProgram = GeneratedProgram.For(project);

        // The same C# tools on both sides (atlas run loads them from the project's assembly).
        var tools = generatedProgram.ToolFunctions();
        Action<Atlas.Runtime.AtlasRuntimeOptions> configureInterpreted = options =>
        {
            configure(options);
            foreach (var tool in tools) options.Tools.TryAdd(tool.Name, tool);
        };

        // The two sides share nothing (each has its own runtime), and the mock's waits dominate: run them at once.
        var generatedRun = generatedProgram.RunAsync(workflow, run.ReadInput(), configure);
        var interpretedRun = InterpretedProgram.RunAsync(model, workflow, run.ReadInput(), configureInterpreted, generatedProgram.JsonOptions);
        await Task.WhenAll(generatedRun, interpretedRun);
        return (await generatedRun, await interpretedRun);
    }
}
