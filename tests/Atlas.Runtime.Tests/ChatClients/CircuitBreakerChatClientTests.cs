using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;

namespace Atlas.Runtime.Tests.ChatClients;

public class CircuitBreakerChatClientTests
{
    private static readonly CircuitBreakerSettings Settings = new(FailureRatio: 0.5, MinimumThroughput: 2, SamplingDuration: TimeSpan.FromSeconds(10), BreakDuration: TimeSpan.FromSeconds(5));

    [Fact]
    public async Task CircuitBreaker_RepeatedFailures_OpenIt_ThenCallsFailAtOnce_AndTheCircuitSaysWhy()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var circuit = new ProviderCircuit(Settings, time);
        var inner = new StubChatClient((_, _) => Task.FromException<ChatResponse>(new HttpRequestException("connection refused")));
        using var client = new CircuitBreakerChatClient(inner, circuit);

        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));
        Assert.Equal(2, inner.Calls);
        Assert.Equal("circuit open for 5s more after repeated failures (last: connection refused)", circuit.OpenReason());

        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Null(circuit.OpenReason());
        Assert.Equal("circuit half-open: a trial call after repeated failures", circuit.Note());
    }

    [Fact]
    public async Task CircuitBreaker_AStreamThatBreaks_CountsAsAFailure_APieceAtATime()
    {
        var circuit = new ProviderCircuit(Settings, TimeProvider.System);
        using var client = new CircuitBreakerChatClient(new BreakingStream(), circuit);

        for (var i = 0; i < 2; i++)
        {
            var pieces = new List<string>();
            await Assert.ThrowsAsync<HttpRequestException>(async () =>
            {
                await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
                {
                    pieces.Add(update.Text);
                }
            });
            Assert.Equal(["first piece"], pieces);
        }

        Assert.StartsWith("circuit open", circuit.OpenReason(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CircuitBreaker_RequestFaults_AndTheCallersCancellation_DoNotCount()
    {
        var circuit = new ProviderCircuit(Settings, TimeProvider.System);
        using var picky = new CircuitBreakerChatClient(new StubChatClient((_, _) => Task.FromException<ChatResponse>(new ProviderException("p", "bad request", statusCode: 400))), circuit);
        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAsync<ProviderException>(() => picky.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));
        }

        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        using var slow = new CircuitBreakerChatClient(new StubChatClient(async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return null!; }), circuit);
        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], cancellationToken: cancel.Token));
        }

        Assert.Null(circuit.OpenReason());
    }

    /// <summary>A stream that sends one piece, then loses its connection.</summary>
    private sealed class BreakingStream : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, "first piece");
            await Task.Yield();
            throw new HttpRequestException("connection reset");
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
