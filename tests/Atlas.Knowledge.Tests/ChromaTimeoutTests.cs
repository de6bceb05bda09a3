using System;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Knowledge.Tests;

/// <summary>
/// A server posing as ChromaDB that stalls: every request to it ends within the store's request timeout with one line
/// naming the server and what the store was doing, never as a hang or a cancellation the caller did not ask for
/// (a <see cref="TaskCanceledException"/> reads as "the run was cancelled" to whoever calls the store).
/// </summary>
public sealed class ChromaTimeoutTests
{
    public enum Operation
    {
        ReadInfo,
        DeleteCollection,
    }

    [Theory]
    [InlineData(Operation.ReadInfo, true, "read the collection")]
    [InlineData(Operation.ReadInfo, false, "read the collection")]
    [InlineData(Operation.DeleteCollection, false, "delete the collection")]
    public async Task Request_ToAServerThatStalls_FailsWithinTheRequestTimeout(Operation operation, bool headersFirst, string what)
    {
        // Stalling mid-reply, after the headers, is past where HttpClient's own Timeout ends: only the store's bound ends it.
        await using var server = StallingServer.Start(headersFirst);
        var store = new ChromaKnowledgeStore(new Uri(server.Url), "handbook") { RequestTimeout = TimeSpan.FromMilliseconds(300) };

        var error = await Assert.ThrowsAsync<KnowledgeStoreUnavailableException>(() => Run(store, operation).WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal($"ChromaDB at {server.Url} (collection 'handbook') could not {what}: no reply within 0.3s", error.Message);
    }

    [Fact]
    public async Task Request_WhoseHttpClientTimesOut_FailsWithOneLine_NotAsACancellation()
    {
        await using var server = StallingServer.Start(headersFirst: false);
        using var http = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };
        var store = new ChromaKnowledgeStore(new Uri(server.Url), "handbook", http);

        var error = await Assert.ThrowsAsync<KnowledgeStoreUnavailableException>(() => store.ReadInfoAsync().WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.StartsWith($"ChromaDB at {server.Url} (collection 'handbook') could not read the collection: The request was canceled due to the configured HttpClient.Timeout of 0.3 seconds elapsing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_CancelledByTheCaller_IsACancellation()
    {
        await using var server = StallingServer.Start(headersFirst: true);
        var store = new ChromaKnowledgeStore(new Uri(server.Url), "handbook");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.ReadInfoAsync(cancel.Token).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static Task Run(ChromaKnowledgeStore store, Operation operation) => operation switch
    {
        Operation.ReadInfo => store.ReadInfoAsync(),
        _ => store.DeleteCollectionAsync(),
    };

    /// <summary>Reads each request's head, then says nothing, or sends a 200's headers and the start of a body first.</summary>
    private static class StallingServer
    {
        public static RawHttpServer Start(bool headersFirst) => RawHttpServer.Start(async (stream, stop) =>
        {
            if (headersFirst)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{\"\r\n"), stop);
            }

            await Task.Delay(Timeout.Infinite, stop);
        });
    }
}
