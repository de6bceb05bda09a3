using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Json.Schema;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests;

public class AgentTests
{
    private const string Valid = """{"category":"billing","urgency":2,"summary":"s","tags":["a"],"owner":null,"score":1.5,"escalate":false,"contact":{"email":"a@b.c","name":"n"}}""";

    private static AgentDescriptor Classifier(string model) => new(
        "classifier",
        [new ParameterDescriptor("ticket", "Ticket")],
        "Triage",
        TestSupport.TriageSchema,
        model,
        TestSupport.Template("Subject: {{ticket.subject}}\n{{ticket.body}}"),
        Instructions: TestSupport.Template("You triage customer-support tickets."),
        Temperature: 0,
        MaxTokens: 400);

    private static Dictionary<string, JsonNode?> Ticket => TestSupport.Args(("ticket", JsonNode.Parse("""{ "id": "t1", "subject": "Refund", "body": "I was charged twice." }""")));

    [Fact]
    public async Task Agent_Structured_OnMock_ReturnsSchemaValidObject()
    {
        var runtime = TestSupport.Runtime();

        var result = await runtime.InvokeAgentAsync(Classifier("offline"), Ticket, null, CancellationToken.None);

        using var document = JsonDocument.Parse(result!.ToJsonString());
        Assert.True(JsonSchema.FromText(TestSupport.TriageSchema).Evaluate(document.RootElement).IsValid);
    }

    [Fact]
    public async Task Agent_SendsRenderedMessagesAndOptions()
    {
        ChatOptions? seen = null;
        var capturing = new ScriptedChatClient((_, _, options, _) =>
        {
            seen = options;
            return Task.FromResult(Valid);
        });
        var runtime = TestSupport.Runtime(o => o.ChatClients["fake"] = capturing);

        await runtime.InvokeAgentAsync(Classifier("fake"), Ticket, null, CancellationToken.None);

        var messages = Assert.Single(capturing.Received);
        Assert.Equal(ChatRole.System, messages[0].Role);
        Assert.Equal("You triage customer-support tickets.", messages[0].Text);
        Assert.Equal("Subject: Refund\nI was charged twice.", messages[1].Text);
        Assert.Equal(0f, seen!.Temperature);
        Assert.Equal(400, seen.MaxOutputTokens);
        var format = Assert.IsType<ChatResponseFormatJson>(seen.ResponseFormat);
        Assert.Equal("Triage", format.SchemaName);
        Assert.NotNull(format.Schema);
    }

    [Fact]
    public async Task Agent_InvalidJsonThenValid_RepairsOnce()
    {
        var client = new ScriptedChatClient("Sure! Here you go: {category: billing", "```json\n" + Valid + "\n```");
        var runtime = TestSupport.Runtime(o => o.ChatClients["fake"] = client);

        var result = await runtime.InvokeAgentAsync(Classifier("fake"), Ticket, null, CancellationToken.None);

        Assert.Equal("billing", result!["category"]!.GetValue<string>());
        Assert.Equal(2, client.Calls);
        var repair = client.Received.Last();
        Assert.Equal(ChatRole.Assistant, repair[^2].Role);
        Assert.Contains("not valid JSON", repair[^1].Text);
    }

    [Fact]
    public async Task Agent_SchemaViolationTwice_FailsNamingAgentAndProblem()
    {
        var client = new ScriptedChatClient("""{"category":"refunds","urgency":9}""");
        var runtime = TestSupport.Runtime(o => o.ChatClients["fake"] = client);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(Classifier("fake"), Ticket, null, CancellationToken.None));

        Assert.Equal(2, client.Calls);
        Assert.Contains("Agent 'classifier'", error.Message);
        Assert.Contains("Triage", error.Message);
        Assert.Contains("/urgency", error.Message);
        Assert.Contains("schema", client.Received.Last()[^1].Text);
    }

    [Fact]
    public async Task Agent_WithStep_StreamsTokensAndCountsUsageAndCost()
    {
        var runtime = TestSupport.Runtime(o =>
        {
            o.Providers.Add(new ProviderDescriptor("priced", ProviderKind.Custom, InputCostPerMillion: 1_000, OutputCostPerMillion: 2_000));
            o.ChatClients["priced"] = new ScriptedChatClient("one two three");
        });
        var events = new ConcurrentQueue<AtlasEvent>();
        var step = runtime.CreateStepContext("answer", events.Enqueue);
        var agent = new AgentDescriptor("talker", [], "string", null, "priced", TestSupport.Template("hi"));

        var result = await runtime.InvokeAgentAsync(agent, TestSupport.Args(), step, CancellationToken.None);

        Assert.Equal("one two three", result!.GetValue<string>());
        Assert.Equal(["one ", "two ", "three"], events.OfType<TokenEmitted>().Select(t => t.Text));
        Assert.All(events, e => Assert.Equal(step.RunId, e.RunId));
        Assert.Equal(new Usage(100, 50, 0.2m), step.Usage);
    }

    [Fact]
    public async Task StreamAgent_YieldsChunksThatMakeTheWholeReply()
    {
        var runtime = TestSupport.Runtime(o => o.Providers.Add(new ProviderDescriptor("slow", ProviderKind.Mock, Latency: TimeSpan.FromMilliseconds(1))));
        var agent = new AgentDescriptor("talker", [new ParameterDescriptor("q", "string")], "string", null, "slow", TestSupport.Template("Tell me about {{q}}"));
        var args = TestSupport.Args(("q", JsonValue.Create("refunds")));

        var chunks = new List<string>();
        await foreach (var chunk in runtime.StreamAgentAsync(agent, args, null, CancellationToken.None))
        {
            chunks.Add(chunk);
        }

        Assert.True(chunks.Count > 3);
        Assert.Equal((await runtime.InvokeAgentAsync(agent, args, null, CancellationToken.None))!.GetValue<string>(), string.Concat(chunks));
    }

    [Fact]
    public async Task StreamAgent_ErrorAfterFirstChunk_EndsStreamWithoutFallback()
    {
        var breaking = new BreakingStreamClient();
        var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["breaking"] = breaking;
            o.Routes.Add(new RouteDescriptor("r", RouteStrategy.Fallback, ["breaking", "offline"], Retry: 2));
        });
        var agent = new AgentDescriptor("talker", [], "string", null, "r", TestSupport.Template("hi"));

        var chunks = new List<string>();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var chunk in runtime.StreamAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None))
            {
                chunks.Add(chunk);
            }
        });

        Assert.Equal(["partial "], chunks);
        Assert.Equal("stream cut", error.Message);
        Assert.Equal(1, breaking.Calls);
    }

    [Fact]
    public async Task Agent_WithTools_InvokesTheToolThroughFunctionInvocation()
    {
        var calls = new ConcurrentQueue<string>();
        var tool = AIFunctionFactory.Create((string order_id) =>
        {
            calls.Enqueue(order_id);
            return $"order {order_id} shipped";
        }, "lookup_order");
        var client = new ToolCallingClient();
        var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["tooly"] = client;
            o.Tools["lookup_order"] = tool;
        });
        var agent = new AgentDescriptor("support", [], "string", null, "tooly", TestSupport.Template("where is order 7?"), Tools: ["lookup_order"]);

        var result = await runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None);

        Assert.Equal(["7"], calls);
        Assert.Equal("The tool said: order 7 shipped", result!.GetValue<string>());
    }

    private sealed class BreakingStreamClient : IChatClient
    {
        private int _calls;

        public int Calls => _calls;

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("stream only");

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            yield return new ChatResponseUpdate(ChatRole.Assistant, "partial ");
            await Task.Yield();
            throw new InvalidOperationException("stream cut");
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    /// <summary>Asks for lookup_order(order_id: "7") first, then answers with the tool's result.</summary>
    private sealed class ToolCallingClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var result = messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().FirstOrDefault();
            if (result is null)
            {
                Assert.Contains(options!.Tools!, t => t.Name == "lookup_order");
                var call = new FunctionCallContent("call-1", "lookup_order", new Dictionary<string, object?> { ["order_id"] = "7" });
                return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [call])));
            }

            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"The tool said: {result.Result}")));
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
            {
                yield return update;
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
