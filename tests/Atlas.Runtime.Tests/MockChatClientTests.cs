using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Json.Schema;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests;

public class MockChatClientTests
{
    private static ChatOptions JsonOptions(string schema) =>
        new() { ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse(schema).RootElement.Clone(), "Triage") };

    [Fact]
    public async Task Mock_SameInput_SameReply_OtherInput_OtherReply()
    {
        using var client = new MockChatClient();
        var a1 = await client.GetResponseAsync("Subject: refund for order 42");
        var a2 = await client.GetResponseAsync("Subject: refund for order 42");
        var b = await client.GetResponseAsync("Subject: the app crashes on login");

        Assert.Equal(a1.Text, a2.Text);
        Assert.NotEqual(a1.Text, b.Text);
        Assert.Contains("Subject refund for order 42", a1.Text);
        Assert.True(a1.Usage!.InputTokenCount > 0);
        Assert.True(a1.Usage.OutputTokenCount > 0);
    }

    [Fact]
    public async Task Mock_JsonSchemaFormat_ReturnsValidDeterministicJson()
    {
        using var client = new MockChatClient();
        var schema = JsonSchema.FromText(TestSupport.TriageSchema);
        foreach (var prompt in new[] { "Subject: refund", "Subject: crash on start", "Angry customer wants a call back", "x" })
        {
            var reply = await client.GetResponseAsync(prompt, JsonOptions(TestSupport.TriageSchema));
            using var document = JsonDocument.Parse(reply.Text);
            var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(result.IsValid, reply.Text);
            var tags = document.RootElement.GetProperty("tags").GetArrayLength();
            Assert.InRange(tags, 1, 3);
            Assert.InRange(document.RootElement.GetProperty("urgency").GetInt32(), 1, 5);
            Assert.Equal(reply.Text, (await client.GetResponseAsync(prompt, JsonOptions(TestSupport.TriageSchema))).Text);
        }
    }

    [Fact]
    public async Task Mock_JsonArrayOfRecursiveType_Terminates()
    {
        const string schema = """
            { "type": "array", "items": { "$ref": "#/$defs/Node" },
              "$defs": { "Node": { "type": "object", "properties": { "name": { "type": "string" }, "children": { "type": "array", "items": { "$ref": "#/$defs/Node" } } }, "required": ["name", "children"] } } }
            """;
        using var client = new MockChatClient();
        var reply = await client.GetResponseAsync("tree", JsonOptions(schema));
        using var document = JsonDocument.Parse(reply.Text);
        Assert.True(JsonSchema.FromText(schema).Evaluate(document.RootElement).IsValid, reply.Text);
    }

    [Fact]
    public async Task Mock_Streaming_YieldsWordsWithLatencyBetweenThem()
    {
        var time = new WatchedTimeProvider();
        var latency = TimeSpan.FromMilliseconds(20);
        using var client = new MockChatClient(latency: latency, timeProvider: time);
        var expected = (await new MockChatClient().GetResponseAsync("Subject: refund for order 42")).Text;
        var tokens = MockChatClient.Tokens(expected).ToList();
        Assert.True(tokens.Count > 3);

        var received = new ConcurrentQueue<string>();
        UsageDetails? usage = null;
        var reading = Task.Run(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("Subject: refund for order 42"))
            {
                if (update.Text.Length > 0)
                {
                    received.Enqueue(update.Text);
                }

                usage ??= update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details;
            }
        });

        for (var i = 1; i <= tokens.Count; i++)
        {
            // Wait for the reader to ask for the next word: the mock's delay starts then, and the clock moves from there.
            await TestSupport.WaitUntil(() => time.Armed == 1);
            Assert.Equal(i - 1, received.Count);
            time.Advance(latency - TimeSpan.FromMilliseconds(1));
            await Task.Delay(10);
            Assert.Equal(i - 1, received.Count);
            time.Advance(TimeSpan.FromMilliseconds(1));
            await TestSupport.WaitUntil(() => received.Count == i);
        }

        await reading.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(expected, string.Concat(received));
        Assert.NotNull(usage);
        Assert.Equal((expected.Length + 3) / 4, usage!.OutputTokenCount);
    }

    [Fact]
    public async Task Mock_Streaming_MatchesNonStreamingReply()
    {
        using var client = new MockChatClient();
        var response = await client.GetStreamingResponseAsync("Explain the refund policy").ToChatResponseAsync();
        Assert.Equal((await client.GetResponseAsync("Explain the refund policy")).Text, response.Text);
        Assert.NotNull(response.Usage);
    }
}
