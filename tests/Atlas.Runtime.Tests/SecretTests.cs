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
            o.Routes.Add(new RouteDescriptor("route", "fallback", ["wire"]));
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
