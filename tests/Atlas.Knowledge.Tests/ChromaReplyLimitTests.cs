using System;
using System.Net;
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
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private long _bytesSent;

        private EndlessServer(TcpListener listener, string status)
        {
            _listener = listener;
            _loop = Task.Run(() => ServeAsync(status));
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public long BytesSent => Interlocked.Read(ref _bytesSent);

        public static EndlessServer Start(string status)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return new EndlessServer(listener, status);
        }

        private async Task ServeAsync(string status)
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                _ = Task.Run(() => AnswerAsync(client, status));
            }
        }

        private async Task AnswerAsync(TcpClient client, string status)
        {
            using (client)
            {
                var stream = client.GetStream();
                // The request's head (these are GETs, with no body).
                var seen = new StringBuilder();
                var buffer = new byte[4096];
                while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0) return;
                    seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
                var payload = new string('x', 64 * 1024);
                var chunk = Encoding.ASCII.GetBytes($"{payload.Length:X}\r\n{payload}\r\n");
                try
                {
                    await stream.WriteAsync(head, _stop.Token);
                    for (var i = 0; i < 16 * 1024 && !_stop.IsCancellationRequested; i++)
                    {
                        await stream.WriteAsync(chunk, _stop.Token);
                        Interlocked.Add(ref _bytesSent, chunk.Length);
                    }
                }
                catch (Exception e) when (e is System.IO.IOException or OperationCanceledException or SocketException)
                {
                    // The client stopped reading and closed: what the test wants.
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            await _loop;
            _stop.Dispose();
        }
    }
}
