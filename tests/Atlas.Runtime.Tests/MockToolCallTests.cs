using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests;

/// <summary>The mock calls every offered function once, with schema-valid arguments, then answers; its new events serialize.</summary>
public class MockToolCallTests
{
    private static readonly DateTimeOffset At = new(2025, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private enum Priority
    {
        Low,
        High,
    }

    private static (AIFunction Function, List<string> Calls) Recorder()
    {
        var calls = new List<string>();
        var function = ReadOnlyTools.Mark(AIFunctionFactory.Create(
            (string order_id, int quantity, Priority priority) =>
            {
                calls.Add($"{order_id}|{quantity}|{priority}");
                return "shipped";
            },
            "lookup_order"));
        return (function, calls);
    }

    private static List<ChatMessage> Prompt() => [new ChatMessage(ChatRole.User, "Where is order A-7731?")];

    [Fact]
    public async Task FirstTurn_AsksForEveryOfferedFunctionOnce_WithSchemaValidArguments()
    {
        var (lookup, _) = Recorder();
        var other = ReadOnlyTools.Mark(AIFunctionFactory.Create(() => "ok", "ping"));
        var mock = new MockChatClient();

        var response = await mock.GetResponseAsync(Prompt(), new ChatOptions { Tools = [lookup, other] });

        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(["lookup_order", "ping"], calls.Select(c => c.Name));
        Assert.Equal(calls.Count, calls.Select(c => c.CallId).Distinct().Count());
        var arguments = calls[0].Arguments!;
        Assert.Equal(JsonValueKind.String, ((JsonElement)arguments["order_id"]!).ValueKind);
        Assert.Equal(JsonValueKind.Number, ((JsonElement)arguments["quantity"]!).ValueKind);
        Assert.True(response.Usage!.OutputTokenCount > 0);

        var again = await mock.GetResponseAsync(Prompt(), new ChatOptions { Tools = [lookup, other] });
        Assert.Equal(
            calls.Select(c => JsonSerializer.Serialize(c.Arguments)),
            again.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => JsonSerializer.Serialize(c.Arguments)));
    }

    [Fact]
    public async Task ThroughFunctionInvokingChatClient_CallsTheToolOnce_ThenAnswers()
    {
        var (lookup, calls) = Recorder();
        using var client = new FunctionInvokingChatClient(new MockChatClient());

        var response = await client.GetResponseAsync(Prompt(), new ChatOptions { Tools = [lookup] });

        var call = Assert.Single(calls);
        Assert.Matches(@"^.+\|-?\d+\|(Low|High)$", call);
        Assert.EndsWith("(consulted lookup_order)", response.Text);
    }

    [Fact]
    public async Task Streaming_ThroughFunctionInvokingChatClient_SameCallsAndAnswer()
    {
        var (lookup, calls) = Recorder();
        using var client = new FunctionInvokingChatClient(new MockChatClient());

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Prompt(), new ChatOptions { Tools = [lookup] })) updates.Add(update);
        var streamed = updates.ToChatResponse().Text;

        var (lookup2, calls2) = Recorder();
        var whole = await client.GetResponseAsync(Prompt(), new ChatOptions { Tools = [lookup2] });
        Assert.Equal(calls2, calls);
        Assert.Equal(whole.Text, streamed);
    }

    [Fact]
    public async Task NotReadOnly_IsRecordedAsInformational_NeverInvoked_StreamingOrNot()
    {
        var (lookup, calls) = Recorder();
        var writes = 0;
        var write = AIFunctionFactory.Create((string path) => { writes++; return "written"; }, "write_file");
        using var client = new FunctionInvokingChatClient(new MockChatClient());

        var whole = await client.GetResponseAsync(Prompt(), new ChatOptions { Tools = [write, lookup] });
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Prompt(), new ChatOptions { Tools = [write, lookup] })) updates.Add(update);

        Assert.Equal(0, writes);
        Assert.Equal(2, calls.Count);
        Assert.EndsWith("(consulted lookup_order; would call write_file (not read-only: not called offline))", whole.Text);
        Assert.Equal(whole.Text, updates.ToChatResponse().Text);
        var recorded = Assert.Single(whole.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>(), c => c.Name == "write_file");
        Assert.True(recorded.InformationalOnly);
        Assert.DoesNotContain(whole.Messages.SelectMany(m => m.Contents), c => c is FunctionResultContent r && r.CallId == recorded.CallId);
    }

    [Fact]
    public async Task OnlyNotReadOnly_AnswersAtOnce_WithTheRecordedCallsBesideTheText()
    {
        var write = AIFunctionFactory.Create((string path) => "written", "write_file");

        var response = await new MockChatClient().GetResponseAsync(Prompt(), new ChatOptions { Tools = [write] });

        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.True(Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()).InformationalOnly);
        Assert.EndsWith("(would call write_file (not read-only: not called offline))", response.Text);
    }

    [Fact]
    public async Task WithoutTools_AnswersAtOnce()
    {
        var response = await new MockChatClient().GetResponseAsync(Prompt());

        Assert.Empty(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.DoesNotContain("consulted", response.Text);
    }

    [Fact]
    public void DelegationAndToolEvents_SerializeAsSnakeCaseLines_AndRoundTrip()
    {
        Assert.Equal(
            """{"type":"delegation_started","from":"dispatcher","to":"billing","arguments":"{\u0022task\u0022:\u0022refund\u0022}","depth":1,"run_id":"r","step":"s","timestamp":"2025-05-01T12:00:00+00:00"}""",
            AtlasEventJson.SerializeEvent(new DelegationStarted("r", "s", At, "dispatcher", "billing", """{"task":"refund"}""", 1)));

        AtlasEvent[] events =
        [
            new DelegationStarted("r", "s", At, "a", "b", "{}", 2),
            new DelegationCompleted("r", "s", At, "a", "b", 2, TimeSpan.FromMilliseconds(30), new Usage(5, 6, 0.01m), false, "refused"),
            new DelegationCompleted("r", "s", At, "a", "b", 1, TimeSpan.FromMilliseconds(30), new Usage(5, 6, 0), true, null),
            new ToolCalled("r", "s", At, "a", "lookup", """{"id":"1"}""", TimeSpan.FromMilliseconds(3), true, null),
            new ToolCalled("r", "s", At, "a", "page", """{"team":"x"}""", TimeSpan.Zero, false, "not called", Called: false),
        ];
        foreach (var e in events)
        {
            var line = AtlasEventJson.SerializeEvent(e);
            Assert.Equal(e, AtlasEventJson.DeserializeEvent(line));
        }

        Assert.StartsWith("""{"type":"delegation_completed","from":"a","to":"b","depth":2,""", AtlasEventJson.SerializeEvent(events[1]));
        Assert.StartsWith("""{"type":"tool_called","agent":"a","tool":"lookup",""", AtlasEventJson.SerializeEvent(events[3]));
    }
}
