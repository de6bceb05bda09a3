using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Json.Schema;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests;

/// <summary>Delegation between agents on the mock: delegates offered as functions, depth limits, usage and events.</summary>
public class DelegationTests
{
    private const string TaskSchema = """{"type":"object","properties":{"task":{"type":"string"}},"required":["task"],"additionalProperties":false}""";

    internal static AgentDescriptor Agent(string name, string model = "offline", int? maxDepth = null, BudgetDescriptor? budget = null, params AgentDescriptor[] delegates) => new(
        name,
        [new ParameterDescriptor("task", "string")],
        "string",
        null,
        model,
        TestSupport.Template(name + " works on: {{task}}"),
        Delegates: delegates.Length == 0 ? null : delegates,
        ParametersSchema: TaskSchema,
        MaxDepth: maxDepth,
        Budget: budget);

    private static Dictionary<string, JsonNode?> Task(string text) => TestSupport.Args(("task", JsonValue.Create(text)));

    internal sealed class Holder
    {
        public JsonNode? Result { get; set; }
    }

    /// <summary>A one-step workflow whose step calls <paramref name="agent"/>, so its events are observed.</summary>
    internal static WorkflowGraph<Holder> OneStep(AtlasRuntime runtime, AgentDescriptor agent, BudgetDescriptor? budget = null, StepPolicy? policy = null) =>
        new WorkflowGraphBuilder<Holder>("w")
            .WithBudget(budget)
            .Step("ask", [], async (state, step, ct) => state.Result = await runtime.InvokeAgentAsync(agent, Task("refund order A-1"), step, ct), policy)
            .Build(["ask"]);

    [Fact]
    public async Task Dispatcher_DelegatesToBothSpecialists_TraceShowsBothAndUsageAddsUp()
    {
        using var runtime = TestSupport.Runtime();
        var dispatcher = Agent("dispatcher", delegates: [Agent("billing"), Agent("tech")]);
        var holder = new Holder();

        var events = await TestSupport.Collect(runtime, OneStep(runtime, dispatcher), holder);

        var started = events.OfType<DelegationStarted>().ToList();
        var completed = events.OfType<DelegationCompleted>().ToList();
        Assert.Equal(["dispatcher→billing", "dispatcher→tech"], started.Select(e => $"{e.From}→{e.To}"));
        Assert.Equal(["dispatcher→billing", "dispatcher→tech"], completed.Select(e => $"{e.From}→{e.To}"));
        Assert.All(started, e => Assert.Equal((1, "ask"), (e.Depth, e.Step)));
        Assert.All(started, e => Assert.Equal(JsonValueKind.String, JsonDocument.Parse(e.Arguments).RootElement.GetProperty("task").ValueKind));
        Assert.All(completed, e => Assert.True(e.Succeeded && e.Error is null && e.Usage.TotalTokens > 0));
        Assert.All(completed, e => Assert.Contains($"a mock reply about \"{e.To} works on", JsonNode.Parse(e.Answer!)!.GetValue<string>(), StringComparison.Ordinal));
        Assert.True(events.IndexOf(started[0]) < events.IndexOf(completed[0]));

        // The delegates' usage is part of the step's and the run's.
        var step = Assert.Single(events.OfType<StepCompleted>());
        var run = Assert.IsType<RunCompleted>(events[^1]);
        Assert.True(run.Succeeded, run.Error);
        Assert.True(step.Usage.TotalTokens > completed.Sum(c => c.Usage.TotalTokens));
        Assert.Equal(step.Usage, run.Usage);

        // The answer comes after the delegates' results, and a delegate's text is not streamed as the step's.
        Assert.EndsWith("(consulted billing, tech)", holder.Result!.GetValue<string>());
        var streamed = string.Concat(events.OfType<TokenEmitted>().Select(t => t.Text));
        Assert.Equal(holder.Result!.GetValue<string>(), streamed);
    }

    [Fact]
    public async Task Dispatcher_Streamed_AlsoDelegatesBeforeAnswering()
    {
        using var runtime = TestSupport.Runtime();
        var dispatcher = Agent("dispatcher", delegates: [Agent("billing"), Agent("tech")]);

        var chunks = new List<string>();
        await foreach (var chunk in runtime.StreamAgentAsync(dispatcher, Task("refund"), null, CancellationToken.None)) chunks.Add(chunk);
        var streamed = string.Concat(chunks);

        var invoked = await runtime.InvokeAgentAsync(dispatcher, Task("refund"), null, CancellationToken.None);
        Assert.EndsWith("(consulted billing, tech)", streamed);
        Assert.Equal(invoked!.GetValue<string>(), streamed);
    }

    [Fact]
    public async Task Delegation_BeyondMaxDepth_IsRefusedAndTheModelIsTold()
    {
        using var runtime = TestSupport.Runtime();
        var leaf = Agent("leaf");
        var middle = Agent("middle", delegates: [leaf]);
        var top = Agent("top", maxDepth: 1, delegates: [middle]);

        var events = await TestSupport.Collect(runtime, OneStep(runtime, top), new Holder());

        var completed = events.OfType<DelegationCompleted>().ToList();
        Assert.Equal(["top→middle depth 1 True", "middle→leaf depth 2 False"], completed.Select(e => $"{e.From}→{e.To} depth {e.Depth} {e.Succeeded}").OrderBy(s => s.Length));
        var refused = completed.Single(e => !e.Succeeded);
        Assert.Equal("Delegation refused: 'middle' may not hand work to 'leaf' here, because delegations may nest at most 1 level below 'top' (its max_depth). Answer without it.", refused.Error);
        Assert.Equal(Usage.Zero, refused.Usage);
        Assert.True(Assert.IsType<RunCompleted>(events[^1]).Succeeded);
    }

    [Fact]
    public async Task Delegation_WithoutMaxDepth_NestsThreeLevels()
    {
        using var runtime = TestSupport.Runtime();
        var chain = Agent("a4");
        foreach (var name in new[] { "a3", "a2", "a1", "a0" }) chain = Agent(name, delegates: [chain]);

        var events = await TestSupport.Collect(runtime, OneStep(runtime, chain), new Holder());

        var outcomes = events.OfType<DelegationCompleted>().OrderBy(e => e.Depth).Select(e => $"{e.Depth}:{e.Succeeded}");
        Assert.Equal(["1:True", "2:True", "3:True", "4:False"], outcomes);
        Assert.Equal(3, AgentDescriptor.DefaultMaxDepth);
    }

    [Fact]
    public async Task Delegation_WithArgumentsThatDoNotFit_IsRefusedAndTheModelRetries()
    {
        var client = new FunctionCallingClient(
            [new FunctionCallContent("c1", "helper", new Dictionary<string, object?> { ["task"] = 42 })],
            [new FunctionCallContent("c2", "helper", new Dictionary<string, object?> { ["task"] = "fixed" })]);
        using var runtime = TestSupport.Runtime(o => o.ChatClients["scripted"] = client);
        var boss = Agent("boss", model: "scripted", delegates: [Agent("helper")]);

        var events = await TestSupport.Collect(runtime, OneStep(runtime, boss), new Holder());

        var completed = events.OfType<DelegationCompleted>().ToList();
        Assert.Equal(2, completed.Count);
        Assert.False(completed[0].Succeeded);
        Assert.StartsWith("Delegation to 'helper' refused: the arguments do not fit its parameters (", completed[0].Error);
        Assert.True(completed[1].Succeeded);
        var told = client.Results.First();
        Assert.Contains("do not fit its parameters", told.Result?.ToString());
    }

    [Fact]
    public async Task DelegateFunction_OffersTheDelegatesParametersSchema()
    {
        var client = new FunctionCallingClient();
        using var runtime = TestSupport.Runtime(o => o.ChatClients["scripted"] = client);
        await runtime.InvokeAgentAsync(Agent("boss", model: "scripted", delegates: [Agent("helper")]), Task("x"), null, CancellationToken.None);

        var offered = Assert.IsAssignableFrom<AIFunctionDeclaration>(Assert.Single(client.Offered!));
        Assert.Equal("helper", offered.Name);
        Assert.Equal(JsonNode.Parse(TaskSchema)!.ToJsonString(), JsonNode.Parse(offered.JsonSchema.GetRawText())!.ToJsonString());
        Assert.Contains("task: string", offered.Description);
    }

    [Fact]
    public async Task ToolCalls_AreEvents_WhenTheRunIsObserved()
    {
        var calls = 0;
        var lookup = ReadOnlyTools.Mark(AIFunctionFactory.Create((string order_id) => { calls++; return "order " + order_id + " ships Monday"; }, "lookup_order"));
        using var runtime = TestSupport.Runtime(o => o.Tools["lookup_order"] = lookup);
        var agent = Agent("support") with { Tools = ["lookup_order"] };

        var holder = new Holder();
        var events = await TestSupport.Collect(runtime, OneStep(runtime, agent), holder);

        Assert.Equal(1, calls);
        var tool = Assert.Single(events.OfType<ToolCalled>());
        Assert.Equal(("support", "lookup_order", true, "ask"), (tool.Agent, tool.Tool, tool.Succeeded, tool.Step));
        Assert.StartsWith("{\"order_id\":\"", tool.Arguments);
        Assert.Matches("^\"order .* ships Monday\"$", tool.Result);
        Assert.EndsWith("(consulted lookup_order)", holder.Result!.GetValue<string>());
    }

    [Fact]
    public async Task ToolNotReadOnly_OfflineMock_RecordsItAsNotCalled_AndCallsTheReadOnlyOne()
    {
        var pages = 0;
        var lookups = 0;
        var page = AIFunctionFactory.Create((string team) => { pages++; return "paged " + team; }, "page_team");
        var lookup = ReadOnlyTools.Mark(AIFunctionFactory.Create((string order_id) => { lookups++; return "order " + order_id; }, "lookup_order"));
        using var runtime = TestSupport.Runtime(o =>
        {
            o.Tools["page_team"] = page;
            o.Tools["lookup_order"] = lookup;
        });
        var agent = Agent("support") with { Tools = ["page_team", "lookup_order"] };

        var holder = new Holder();
        var events = await TestSupport.Collect(runtime, OneStep(runtime, agent), holder);

        Assert.Equal((0, 1), (pages, lookups));
        var recorded = Assert.Single(events.OfType<ToolCalled>(), e => !e.Called);
        Assert.Equal(("support", "page_team", false, TimeSpan.Zero), (recorded.Agent, recorded.Tool, recorded.Succeeded, recorded.Duration));
        Assert.StartsWith("{\"team\":\"", recorded.Arguments);
        Assert.Equal("not called: tool 'page_team' is not read-only, and the offline mock calls only read-only tools (mark it `read_only = true` if it only reads)", recorded.Error);
        Assert.Contains("\"called\":false", AtlasEventJson.SerializeEvent(recorded));
        var called = Assert.Single(events.OfType<ToolCalled>(), e => e.Called);
        Assert.Equal(("lookup_order", true), (called.Tool, called.Succeeded));
        Assert.EndsWith("(consulted lookup_order; would call page_team (not read-only: not called offline))", holder.Result!.GetValue<string>());
    }

    [Fact]
    public async Task OnlyToolsThatAreNotReadOnly_OfflineMock_AnswersAtOnceAndRecordsThem()
    {
        var pages = 0;
        var page = AIFunctionFactory.Create((string team) => { pages++; return "paged " + team; }, "page_team");
        using var runtime = TestSupport.Runtime(o => o.Tools["page_team"] = page);
        var agent = Agent("support") with { Tools = ["page_team"] };

        var holder = new Holder();
        var events = await TestSupport.Collect(runtime, OneStep(runtime, agent), holder);

        Assert.Equal(0, pages);
        Assert.False(Assert.Single(events.OfType<ToolCalled>()).Called);
        Assert.EndsWith("(would call page_team (not read-only: not called offline))", holder.Result!.GetValue<string>());
        Assert.True(Assert.IsType<RunCompleted>(events[^1]).Succeeded);
    }

    [Fact]
    public async Task FailingTool_IsAFailedToolCalledEvent_AndTheAgentStillAnswers()
    {
        var broken = ReadOnlyTools.Mark(AIFunctionFactory.Create(string (string id) => throw new InvalidOperationException("database down"), "lookup"));
        using var runtime = TestSupport.Runtime(o => o.Tools["lookup"] = broken);
        var agent = Agent("support") with { Tools = ["lookup"] };

        var events = await TestSupport.Collect(runtime, OneStep(runtime, agent), new Holder());

        var tool = Assert.Single(events.OfType<ToolCalled>());
        Assert.False(tool.Succeeded);
        Assert.Equal("database down", tool.Error);
        Assert.True(Assert.IsType<RunCompleted>(events[^1]).Succeeded);
    }

    [Fact]
    public async Task StructuredDelegate_ResultIsSchemaValidJson_AndReachesTheCaller()
    {
        using var runtime = TestSupport.Runtime();
        var classifier = Agent("classifier") with { ResultTypeName = "Triage", ResultSchema = TestSupport.TriageSchema };
        var structuredBoss = Agent("boss", delegates: [classifier]) with { ResultTypeName = "Triage", ResultSchema = TestSupport.TriageSchema };

        var result = await runtime.InvokeAgentAsync(structuredBoss, Task("charged twice"), null, CancellationToken.None);

        using var document = JsonDocument.Parse(result!.ToJsonString());
        Assert.True(JsonSchema.FromText(TestSupport.TriageSchema).Evaluate(document.RootElement).IsValid);
    }

    /// <summary>Asks for the scripted function calls, one turn each, then answers "done"; records the results it got back.</summary>
    private sealed class FunctionCallingClient(params IList<AIContent>[] turns) : IChatClient
    {
        private int _turn;

        public List<FunctionResultContent> Results { get; } = new();

        public IList<AITool>? Offered { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Offered = options?.Tools;
            Results.AddRange(messages.SelectMany(m => m.Contents.OfType<FunctionResultContent>()).Where(r => !Results.Any(seen => seen.CallId == r.CallId)));
            var contents = _turn < turns.Length ? turns[_turn++] : [new TextContent("done")];
            return System.Threading.Tasks.Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, contents)) { Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 } });
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var response = await GetResponseAsync(messages, options, cancellationToken);
            foreach (var update in response.ToChatResponseUpdates()) yield return update;
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
