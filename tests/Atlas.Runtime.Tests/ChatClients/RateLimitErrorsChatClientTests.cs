using System;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Atlas.Runtime.Tests.ChatClients;

public class RateLimitErrorsChatClientTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RateLimitErrors_ALibrarysOwn429_BecomesProviderRateLimited_WithItsWait_OtherErrorsPassUnchanged(bool streamed)
    {
        var refused = new LibraryError(429);
        using var client = new RateLimitErrorsChatClient(new StubChatClient((n, _) => Task.FromException<ChatResponse>(n == 0 ? refused : new LibraryError(500))), "mine", [new LibraryReader()]);

        var error = await Assert.ThrowsAsync<ProviderRateLimitedException>(() => Ask(client, streamed));
        var other = await Assert.ThrowsAsync<LibraryError>(() => Ask(client, streamed));

        Assert.Equal(("provider 'mine' refused the call for now: slow down", TimeSpan.FromSeconds(7)), (error.Message, error.RetryAfter));
        Assert.Same(refused, error.InnerException);
        Assert.Equal(500, other.Status);
    }

    [Fact]
    public async Task AHostsOwnOpenAIClient_Refused_FallsBackAtOnce_AsTheRuntimesOwnClientWould()
    {
        await using var first = await WireServer.StartAsync((r, context, ct) => WireFormat.OpenAI.FailAsync(WireFault.RateLimited, r, context, ct));
        await using var second = await WireServer.StartAsync((r, context, ct) => WireFormat.OpenAI.ReplyAsync(r, context, ["hi"], ct));
        var hosts = new OpenAIClientOptions { Endpoint = new Uri(first.BaseUrl + "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) };
        using var hostsClient = new OpenAI.Chat.ChatClient("test-model", new ApiKeyCredential("sk-host"), hosts).AsIChatClient();
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? "sk-wire" : null;
            o.ChatClients["first"] = hostsClient;
            o.Providers.Add(WireFormat.OpenAI.Descriptor("second", second.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["first", "second"], Retry: 1));
        });
        var events = new ConcurrentQueue<AtlasEvent>();
        var agent = new AgentDescriptor("helper", [], "string", null, "smart", TestSupport.Template("hi"));

        var reply = await runtime.InvokeAgentAsync(agent, TestSupport.Args(), runtime.CreateStepContext("ask", events.Enqueue), CancellationToken.None);

        // A rate-limited provider is not retried while another can answer: one request to the host's client, no retry.
        Assert.Equal("hi", reply!.GetValue<string>());
        Assert.Equal((1, 1), (first.Requests.Count, second.Requests.Count));
        Assert.Empty(events.OfType<RetryScheduled>());
        Assert.StartsWith("fallback after first failed: provider 'first' refused the call for now: ", events.OfType<ProviderSelected>().Single(e => e.Provider == "second").Reason, StringComparison.Ordinal);
    }

    private static async Task Ask(IChatClient client, bool streamed)
    {
        if (streamed)
        {
            await client.GetStreamingResponseAsync("hi").ToChatResponseAsync();
        }
        else
        {
            await client.GetResponseAsync("hi");
        }
    }

    /// <summary>A client library's own error type, with the HTTP status it reports.</summary>
    private sealed class LibraryError(int status) : Exception("slow down")
    {
        public int Status { get; } = status;
    }

    /// <summary>The factory of that library's kind: it knows a 429 of its error type, and the wait it carries.</summary>
    private sealed class LibraryReader : ProviderClientFactory
    {
        public override IChatClient CreateChatClient(ProviderClientContext context) => throw new NotSupportedException();

        public override ProviderFailure? DescribeFailure(Exception error) =>
            error is LibraryError { Status: 429 } ? new ProviderFailure(ProviderFailureKind.RateLimited, error.Message) { RetryAfter = TimeSpan.FromSeconds(7) } : null;
    }
}
