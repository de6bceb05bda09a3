using System.Text.Json.Nodes;
using Atlas.Compiler.Lowering;
using Atlas.Emitter.Tests.TestSupport;
using Atlas.Equivalence.Tests.TestSupport;
using Atlas.Runtime;
using Xunit.Abstractions;

namespace Atlas.Equivalence.Tests;

/// <summary>
/// The unhappy paths of TestData/unhappy (a failing step, a retried one, a timeout, budgets, a delegation
/// refused at <c>max_depth</c>, a <c>for</c> item that fails, an empty list, every arm of a switch, human steps answered,
/// answered badly and asked again, and never answered) run by
/// generated code and by the interpreter: the same event sequence, event by event, and the same result or
/// error. Every workflow there is sequential, so the order of the events is fixed on both sides.
/// </summary>
public class UnhappyPathTests(ITestOutputHelper output)
{
    internal static readonly AtlasProject Project = new(
        "unhappy",
        [Path.Combine(Repository.Root, "tests", "Atlas.Equivalence.Tests", "TestData", "unhappy", "unhappy.atlas")]);

    /// <summary>
    /// A workflow, its input, how the run ends, and event lines (by prefix) it must show, besides its last one; a
    /// prefix after <c>!</c> is one no event may start with. "flaky" fails every other request, so a case that
    /// runs it without a retry would pass on the second run (<c>RunAsync</c>): those use "boom".
    /// </summary>
    public sealed record UnhappyCase(string Workflow, string Input, string Outcome, params string[] Shows)
    {
        public override string ToString() => $"{Workflow} <- {Input}";
    }

    public static readonly IReadOnlyList<UnhappyCase> Cases =
    [
        new("step_fails", "\"fine\"", "succeeded", "step_completed first", "step_completed second"),
        new("step_fails", "\"boom\"", "failed", "step_failed first"),
        new("retried", "\"flaky\"", "succeeded", "retry_scheduled answer attempt 1", "step_completed answer"),
        new("retried", "\"boom\"", "failed", "retry_scheduled answer attempt 1", "retry_scheduled answer attempt 2", "step_failed answer"),
        new("timed_out", "\"late\"", "failed", "step_failed answer"),
        new("agent_budget", "\"gold\"", "failed", "step_failed answer"),
        new("run_budget", "\"gold\"", "failed", "step_completed first", "step_failed second"),
        new("refused", "\"deep\"", "succeeded", "delegation_completed answer top -> middle depth 1 succeeded", "delegation_completed answer middle -> leaf depth 2 failed"),
        new("each", """["a", "flaky", "c"]""", "succeeded", "retry_scheduled results attempt 1", "step_completed results"),
        new("each", """["a", "boom", "c"]""", "failed", "retry_scheduled results attempt 1", "step_failed results"),
        new("each", "[]", "succeeded", "step_completed results in=0 out=0"),
        new("route", """{ "id": "j1", "lane": "fast", "urgent": true, "text": "t" }""", "succeeded",
            "provider_selected lane scripted", "provider_selected urgency scripted", "provider_selected answer scripted"),
        new("route", """{ "id": "j2", "lane": "careful", "urgent": false, "text": "t" }""", "succeeded",
            "provider_selected lane offline", "provider_selected urgency offline", "provider_selected answer offline"),
        new("route", """{ "id": "j3", "lane": "other", "urgent": true, "text": "t" }""", "succeeded",
            "token lane \"(j3)\"", "provider_selected urgency scripted", "provider_selected answer offline"),
        new("arm_retry", """{ "id": "j4", "lane": "fast", "urgent": true, "text": "flaky" }""", "succeeded", "retry_scheduled answer attempt 1", "step_completed answer"),
        new("arm_retry", """{ "id": "j5", "lane": "fast", "urgent": false, "text": "boom" }""", "failed", "!retry_scheduled", "step_failed answer"),
        new("pair", """{ "text": "a", "other": "flaky" }""", "succeeded", "retry_scheduled both attempt 1", "step_completed both"),
        new("pair", """{ "text": "boom", "other": "b" }""", "failed", "!retry_scheduled", "step_failed both"),
        new("each_slow", """["slow 1", "slow 2", "slow 3", "slow 4", "slow 5", "slow 6", "slow 7", "slow 8"]""", "succeeded", "step_completed results"),
        new("calls_failing", "\"boom\"", "failed", "step_failed inner"),
        new("return_call", "\"flaky\"", "succeeded", "retry_scheduled return attempt 1"),
        new("return_call", "\"boom\"", "failed", "retry_scheduled return attempt 1", "step_failed return"),
        new("timed_out_retried", "\"late\"", "failed", "retry_scheduled answer attempt 1", "step_failed answer"),
        new("each_switch", """["a", "deep", "b"]""", "succeeded", "provider_selected results offline", "provider_selected results scripted"),
        new("each_switch", """["a", "boom"]""", "failed", "step_failed results"),
        new("nested_budget", "\"gold\"", "failed", "step_failed inner"),
        new("two_leaves", "\"gold\"", "succeeded", "step_completed second"),
        new("ask", "\"boom\"", "succeeded", "delegation_completed answer asker -> echo depth 1 failed"),
        new("call_retried", "\"flaky\"", "succeeded", "retry_scheduled inner attempt 1"),
        new("retried_inner", "\"boom\"", "failed", "!retry_scheduled", "step_failed answer"),
        new("call_timed_out", "\"slow\"", "failed", "step_failed inner \"timed out after 100ms\""),
        new("timed_inner", "\"slow\"", "succeeded", "step_completed answer"),
        new("shaped", AsString("""{"first": "a", "second": "b"}"""), "succeeded", "step_completed pair"),
        new("shaped", AsString("""{"first": "a", "second": "b", "third": 3}"""), "failed", "step_failed pair \"Agent \\u0027shape\\u0027 did not return a valid Pair"), // the schema refuses what Pair does not declare
        new("shaped", AsString("""{"first": "a"}"""), "failed", "step_failed pair"),
        new("shaped", AsString("""{"first": "a", "second": 2}"""), "failed", "step_failed pair"),
        new("approval", "\"yes please\"", "succeeded", "human_requested ok approver \"Approve yes please?\"", "human_answered ok approver true", "step_completed answer"),
        new("approval", "\"not now\"", "succeeded", "human_answered ok approver false", "human_requested answer noter \"A note on not now\"", "human_answered answer noter \"no\""),
        new("approval", "\"wrong\"", "succeeded", "human_answered ok approver true"), // "maybe" first: asked again
        new("approval", "\"never\"", "failed", "human_requested ok approver", "!human_answered", "step_failed ok \"\\u0027approver\\u0027 was not answered within 200ms"),
        new("revisions", """["{\"first\": \"a\", \"second\": \"b\"}", "{\"first\": \"c\", \"second\": \"d\"}"]""", "succeeded", "human_answered results reviser {\"first\":\"a\",\"second\":\"b\"}", "step_completed results"),
    ];

    /// <summary>A text as a JSON string (a workflow input).</summary>
    private static string AsString(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    public static TheoryData<UnhappyCase> All()
    {
        var data = new TheoryData<UnhappyCase>();
        foreach (var c in Cases) data.Add(c);
        return data;
    }

    [Fact]
    public void Cases_CoverEveryWorkflow()
    {
        var missing = Project.Compile().Workflows.Select(w => w.Name).Where(w => !Cases.Any(c => c.Workflow == w)).ToList();
        Assert.True(missing.Count == 0, "Workflows no case runs: " + string.Join(", ", missing));
    }

    [Theory]
    [MemberData(nameof(All))]
    public async Task GeneratedAndInterpreted_UnhappyPath_SameEventSequenceAndOutcome(UnhappyCase run)
    {
        var model = Project.Compile();
        var workflow = model.Workflows.Single(w => w.Name == run.Workflow);
        var generatedProgram = GeneratedProgram.For(Project);
        var offline = Offline.Configure(Path.GetDirectoryName(Project.Files[0])!);
        Action<AtlasRuntimeOptions> configure = options =>
        {
            offline(options);
            options.ChatClients["scripted"] = new ScriptedChatClient();
            options.CircuitBreaker = null; // a failure must not change what the next run of the same runtime sees
            options.HumanInput = new ScriptedHumanInput();
        };

        var generatedRun = generatedProgram.RunAsync(workflow, JsonNode.Parse(run.Input), configure);
        var interpretedRun = InterpretedProgram.RunAsync(model, workflow, JsonNode.Parse(run.Input), configure, generatedProgram.JsonOptions);
        await Task.WhenAll(generatedRun, interpretedRun);
        var (generated, interpreted) = (await generatedRun, await interpretedRun);
        var generatedEvents = generated.Events.Select(EventTrace.Describe).ToList();
        var interpretedEvents = interpreted.Events.Select(EventTrace.Describe).ToList();
        output.WriteLine("generated:\n  " + string.Join("\n  ", generatedEvents));
        output.WriteLine("result: " + generated.Result);
        output.WriteLine("interpreted:\n  " + string.Join("\n  ", interpretedEvents));
        output.WriteLine("result: " + interpreted.Result);

        foreach (var (side, outcome, events) in new[] { ("generated", generated, generatedEvents), ("interpreted", interpreted, interpretedEvents) })
        {
            var violations = EventTrace.OrderViolations(outcome.Events, outcome.Nodes);
            Assert.True(violations.Count == 0, $"{side} events are out of order:\n" + string.Join("\n", violations));
            Assert.StartsWith("run_completed " + run.Outcome, events[^1]);
            Assert.Equal(run.Outcome == "failed", outcome.Result.StartsWith("error ", StringComparison.Ordinal));
            foreach (var shown in run.Shows)
            {
                if (shown.StartsWith('!'))
                    Assert.False(events.Any(e => e.StartsWith(shown[1..], StringComparison.Ordinal)), $"{side}: an event starts with {shown[1..]}");
                else
                    Assert.True(events.Any(e => e.StartsWith(shown, StringComparison.Ordinal)), $"{side}: no event starts with {shown}");
            }
        }

        RunOutcome.AssertSamePlan(AtlasLowering.Lower(model).Workflow(run.Workflow)!, generated, interpreted);
        Assert.Equal(generated.Nodes.Select(EventTrace.Describe), interpreted.Nodes.Select(EventTrace.Describe));
        Assert.True(generatedEvents.SequenceEqual(interpretedEvents), "Event sequences differ:\n" + EventTrace.Difference(generatedEvents, interpretedEvents));
        Assert.Equal(generated.Result, interpreted.Result);
    }
}
