using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests.ChatClients;

public class ToolCallArgumentsChatClientTests
{
    private const string Sent = "{\"order_id\": A-17";

    /// <summary>The OpenAI kind's factory, which reads the OpenAI library's raw calls.</summary>
    private static readonly IReadOnlyList<ProviderClientFactory> OpenAIReader = [new AtlasRuntimeOptions().UseOpenAI().ProviderClientFactories[ProviderKind.OpenAI]];

    [Fact]
    public async Task ToolCallArguments_ArgumentsThatWereNotJson_KeepTheModelsText_FromTheLibrarysRawCall()
    {
        var call = NotJsonCall();
        using var client = new ToolCallArgumentsChatClient(new StubChatClient((_, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [call])))), OpenAIReader);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        Assert.Equal(Sent, ToolCallArguments.Describe(call, new AIFunctionArguments()));
    }

    [Fact]
    public async Task ToolCallArguments_Streamed_AreKeptOnTheCallTheConsumerHolds_OnceTheStreamEnds()
    {
        var call = NotJsonCall();
        using var client = new ToolCallArgumentsChatClient(new StubChatClient((_, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [call])))), OpenAIReader);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
        {
            updates.Add(update);
        }

        var held = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().Single();
        Assert.Equal(Sent, ToolCallArguments.Describe(held, new AIFunctionArguments()));
    }

    [Fact]
    public async Task ToolCallArguments_ArgumentsThatParsed_AreLeftAlone()
    {
        var call = new FunctionCallContent("call_1", "lookup_order", new Dictionary<string, object?> { ["order_id"] = "A-17" });
        using var client = new ToolCallArgumentsChatClient(new StubChatClient((_, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [call])))), OpenAIReader);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        Assert.Null(call.AdditionalProperties);
        Assert.Equal("{\"order_id\":\"A-17\"}", ToolCallArguments.Describe(call, new AIFunctionArguments(call.Arguments)));
    }

    [Fact]
    public async Task ToolCallArguments_ARawCallNoReaderKnows_ShowsOnlyThatItWasNotJson()
    {
        var call = NotJsonCall();
        var anthropic = new AtlasRuntimeOptions().UseAnthropic().ProviderClientFactories[ProviderKind.Anthropic];
        using var client = new ToolCallArgumentsChatClient(new StubChatClient((_, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [call])))), [anthropic]);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        Assert.Equal("(not JSON)", ToolCallArguments.Describe(call, new AIFunctionArguments()));
    }

    /// <summary>A call whose arguments the OpenAI library could not parse: no arguments, the parse error, and its raw tool call.</summary>
    private static FunctionCallContent NotJsonCall() =>
        new("call_1", "lookup_order")
        {
            Exception = new InvalidOperationException("not JSON"),
            RawRepresentation = OpenAI.Chat.ChatToolCall.CreateFunctionToolCall("call_1", "lookup_order", BinaryData.FromString(Sent)),
        };
}
