using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime.Tests;

/// <summary><c>budget</c> on workflows (per run) and agents (per call, delegations included): exceeding it stops with a clear error.</summary>
public class BudgetTests
{
    private static Dictionary<string, JsonNode?> Task(string text) => TestSupport.Args(("task", JsonValue.Create(text)));

    [Fact]
    public async Task WorkflowBudget_InTokens_Exceeded_FailsTheStepAndTheRunNamingLimitAndSpend()
    {
        using var runtime = TestSupport.Runtime();
        var agent = DelegationTests.Agent("writer");
        var graph = DelegationTests.OneStep(runtime, agent, new BudgetDescriptor(Tokens: 10), new StepPolicy(Retry: 2));

        var events = await TestSupport.Collect(runtime, graph, new DelegationTests.Holder());

        var failed = Assert.Single(events.OfType<StepFailed>());
        Assert.Matches(@"^Workflow 'w' went over its budget of 10 tokens: it has used \d+ tokens \(\$0\.00\), so it was stopped$", failed.Error);
        var run = Assert.IsType<RunCompleted>(events[^1]);
        Assert.False(run.Succeeded);
        Assert.Contains("went over its budget of 10 tokens", run.Error);
        Assert.Empty(events.OfType<RetryScheduled>()); // a budget is never retried

        var error = await Assert.ThrowsAsync<WorkflowFailedException>(() =>
            runtime.RunAsync(graph, new DelegationTests.Holder(), h => h.Result, CancellationToken.None));
        Assert.IsType<BudgetExceededException>(error.InnerException);
    }

    [Fact]
    public async Task WorkflowBudget_InDollars_Exceeded_NamesDollars()
    {
        using var runtime = TestSupport.Runtime(o => o.Providers.Add(new ProviderDescriptor("priced", ProviderKind.Mock, InputCostPerMillion: 1000, OutputCostPerMillion: 1000)));
        var graph = DelegationTests.OneStep(runtime, DelegationTests.Agent("writer", model: "priced"), new BudgetDescriptor(Usd: 0.001m));

        var events = await TestSupport.Collect(runtime, graph, new DelegationTests.Holder());

        var failed = Assert.Single(events.OfType<StepFailed>());
        Assert.Matches(@"^Workflow 'w' went over its budget of \$0\.001: it has used \$0\.0\d+ \(\d+ tokens\), so it was stopped$", failed.Error);
    }

    [Fact]
    public async Task WorkflowBudget_NotReached_RunSucceeds()
    {
        using var runtime = TestSupport.Runtime();
        var graph = DelegationTests.OneStep(runtime, DelegationTests.Agent("writer"), new BudgetDescriptor(Usd: 1m, Tokens: 100_000));

        var events = await TestSupport.Collect(runtime, graph, new DelegationTests.Holder());

        Assert.True(Assert.IsType<RunCompleted>(events[^1]).Succeeded);
    }

    [Fact]
    public async Task AgentBudget_ExceededByItsDelegates_StopsTheAgentNamingIt()
    {
        using var runtime = TestSupport.Runtime();
        var dispatcher = DelegationTests.Agent("dispatcher", budget: new BudgetDescriptor(Tokens: 60), delegates: [DelegationTests.Agent("billing"), DelegationTests.Agent("tech")]);

        var events = await TestSupport.Collect(runtime, DelegationTests.OneStep(runtime, dispatcher), new DelegationTests.Holder());

        var failed = Assert.Single(events.OfType<StepFailed>());
        Assert.StartsWith("Agent 'dispatcher' went over its budget of 60 tokens: it has used ", failed.Error);
        // The delegation that crossed the limit ended the dispatcher's tool loop: no answer was streamed.
        Assert.Contains(events.OfType<DelegationCompleted>(), d => !d.Succeeded && d.Error!.StartsWith("Agent 'dispatcher' went over", StringComparison.Ordinal));
        Assert.Empty(events.OfType<TokenEmitted>());

        var thrown = await Assert.ThrowsAsync<BudgetExceededException>(() => runtime.InvokeAgentAsync(dispatcher, Task("x"), null, CancellationToken.None));
        Assert.Equal("agent 'dispatcher'", thrown.Owner);
        Assert.True(thrown.Spent.TotalTokens > 60);
    }

    [Fact]
    public async Task DelegatesOwnBudget_Exceeded_IsAFailedDelegation_TheCallerGoesOn()
    {
        using var runtime = TestSupport.Runtime();
        var stingy = DelegationTests.Agent("stingy", budget: new BudgetDescriptor(Tokens: 5));
        var dispatcher = DelegationTests.Agent("dispatcher", delegates: [stingy]);

        var events = await TestSupport.Collect(runtime, DelegationTests.OneStep(runtime, dispatcher), new DelegationTests.Holder());

        var delegation = Assert.Single(events.OfType<DelegationCompleted>());
        Assert.False(delegation.Succeeded);
        Assert.StartsWith("Delegation to 'stingy' failed: Agent 'stingy' went over its budget of 5 tokens", delegation.Error);
        Assert.True(Assert.IsType<RunCompleted>(events[^1]).Succeeded);
    }
}
