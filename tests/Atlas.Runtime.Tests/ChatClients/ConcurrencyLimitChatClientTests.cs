using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests.ChatClients;

public class ConcurrencyLimitChatClientTests
{
    [Fact]
    public async Task ConcurrencyLimit_LetsThatManyRequestsIn_TheOthersWaitTheirTurn()
    {
        var active = 0;
        var most = 0;
        var inner = new StubChatClient(async (_, ct) =>
        {
            var now = Interlocked.Increment(ref active);
            InterlockedMax(ref most, now);
            await Task.Delay(50, ct);
            Interlocked.Decrement(ref active);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"));
        });
        using var client = new ConcurrencyLimitChatClient(inner, "slow", maxConcurrency: 2);

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")])));

        Assert.Equal(2, most);
        Assert.Equal(6, inner.Calls);
    }

    [Fact]
    public async Task ConcurrencyLimit_AStream_HoldsItsSlotUntilItsLastPiece()
    {
        using var client = new ConcurrencyLimitChatClient(new StubChatClient(), "slow", maxConcurrency: 1);

        var stream = client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync());

        var second = client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);
        await Task.Delay(100);
        Assert.False(second.IsCompleted);

        while (await stream.MoveNextAsync())
        {
        }

        await stream.DisposeAsync();
        Assert.Equal("Hello from the stub", (await second.WaitAsync(TimeSpan.FromSeconds(5))).Text);
    }

    [Fact]
    public async Task ConcurrencyLimit_AWaitingRequest_IsCancelledByItsToken()
    {
        var gate = new TaskCompletionSource<ChatResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = new ConcurrencyLimitChatClient(new StubChatClient((_, _) => gate.Task), "slow", maxConcurrency: 1);
        var first = client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);
        using var cancel = new CancellationTokenSource();

        var waiting = client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], cancellationToken: cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        gate.SetResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        await first;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
