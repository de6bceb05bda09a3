using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Polly.Timeout;

namespace Atlas.Runtime.Tests.ChatClients;

public class TimeoutChatClientTests
{
    private static readonly ResilienceRunner Resilience = new(TimeProvider.System);

    [Fact]
    public async Task Timeout_AnAttemptThatTakesLonger_IsCancelled_AndFailsWithPollysTimeout()
    {
        var cancelled = false;
        var inner = new StubChatClient(async (_, ct) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
                throw;
            }

            return null!;
        });
        using var client = new TimeoutChatClient(inner, Resilience, TimeProvider.System, TimeSpan.FromMilliseconds(100));

        var error = await Assert.ThrowsAsync<TimeoutRejectedException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));

        Assert.True(cancelled);
        Assert.Equal("timed out after 100ms", RunContext.Describe(error));
    }

    [Fact]
    public async Task Timeout_AStreamThatStalls_FailsWithPollysTimeout_AfterItsPieces()
    {
        using var client = new TimeoutChatClient(new StallingStream(), Resilience, TimeProvider.System, TimeSpan.FromMilliseconds(100));
        var pieces = new List<string>();

        var error = await Assert.ThrowsAsync<TimeoutRejectedException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
            {
                pieces.Add(update.Text);
            }
        });

        Assert.Equal(["first piece"], pieces);
        Assert.Equal(TimeSpan.FromMilliseconds(100), error.Timeout);
    }

    [Fact]
    public async Task Timeout_TheCallersCancellation_IsACancellation_NotATimeout()
    {
        using var client = new TimeoutChatClient(new StallingStream(), Resilience, TimeProvider.System, TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], cancellationToken: cancel.Token))
            {
            }
        });
        var whole = new TimeoutChatClient(new StubChatClient(async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return null!; }), Resilience, TimeProvider.System, TimeSpan.FromSeconds(30));
        using var cancelWhole = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => whole.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], cancellationToken: cancelWhole.Token));
    }

    /// <summary>A stream that sends one piece, then nothing until it is cancelled.</summary>
    private sealed class StallingStream : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, "first piece");
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
