using System;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Knowledge.Tests;

/// <summary>
/// A server posing as ChromaDB that answers every request with an endless body: the store reads at most
/// <see cref="ChromaKnowledgeStore.MaxErrorDetailBytes"/> of an error and <see cref="ChromaKnowledgeStore.MaxReplyBytes"/>
/// of a reply, and fails with one message instead of buffering gigabytes.
/// </summary>
public sealed class ChromaReplyLimitTests
{
    [Fact]
    public async Task ErrorStatus_WithAnEndlessBody_FailsWithTheStartOfTheBodyOnly()
    {
        await using var server = EndlessServer.Start("500 Internal Server Error");
        var store = new ChromaKnowledgeStore(new Uri(server.Url), "handbook");

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var error = await Assert.ThrowsAsync<KnowledgeStoreUnavailableException>(() => store.ReadInfoAsync());
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Contains("HTTP 500", error.Message);
        Assert.Contains("xxxx", error.Message);
        Assert.True(error.Message.Length < ChromaKnowledgeStore.MaxErrorDetailBytes + 1024, $"message of {error.Message.Length} chars");
        Assert.True(allocated < 16L * 1024 * 1024, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public async Task SuccessfulReply_LargerThanTheLimit_FailsSayingSo()
    {
        await using var server = EndlessServer.Start("200 OK");
        var store = new ChromaKnowledgeStore(new Uri(server.Url), "handbook");

        var error = await Assert.ThrowsAsync<KnowledgeStoreUnavailableException>(() => store.ReadInfoAsync());

        Assert.Contains("larger than 64 MB", error.Message);
        Assert.True(server.BytesSent < 4L * ChromaKnowledgeStore.MaxReplyBytes, $"the server sent {server.BytesSent:N0} bytes");
    }

    /// <summary>Answers each connection with the status, chunked encoding, and 'x' until the client goes away (at most 1 GB).</summary>
    private sealed class EndlessServer : IAsyncDisposable
    {
        private readonly RawHttpServer _server;
        private long _bytesSent;

        private EndlessServer(string status) => _server = RawHttpServer.Start((stream, stop) => AnswerAsync(stream, status, stop));

        public string Url => _server.Url;

        public long BytesSent => Interlocked.Read(ref _bytesSent);

        public static EndlessServer Start(string status) => new(status);

        public ValueTask DisposeAsync() => _server.DisposeAsync();

        private async Task AnswerAsync(NetworkStream stream, string status, CancellationToken stop)
        {
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            var payload = new string('x', 64 * 1024);
            var chunk = Encoding.ASCII.GetBytes($"{payload.Length:X}\r\n{payload}\r\n");
            await stream.WriteAsync(head, stop);
            for (var i = 0; i < 16 * 1024 && !stop.IsCancellationRequested; i++)
            {
                await stream.WriteAsync(chunk, stop);
                Interlocked.Add(ref _bytesSent, chunk.Length);
            }
        }
    }
}
