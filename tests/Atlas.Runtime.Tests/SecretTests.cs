using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime.Tests;

/// <summary>
/// A distinctive API key, servers that echo it back in their error bodies, and every place text
/// leaves the runtime: events (as JSON), exceptions (with their inner exceptions), status.
/// </summary>
public class SecretTests
{
    private const string Secret = "sk-atlas-SECRET-9f8e7d6c5b4a";

    private sealed class Holder
    {
        public string? Answer { get; set; }
    }

    [Theory]
    [InlineData("openai_compatible", 401)]
    [InlineData("anthropic", 401)]
    [InlineData("ollama", 401)]
    [InlineData("openai_compatible", 500)]
    [InlineData("anthropic", 500)]
    [InlineData("ollama", 500)]
    public async Task Key_EchoedByAFailingServer_AppearsNowhere(string kind, int status)
    {
        var wire = new[] { WireFormat.OpenAI, WireFormat.Anthropic, WireFormat.Ollama }.Single(w => w.Kind == kind);
        await using var server = await WireServer.StartAsync((r, context, _) =>
            wire.ErrorAsync(context, status, "authentication_error", $"Invalid key: {r.Authorization} {r.ApiKey}; request headers: {r.Headers}"));
        using var runtime = WireFaultTests.Runtime(wire, server, retry: 1, key: Secret);
        var graph = Graph();

        var events = await TestSupport.Collect(runtime, graph, new Holder());
        var failure = await Assert.ThrowsAsync<WorkflowFailedException>(() => runtime.RunAsync(graph, new Holder(), h => h.Answer, CancellationToken.None));
        var direct = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(WireFaultTests.Agent("wire"), TestSupport.Args(), null, CancellationToken.None));

        Assert.Contains(server.Requests, r => wire.SentKey(r) == Secret);
        var texts = events.Select(AtlasEventJson.SerializeEvent)
            .Append(failure.ToString())
            .Append(direct.ToString())
            .Append(runtime.GetProviderStatus("wire").ToString())
            .ToList();
        foreach (var text in texts)
        {
            Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        }

        // The server's message still shows, with the key blanked: the error stays useful.
        var failed = Assert.Single(events.OfType<StepFailed>());
        Assert.Contains($"{kind} provider 'wire' answered HTTP {status}", failed.Error, StringComparison.Ordinal);
        Assert.Contains("Invalid key: ", failed.Error, StringComparison.Ordinal);
        Assert.Contains(SecretRedactor.Mask, failed.Error, StringComparison.Ordinal);

        // A bad key is not retried (3 runs, one request each); a 500 is (up to two each, until the circuit opens after 5).
        Assert.Equal(status == 401 ? 3 : 5, server.Requests.Count);
    }

    [Theory]
    [InlineData("openai_compatible")]
    [InlineData("anthropic")]
    [InlineData("ollama")]
    public async Task EndpointCredentials_QuotedByAFailingServer_AppearNowhere(string kind)
    {
        // A proxy that quotes the URL it was configured with, credentials and all.
        var wire = new[] { WireFormat.OpenAI, WireFormat.Anthropic, WireFormat.Ollama }.Single(w => w.Kind == kind);
        string? quoted = null;
        await using var server = await WireServer.StartAsync((_, context, _) =>
            wire.ErrorAsync(context, 502, "bad_gateway", $"upstream of {quoted} failed (user admin:hunter2, password hunter2)"));
        var endpoint = server.BaseUrl.Replace("http://", "http://admin:hunter2@", StringComparison.Ordinal);
        quoted = endpoint;
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Secret : null;
            o.Providers.Add(wire.Descriptor("wire", endpoint));
            o.Routes.Add(new RouteDescriptor("route", RouteStrategy.Fallback, ["wire"]));
        });
        var graph = Graph();

        var events = await TestSupport.Collect(runtime, graph, new Holder());
        var direct = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(WireFaultTests.Agent("wire"), TestSupport.Args(), null, CancellationToken.None));

        Assert.NotEmpty(server.Requests);
        foreach (var text in events.Select(AtlasEventJson.SerializeEvent).Append(direct.ToString()))
        {
            Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        }

        Assert.Contains("upstream of http://***@127.0.0.1:", direct.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://admin:hunter2@127.0.0.1:1/v1", "http://***@127.0.0.1:1/v1")]
    [InlineData("https://user@example.com", "https://***@example.com")]
    [InlineData("http://a:b@host/path?next=x@y", "http://***@host/path?next=x@y")]
    [InlineData("http://127.0.0.1:11434/", "http://127.0.0.1:11434/")]
    [InlineData("not a url @ all", "not a url @ all")]
    public void EndpointDisplay_DropsTheUserInformationOnly(string endpoint, string shown)
    {
        Assert.Equal(shown, EndpointDisplay.Display(endpoint));
    }

    [Fact]
    public void Redactor_EndpointCredentials_AnyLength_BecomeTheMaskInAQuotedUrl()
    {
        var secrets = new SecretRedactor();
        secrets.AddEndpoint("http://a:b@host:1/");
        secrets.AddEndpoint("http://admin:hunter2@host:2/");

        Assert.Equal("GET http://***@host:1/v1 and http://***@host:2/x (password [redacted])", secrets.Redact("GET http://a:b@host:1/v1 and http://admin:hunter2@host:2/x (password hunter2)"));
    }

    [Fact]
    public void Redactor_BlanksEveryKey_LongestFirst_AndIgnoresTooShortValues()
    {
        var secrets = new SecretRedactor();
        secrets.Add("abc");
        secrets.Add("key-123456");
        secrets.Add("key-123456-long");

        Assert.Equal("a abc [redacted] and [redacted]", secrets.Redact("a abc key-123456-long and key-123456"));
        Assert.False(secrets.Contains("abc"));
    }

    public static TheoryData<WireFormat, string, string[]> EchoCases()
    {
        var data = new TheoryData<WireFormat, string, string[]>();
        foreach (var wire in new[] { WireFormat.OpenAI, WireFormat.Anthropic, WireFormat.Ollama })
        {
            data.Add(wire, "one piece", ["Your key is ", Secret, ", keep it safe."]);
            data.Add(wire, "split in two", ["Your key is sk-atlas-SEC", "RET-9f8e7d6c5b4a, keep it safe."]);
            data.Add(wire, "split in three", ["Your key is sk-at", "las-SECRET-9f8", "e7d6c5b4a"]);
            data.Add(wire, "at the very end", ["Your key is sk-atlas-", "SECRET-9f8e7d6c5b4a"]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EchoCases))]
    public async Task Key_EchoedInAStreamedReply_EvenSplitAcrossPieces_IsInNoTokenChunkOrResult(WireFormat wire, string how, string[] pieces)
    {
        _ = how;
        await using var server = await WireServer.StartAsync((r, context, ct) => wire.ReplyAsync(r, context, pieces, ct));
        using var runtime = WireFaultTests.Runtime(wire, server, retry: 0, key: Secret);
        var events = new List<AtlasEvent>();
        var step = runtime.CreateStepContext("ask", events.Add);
        var expected = string.Concat(pieces).Replace(Secret, SecretRedactor.Mask, StringComparison.Ordinal);

        var result = (await runtime.InvokeAgentAsync(WireFaultTests.Agent("wire"), TestSupport.Args(), step, CancellationToken.None))!.GetValue<string>();
        var chunks = new List<string>();
        await foreach (var chunk in runtime.StreamAgentAsync(WireFaultTests.Agent("wire"), TestSupport.Args(), null, CancellationToken.None))
        {
            chunks.Add(chunk);
        }

        Assert.All(server.Requests, r => Assert.True(wire.Streams(r)));
        Assert.Equal(expected, result);
        Assert.Equal(expected, string.Concat(events.OfType<TokenEmitted>().Select(t => t.Text)));
        Assert.Equal(expected, string.Concat(chunks));
        Assert.All(events.OfType<TokenEmitted>().Select(t => t.Text).Concat(chunks), t => Assert.False(SharesAPieceOfTheKey(t), t));
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task Key_EchoedInAWholeReply_IsNotInTheResult(WireFormat wire)
    {
        await using var server = await WireServer.StartAsync((r, context, ct) => wire.ReplyAsync(r, context, ["Your key is ", Secret, "."], ct));
        using var runtime = WireFaultTests.Runtime(wire, server, retry: 0, key: Secret);

        // No observer and no caller taking pieces: the reply is not streamed.
        var result = (await runtime.InvokeAgentAsync(WireFaultTests.Agent("wire"), TestSupport.Args(), null, CancellationToken.None))!.GetValue<string>();

        Assert.False(wire.Streams(Assert.Single(server.Requests)));
        Assert.Equal("Your key is [redacted].", result);
    }

    [Fact]
    public async Task Key_EchoedInAStructuredReply_IsBlankedInTheValue_WhichStillParses()
    {
        var wire = WireFormat.OpenAI;
        await using var server = await WireServer.StartAsync((r, context, ct) => wire.ReplyAsync(r, context, ["{\"note\":\"key ", Secret[..10], Secret[10..] + "\"}"], ct));
        using var runtime = WireFaultTests.Runtime(wire, server, retry: 0, key: Secret);
        var agent = new AgentDescriptor("helper", [], "Note", """{"type":"object","properties":{"note":{"type":"string"}},"required":["note"]}""", "wire", TestSupport.Template("hello"));
        var events = new List<AtlasEvent>();

        var result = await runtime.InvokeAgentAsync(agent, TestSupport.Args(), runtime.CreateStepContext("ask", events.Add), CancellationToken.None);

        Assert.Equal("key [redacted]", (string?)result!["note"]);
        Assert.DoesNotContain(Secret, string.Concat(events.Select(AtlasEventJson.SerializeEvent)), StringComparison.Ordinal);
    }

    [Fact]
    public void StreamRedactor_HoldsBackOnlyAnEndThatCouldStartAKey_AndFlushesItAtTheEnd()
    {
        var secrets = new SecretRedactor();
        secrets.Add(Secret);
        var stream = secrets.StartStream()!;

        Assert.Equal("no key here", stream.Push("no key here"));
        Assert.Equal("almost ", stream.Push("almost sk-atl"));
        Assert.Equal("sk-atlas but not quite", stream.Push("as but not quite"));
        Assert.Equal("then ", stream.Push("then s"));
        Assert.Equal("[redacted] done", stream.Push("k-atlas-SECRET-9f8e7d6c5b4a done"));
        Assert.Equal("end ", stream.Push("end sk-atlas-SECRET-9f8e7d6c5b4"));
        Assert.Equal("sk-atlas-SECRET-9f8e7d6c5b4", stream.Flush());
        Assert.Equal("", stream.Flush());
        Assert.Null(new SecretRedactor().StartStream());
    }

    /// <summary>Whether <paramref name="text"/> holds 6 or more characters of the key in a row (a piece of it that leaked).</summary>
    private static bool SharesAPieceOfTheKey(string text)
    {
        for (var i = 0; i + 6 <= Secret.Length; i++)
        {
            if (text.Contains(Secret.Substring(i, 6), StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static WorkflowGraph<Holder> Graph()
    {
        var agent = WireFaultTests.Agent("route");
        return new WorkflowGraphBuilder<Holder>("secret_flow")
            .Step("ask", [], async (state, step, ct) =>
            {
                var answer = await step.Runtime.InvokeAgentAsync(agent, new Dictionary<string, System.Text.Json.Nodes.JsonNode?>(), step, ct);
                state.Answer = answer!.GetValue<string>();
            })
            .Build(["ask"]);
    }
}
