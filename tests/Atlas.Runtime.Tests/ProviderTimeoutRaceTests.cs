using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Atlas.Runtime.Tests;

/// <summary>
/// Every timed-out provider request ends in a <see cref="ProviderException"/> naming the provider, never in a raw
/// <see cref="ObjectDisposedException"/> or <see cref="TaskCanceledException"/>. First, a timeout that fires in the
/// instant a read's bytes arrive: HttpClient's HTTP/1.1 connection registers each read's cancellation token to tear
/// itself down, and a read whose bytes were already in still returns them, so the read after it meets a disposed
/// socket (under load this surfaced as a raw <see cref="ObjectDisposedException"/>). <see cref="RacingConnection"/>
/// behaves the same way and lets the test fire the timer exactly in that window, which a real socket leaves to chance.
/// Then a timeout inside the client library, which it reports as a cancellation nobody asked for.
/// </summary>
public class ProviderTimeoutRaceTests
{
    public enum Limit
    {
        Declared,
        FirstByte,
        Idle,
    }

    [Theory]
    [InlineData(Limit.Declared, 1, "openai_compatible provider 'wire' did not finish its reply within its timeout of 1s")]
    [InlineData(Limit.FirstByte, 100, "openai_compatible provider 'wire' did not start its reply within 100s")]
    [InlineData(Limit.Idle, 30, "openai_compatible provider 'wire' sent nothing for 30s in the middle of its reply")]
    public async Task Read_WhoseBytesArriveAsItsTimeoutFires_FailsWithTheTimeout_AndSoDoesEveryLaterRead(Limit limit, int seconds, string message)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var connection = new RacingConnection();
        var descriptor = new ProviderDescriptor("wire", ProviderKind.OpenAICompatible, "test-model", Endpoint: "http://127.0.0.1/v1", Timeout: limit == Limit.Declared ? TimeSpan.FromSeconds(seconds) : null);
        using var http = new HttpClient(new ProviderHttpHandler(descriptor, new SecretRedactor(), time, connection));
        using var response = await http.GetAsync("http://127.0.0.1/v1/chat/completions", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64];
        if (limit == Limit.Idle)
        {
            // The reply starts in time; the 30 s of silence count from the next read.
            var first = body.ReadAsync(buffer).AsTask();
            connection.Arrive("data: {}\n");
            Assert.Equal(9, await first);
        }

        var read = body.ReadAsync(buffer).AsTask();
        connection.Arrive("data: late\n", whileTheReadIsStillRegistered: () => time.Advance(TimeSpan.FromSeconds(seconds)));

        // A library reads on after the bytes it got, so the read after them is where the disposed socket showed.
        var error = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await read;
            _ = await body.ReadAsync(buffer);
        });
        Assert.Equal(message, error.Message);
        Assert.True(connection.TornDown);
        Assert.True(read.IsFaulted, "The read whose wait took the whole limit fails, though its bytes came.");
        var again = await Assert.ThrowsAsync<ProviderException>(() => body.ReadAsync(buffer).AsTask());
        Assert.Equal(message, again.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LibraryTimeout_TheCallerDidNotAskFor_FailsNamingTheProvider_NotAsACancellation(bool streamed)
    {
        // What HttpClient throws when its own Timeout fires: a TaskCanceledException, though nobody cancelled.
        const string text = "The request was canceled due to the configured HttpClient.Timeout of 600 seconds elapsing.";
        using var guard = new ProviderErrorsChatClient(new ScriptedChatClient((_, _, _, _) => throw new TaskCanceledException(text, new TimeoutException())), "wire", "openai", new SecretRedactor());

        var error = await Assert.ThrowsAsync<ProviderException>(() => Ask(guard, streamed, CancellationToken.None));

        Assert.Equal($"openai provider 'wire' timed out: {text}", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Call_CancelledByTheCaller_StaysACancellation(bool streamed)
    {
        using var cancel = new CancellationTokenSource();
        using var guard = new ProviderErrorsChatClient(new ScriptedChatClient(async (_, _, _, ct) =>
        {
            await cancel.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return "never";
        }), "wire", "openai", new SecretRedactor());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Ask(guard, streamed, cancel.Token));
    }

    private static async Task Ask(IChatClient client, bool streamed, CancellationToken cancellationToken)
    {
        if (streamed)
        {
            await client.GetStreamingResponseAsync("hi", cancellationToken: cancellationToken).ToChatResponseAsync(cancellationToken);
        }
        else
        {
            await client.GetResponseAsync("hi", cancellationToken: cancellationToken);
        }
    }

    /// <summary>
    /// A 200 reply whose body reads like SocketsHttpHandler's HTTP/1.1 connection: a read registers its token for
    /// the time it waits, and the registration tears the connection down; a read that waits when that happens fails
    /// with an <see cref="OperationCanceledException"/>; a read whose bytes came still returns them; any read after
    /// the tear-down meets the disposed socket (<see cref="ObjectDisposedException"/>).
    /// </summary>
    private sealed class RacingConnection : HttpMessageHandler
    {
        private readonly BodyStream _body;

        public RacingConnection() => _body = new BodyStream(this);

        public bool TornDown { get; private set; }

        private TaskCompletionSource<(byte[] Bytes, Action? Window)>? Waiting { get; set; }

        /// <summary>Hands bytes to the read that waits; <paramref name="whileTheReadIsStillRegistered"/> runs before it returns them.</summary>
        public void Arrive(string text, Action? whileTheReadIsStillRegistered = null)
        {
            var waiting = Waiting ?? throw new InvalidOperationException("No read is waiting.");
            Waiting = null;
            waiting.SetResult((Encoding.UTF8.GetBytes(text), whileTheReadIsStillRegistered));
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new StreamContent(_body);
            content.Headers.ContentType = new("application/json");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }

        private sealed class BodyStream(RacingConnection connection) : Stream
        {
            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position
            {
                get => throw new NotSupportedException();
                set => throw new NotSupportedException();
            }

            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            {
                if (connection.TornDown)
                {
                    throw new ObjectDisposedException(typeof(NetworkStream).FullName);
                }

                var waiting = new TaskCompletionSource<(byte[] Bytes, Action? Window)>(TaskCreationOptions.RunContinuationsAsynchronously);
                connection.Waiting = waiting;
                using var registration = cancellationToken.Register(() =>
                {
                    connection.TornDown = true;
                    waiting.TrySetException(new ObjectDisposedException(typeof(NetworkStream).FullName));
                });
                try
                {
                    var (bytes, window) = await waiting.Task;
                    window?.Invoke();
                    bytes.CopyTo(buffer);
                    return bytes.Length;
                }
                catch (ObjectDisposedException disposed) when (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException("The operation was canceled.", disposed, cancellationToken);
                }
            }

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}
