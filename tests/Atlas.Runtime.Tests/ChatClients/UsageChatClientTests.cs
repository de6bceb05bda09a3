using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests.ChatClients;

public class UsageChatClientTests
{
    private static readonly ProviderDescriptor Priced = new("priced", ProviderKind.Custom, InputCostPerMillion: 2.0, OutputCostPerMillion: 10.0);

    [Fact]
    public async Task Usage_ReportedByTheProvider_CountsTowardTheStepTheRunAndEveryAgentUpTheChain_AtItsPrices()
    {
        using var runtime = TestSupport.Runtime();
        var step = runtime.CreateStepContext("ask");
        var caller = new AgentCall(Agent("caller"), null);
        var call = new AgentCall(Agent("delegate"), caller);
        using var client = new UsageChatClient(new StubChatClient(usage: new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 200 }), Priced);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], Options(step, call), CancellationToken.None);

        var expected = new Usage(1000, 200, 0.004m);
        Assert.Equal(expected, step.Usage);
        Assert.Equal(expected, step.Run.Usage);
        Assert.Equal(expected, call.Usage);
        Assert.Equal(expected, caller.Usage);
    }

    [Fact]
    public async Task Usage_NotReported_IsEstimatedAtFourCharactersAToken_StreamedOrNot()
    {
        using var runtime = TestSupport.Runtime();
        var step = runtime.CreateStepContext("ask");
        using var client = new UsageChatClient(new StubChatClient("twelve chars"), Priced);
        var prompt = new ChatMessage(ChatRole.User, new string('x', 40));

        await client.GetResponseAsync([prompt], Options(step, null), CancellationToken.None);
        Assert.Equal(new Usage(10, 3, 0.00005m), step.Usage);

        await foreach (var _ in client.GetStreamingResponseAsync([prompt], Options(step, null), CancellationToken.None))
        {
        }

        Assert.Equal(new Usage(20, 6, 0.0001m), step.Usage);
    }

    [Fact]
    public async Task Usage_OfAFailedRequest_OrOfARequestWithNoContext_CountsNothing()
    {
        using var runtime = TestSupport.Runtime();
        var step = runtime.CreateStepContext("ask");
        using var failing = new UsageChatClient(new StubChatClient((_, _) => Task.FromException<ChatResponse>(new InvalidOperationException("down"))), Priced);
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], Options(step, null), CancellationToken.None));

        using var plain = new UsageChatClient(new StubChatClient(usage: new UsageDetails { InputTokenCount = 5, OutputTokenCount = 5 }), Priced);
        await plain.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions(), CancellationToken.None);

        Assert.Equal(Usage.Zero, step.Usage);
    }

    private static ChatOptions Options(StepContext? step, AgentCall? call) => ModelCallContext.Attach(new ChatOptions(), new ModelCallContext(step, call, null, null));

    private static AgentDescriptor Agent(string name) => new(name, [], "string", null, "priced", TestSupport.Template("hello"));
}
