using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests.ChatClients;

public class TokenEventsChatClientTests
{
    private const string Key = "sk-secret-0123456789";

    [Fact]
    public async Task TokenEvents_NobodyTakesThePieces_AsksForAWholeReply_AndPassesNoContextOn()
    {
        using var runtime = TestSupport.Runtime();
        var inner = new StubChatClient();
        using var client = new TokenEventsChatClient(inner, new SecretRedactor());

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], Options(runtime.CreateStepContext("ask"), null), CancellationToken.None);

        Assert.Equal("Hello from the stub", response.Text);
        var (method, options) = Assert.Single(inner.Received);
        Assert.Equal("get", method);
        Assert.Null(options!.AdditionalProperties);
    }

    [Fact]
    public async Task TokenEvents_AnObservedStep_StreamsTheReply_AsTokenEvents_AndReturnsItWhole()
    {
        using var runtime = TestSupport.Runtime();
        var events = new ConcurrentQueue<AtlasEvent>();
        var inner = new StubChatClient();
        using var client = new TokenEventsChatClient(inner, new SecretRedactor());

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], Options(runtime.CreateStepContext("ask", events.Enqueue), null), CancellationToken.None);

        Assert.Equal("stream", Assert.Single(inner.Received).Method);
        Assert.Equal(["Hello ", "from ", "the ", "stub"], events.OfType<TokenEmitted>().Select(t => t.Text));
        Assert.Equal("Hello from the stub", response.Text);
    }

    [Fact]
    public async Task TokenEvents_ToTheCaller_BlankOutAKeySplitAcrossPieces_AndSayTheyWereDelivered()
    {
        var secrets = new SecretRedactor();
        secrets.Add(Key);
        var chunks = new List<string>();
        var context = new ModelCallContext(null, null, chunks.Add, null);
        using var client = new TokenEventsChatClient(new StubChatClient($"the key is {Key} indeed"), secrets);

        Assert.False(context.Delivered);
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], ModelCallContext.Attach(new ChatOptions(), context), CancellationToken.None);

        Assert.True(context.Delivered);
        Assert.Equal("the key is [redacted] indeed", string.Concat(chunks));
        Assert.DoesNotContain(chunks, c => c.Contains("sk-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TokenEvents_ADelegatesReply_IsNotTheStepsToken()
    {
        using var runtime = TestSupport.Runtime();
        var events = new ConcurrentQueue<AtlasEvent>();
        var caller = new AgentCall(new AgentDescriptor("caller", [], "string", null, "offline", TestSupport.Template("hi")), null);
        var call = new AgentCall(new AgentDescriptor("delegate", [], "string", null, "offline", TestSupport.Template("hi")), caller);
        var inner = new StubChatClient();
        using var client = new TokenEventsChatClient(inner, new SecretRedactor());

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], Options(runtime.CreateStepContext("ask", events.Enqueue), call), CancellationToken.None);

        Assert.Equal("get", Assert.Single(inner.Received).Method);
        Assert.Empty(events);
    }

    [Fact]
    public async Task TokenEvents_Streamed_PassesTheUpdatesOn_AndEmitsTheirText()
    {
        using var runtime = TestSupport.Runtime();
        var events = new ConcurrentQueue<AtlasEvent>();
        using var client = new TokenEventsChatClient(new StubChatClient(), new SecretRedactor());

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], Options(runtime.CreateStepContext("ask", events.Enqueue), null), CancellationToken.None))
        {
            updates.Add(update);
        }

        Assert.Equal("Hello from the stub", updates.ToChatResponse().Text);
        Assert.Equal("Hello from the stub", string.Concat(events.OfType<TokenEmitted>().Select(t => t.Text)));
    }

    private static ChatOptions Options(StepContext step, AgentCall? call) => ModelCallContext.Attach(new ChatOptions(), new ModelCallContext(step, call, null, null));
}
