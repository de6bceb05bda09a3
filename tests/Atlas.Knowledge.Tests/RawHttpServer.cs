using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Knowledge.Tests;

/// <summary>
/// A server posing as ChromaDB at the socket level, for replies no real server sends (one that stalls, one that never
/// ends): it reads each request's head, then hands the connection to <c>answer</c>. A client that gives up mid-answer,
/// or the server stopping, ends that connection quietly.
/// </summary>
internal sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<NetworkStream, CancellationToken, Task> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private RawHttpServer(TcpListener listener, Func<NetworkStream, CancellationToken, Task> answer)
    {
        _listener = listener;
        _answer = answer;
        _loop = Task.Run(ServeAsync);
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Starts on a free port of 127.0.0.1; <paramref name="answer"/> writes the reply after the request's head was read.</summary>
    public static RawHttpServer Start(Func<NetworkStream, CancellationToken, Task> answer)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new RawHttpServer(listener, answer);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }

    private async Task ServeAsync()
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

            _ = Task.Run(() => AnswerAsync(client));
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                // The request's head (the store's requests here have no body worth reading).
                var seen = new StringBuilder();
                var buffer = new byte[4096];
                while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0) return;
                    seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                await _answer(stream, _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
                // The client gave up (its timeout or its limit) or the server is stopping.
            }
        }
    }
}
