using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime.Tests.ChatClients;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests.Agents;

/// <summary>The agent runner on its own, over a router of stub providers: prompts, structured output, the tool loop, budgets.</summary>
public class AgentRunnerTests
{
    [Fact]
    public async Task AgentRunner_RendersInstructionsAndPrompt_IntoASystemAndAUserMessage()
    {
        var model = new ScriptedChatClient("hello Ada");
        var runner = Runner(model, out var runtime);
        using var owner = runtime;
        var agent = new AgentDescriptor("greeter", [new ParameterDescriptor("name", "string")], "string", null, "model", TestSupport.Template("Greet {{name}}."), Instructions: TestSupport.Template("You are kind to {{name}}."));

        var reply = await runner.InvokeAsync(agent, TestSupport.Args(("name", JsonValue.Create("Ada"))), null, CancellationToken.None);

        Assert.Equal("hello Ada", reply!.GetValue<string>());
        var sent = Assert.Single(model.Received);
        Assert.Equal([(ChatRole.System, "You are kind to Ada."), (ChatRole.User, "Greet Ada.")], sent.Select(m => (m.Role, m.Text)));
    }

    [Fact]
    public async Task AgentRunner_AStructuredReplyThatDoesNotFit_IsRepairedOnce_OnTheSameProvider()
    {
        var model = new ScriptedChatClient("{\"n\": \"three\"}", "```json\n{\"n\": 3}\n```");
        var runner = Runner(model, out var runtime);
        using var owner = runtime;
        var agent = new AgentDescriptor("counter", [], "Count", """{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}""", "model", TestSupport.Template("Count."));

        var reply = await runner.InvokeAsync(agent, TestSupport.Args(), null, CancellationToken.None);

        Assert.Equal(3, reply!["n"]!.GetValue<int>());
        Assert.Equal(2, model.Calls);
        Assert.StartsWith("Your reply could not be used: the reply does not match the schema: /n:", model.Received.Last().Last().Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentRunner_ToolLoop_RunsTheToolTheModelAsksFor_AndSendsItsResultBack()
    {
        var calls = 0;
        var model = new StubChatClient((_, _) => Task.FromResult(Interlocked.Increment(ref calls) == 1
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "lookup_order", new System.Collections.Generic.Dictionary<string, object?> { ["order_id"] = "A-17" })]))
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, "shipped"))));
        var lookups = new ConcurrentQueue<string>();
        var runner = Runner(model, out var runtime, o => o.Tools["lookup_order"] = AIFunctionFactory.Create((string order_id) => { lookups.Enqueue(order_id); return "shipped"; }, "lookup_order"));
        using var owner = runtime;
        var agent = new AgentDescriptor("support", [], "string", null, "model", TestSupport.Template("Where is A-17?"), Tools: ["lookup_order"]);

        var reply = await runner.InvokeAsync(agent, TestSupport.Args(), null, CancellationToken.None);

        Assert.Equal("shipped", reply!.GetValue<string>());
        Assert.Equal("A-17", Assert.Single(lookups));
        Assert.Equal(2, model.Calls);
    }

    [Fact]
    public async Task AgentRunner_AnAgentsBudget_IsCheckedAfterTheRequest_AndItsUsageCounted()
    {
        var runner = Runner(new ScriptedChatClient("a reply"), out var runtime);
        using var owner = runtime;
        var step = runtime.CreateStepContext("ask");
        var agent = new AgentDescriptor("spender", [], "string", null, "model", TestSupport.Template("Spend."), Budget: new BudgetDescriptor(Tokens: 100));

        var error = await Assert.ThrowsAsync<BudgetExceededException>(() => runner.InvokeAsync(agent, TestSupport.Args(), step, CancellationToken.None));

        Assert.Equal("agent 'spender'", error.Owner);
        Assert.Equal(150, step.Usage.TotalTokens);
    }

    [Fact]
    public async Task AgentRunner_Delegation_RunsTheDelegateOnItsOwnModel_WithTheArgumentsTheModelGave_AsOneObservedDelegation()
    {
        var lead = new StubChatClient((n, _) => Task.FromResult(n == 0
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "helper", new System.Collections.Generic.Dictionary<string, object?> { ["task"] = "add 2 and 3" })]))
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, "the helper says 5"))));
        var helperModel = new ScriptedChatClient("5");
        var runner = Runner(lead, out var runtime, o => o.ChatClients["helper-model"] = helperModel);
        using var owner = runtime;
        var events = new List<AtlasEvent>();
        var step = runtime.CreateStepContext("ask", events.Add);
        var helper = new AgentDescriptor("helper", [new ParameterDescriptor("task", "string")], "string", null, "helper-model", TestSupport.Template("Do: {{task}}"));
        var agent = new AgentDescriptor("lead", [], "string", null, "model", TestSupport.Template("Add 2 and 3."), Delegates: [helper]);

        var reply = await runner.InvokeAsync(agent, TestSupport.Args(), step, CancellationToken.None);

        Assert.Equal("the helper says 5", reply!.GetValue<string>());
        Assert.Equal("Do: add 2 and 3", Assert.Single(Assert.Single(helperModel.Received)).Text);
        var started = Assert.Single(events.OfType<DelegationStarted>());
        var completed = Assert.Single(events.OfType<DelegationCompleted>());
        Assert.Equal(("lead", "helper", 1), (started.From, started.To, started.Depth));
        Assert.True(completed.Succeeded);
        Assert.Equal(150, completed.Usage.TotalTokens);
    }

    /// <summary>A runner whose agents' model "model" is <paramref name="model"/>.</summary>
    private static AgentRunner Runner(IChatClient model, out AtlasRuntime runtime, Action<AtlasRuntimeOptions>? configure = null)
    {
        var options = new AtlasRuntimeOptions { GetEnvironmentVariable = _ => null };
        options.ChatClients["model"] = model;
        configure?.Invoke(options);
        runtime = new AtlasRuntime(options);
        var secrets = new SecretRedactor();
        var providers = new ProviderRegistry(options, secrets, TimeProvider.System);
        var router = new ModelRouter(providers, options.Routes, new ResilienceRunner(TimeProvider.System), secrets, TimeProvider.System);
        return new AgentRunner(router, new ToolRegistry(options), secrets, TimeProvider.System);
    }
}
