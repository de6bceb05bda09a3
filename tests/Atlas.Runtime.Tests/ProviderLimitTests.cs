using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Atlas.Runtime.Tests;

/// <summary>Tests that measure the process's allocations run alone, so no other test's allocations count.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasured
{
    public const string Name = "allocation measured";
}

/// <summary>
/// Every read from a provider has a size limit and every wait a timeout (issue 11, items 5 and 7): an endless
/// error body, a huge reply, a server that never answers, sends only a status line, drips a byte a second or
/// stalls mid-stream each end the request with one line naming the provider and the limit, in bounded memory.
/// </summary>
[Collection(AllocationMeasured.Name)]
public class ProviderLimitTests
{
    private const string Key = "sk-wire-test-0123456789";
    private readonly ITestOutputHelper _output;

    public ProviderLimitTests(ITestOutputHelper output) => _output = output;

    public enum Stall
    {
        NeverAnswers,
        StatusLineOnly,
        DripsAByteASecond,
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task ErrorStatus_WithAnEndlessBody_FailsWithOneLine_ReadingOnlyItsStart(WireFormat wire)
    {
        // "Endless": 256 MB, far more than anything should read (reading it whole took 4 GB of RSS for a longer one).
        var chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
        await using var server = await WireServer.StartAsync(async (_, context, ct) =>
        {
            context.Response.StatusCode = 500;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"error\":{\"message\":\"", ct);
            for (var sent = 0L; sent < 256L * 1024 * 1024; sent += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk, ct);
            }
        });
        using var runtime = Runtime(wire.Descriptor("wire", server.BaseUrl));

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(WireFaultTests.Agent("wire"), TestSupport.Args(), null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        _output.WriteLine($"{wire.Kind}: failed after {clock.ElapsedMilliseconds} ms, {allocated / (1024 * 1024)} MB allocated");

        Assert.StartsWith($"No provider of provider 'wire' could answer: wire: {wire.Kind} provider 'wire' answered HTTP 500 (Internal Server Error): {{\"error\":{{\"message\":\"xxxx", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("x....", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.InRange(error.Message.Length, 2000, 2300);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.InRange(allocated, 0, 64L * 1024 * 1024);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task WholeReply_Of50MB_FailsAtTheLimit_InBoundedMemory(WireFormat wire)
    {
        var huge = Encoding.UTF8.GetBytes(wire.WholeReply(new string('y', 50 * 1024 * 1024)));
        await using var server = await WireServer.StartAsync(async (_, context, ct) =>
        {
            // Chunked, no Content-Length: the limit has to be found by counting.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(huge, ct);
        });
        using var runtime = Runtime(wire.Descriptor("wire", server.BaseUrl));

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(WireFaultTests.Agent("wire"), TestSupport.Args(), null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        _output.WriteLine($"{wire.Kind}: {allocated / (1024 * 1024)} MB allocated");

        Assert.Equal($"No provider of provider 'wire' could answer: wire: {wire.Kind} provider 'wire' sent a reply larger than 32 MB.", error.Message);
        Assert.InRange(allocated, 0, 200L * 1024 * 1024);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task StreamedReply_ThatNeverEnds_FailsAt32MB(WireFormat wire)
    {
        var token = new string('z', 8 * 1024);
        await using var server = await WireServer.StartAsync(async (_, context, ct) =>
        {
            await wire.BeginAsync(context);
            var frame = wire.Frames([token]).First(f => f.Contains(token, StringComparison.Ordinal));
            for (var i = 0; i < 100_000; i++)
            {
                await context.Response.WriteAsync(frame, ct);
            }
        });
        using var runtime = Runtime(wire.Descriptor("wire", server.BaseUrl));

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(WireFaultTests.Agent("wire"), TestSupport.Args(), runtime.CreateStepContext("ask", _ => { }), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));
        _output.WriteLine($"{wire.Kind}: {(GC.GetTotalAllocatedBytes(precise: true) - before) / (1024 * 1024)} MB allocated");

        Assert.Equal($"No provider of provider 'wire' could answer: wire: {wire.Kind} provider 'wire' sent a reply larger than 32 MB.", error.Message);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task StreamedReply_WithA5MBLine_FailsAtTheLineLimit(WireFormat wire)
    {
        await using var server = await WireServer.StartAsync(async (_, context, ct) =>
        {
            await wire.BeginAsync(context);
            await WireFormat.WriteFrameAsync(context, wire.Frames()[0], ct);
            var line = new string('w', 5 * 1024 * 1024);
            await WireFormat.WriteFrameAsync(context, wire.Frames([line]).First(f => f.Contains(line, StringComparison.Ordinal)), ct);
            foreach (var frame in wire.Frames().Skip(1))
            {
                await WireFormat.WriteFrameAsync(context, frame, ct);
            }
        });
        using var runtime = Runtime(wire.Descriptor("wire", server.BaseUrl));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(WireFaultTests.Agent("wire"), TestSupport.Args(), runtime.CreateStepContext("ask", _ => { }), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Equal($"No provider of provider 'wire' could answer: wire: {wire.Kind} provider 'wire' sent a line longer than 4 MB in its stream.", error.Message);
    }

    public static TheoryData<WireFormat, Stall, bool> StallCases()
    {
        var data = new TheoryData<WireFormat, Stall, bool>();
        foreach (var wire in new[] { WireFormat.OpenAI, WireFormat.Anthropic, WireFormat.Ollama })
        {
            foreach (var stall in Enum.GetValues<Stall>())
            {
                data.Add(wire, stall, true);
                data.Add(wire, stall, false);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(StallCases))]
    public async Task DirectProvider_WithATimeout_ThatStalls_FailsWithinIt_NamingTheProviderAndTheTimeout(WireFormat wire, Stall stall, bool streamed)
    {
        await using var server = await StallingServer.StartAsync(wire, stall);
        using var runtime = Runtime(wire.Descriptor("wire", server.BaseUrl) with { Timeout = TimeSpan.FromSeconds(1) });
        var clock = Stopwatch.StartNew();

        // Observed, the call streams; unobserved, it asks for one whole reply.
        var step = runtime.CreateStepContext("ask", streamed ? _ => { } : null);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(WireFaultTests.Agent("wire"), TestSupport.Args(), step, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal($"No provider of provider 'wire' could answer: wire: {wire.Kind} provider 'wire' did not finish its reply within its timeout of 1s.", error.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(4));
        Assert.Equal(1, server.Requests);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task DirectProvider_WithoutATimeout_ThatNeverAnswers_FailsAfterTheDefault100s(WireFormat wire)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
        await using var server = await WireServer.StartAsync((_, _, ct) => Task.Delay(Timeout.Infinite, ct));
        using var runtime = Runtime(wire.Descriptor("wire", server.BaseUrl), time);

        var call = runtime.InvokeAgentAsync(WireFaultTests.Agent("wire"), TestSupport.Args(), null, CancellationToken.None);
        await TestSupport.WaitUntil(() => server.Requests.Count == 1);
        time.Advance(TimeSpan.FromSeconds(99));
        await Task.Delay(100);
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal($"No provider of provider 'wire' could answer: wire: {wire.Kind} provider 'wire' did not start its reply within 100s.", error.Message);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task DirectProvider_WithoutATimeout_ThatStallsMidStream_FailsAfter30sOfSilence(WireFormat wire)
    {
        var time = new WatchedTimeProvider();
        var frames = wire.Frames();
        var lastToken = JsonSerializer.Serialize(WireFormat.Tokens[^1]);
        await using var server = await WireServer.StartAsync(async (_, context, ct) =>
        {
            // Every token, then silence: no finish, no end of the stream.
            await wire.BeginAsync(context);
            foreach (var frame in frames.Take(frames.ToList().FindLastIndex(f => f.Contains(lastToken, StringComparison.Ordinal)) + 1))
            {
                await WireFormat.WriteFrameAsync(context, frame, ct);
            }

            await Task.Delay(Timeout.Infinite, ct);
        });
        using var runtime = Runtime(wire.Descriptor("wire", server.BaseUrl), time);
        var text = new StringBuilder();
        var step = runtime.CreateStepContext("ask", e =>
        {
            if (e is TokenEmitted token)
            {
                lock (text)
                {
                    text.Append(token.Text);
                }
            }
        });

        var call = runtime.InvokeAgentAsync(WireFaultTests.Agent("wire"), TestSupport.Args(), step, CancellationToken.None);

        // Once every token is in, the only timer left to arm is the one of the read that waits for more: the 30 s
        // count from when that read began, which is when it armed its timer.
        await TestSupport.WaitUntil(() =>
        {
            lock (text)
            {
                return text.ToString() == string.Concat(WireFormat.Tokens);
            }
        }, 10_000);
        await TestSupport.WaitUntil(() => time.Armed == 1, 10_000);
        time.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(100);
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal($"No provider of provider 'wire' could answer: wire: {wire.Kind} provider 'wire' sent nothing for 30s in the middle of its reply.", error.Message);
    }

    private static AtlasRuntime Runtime(ProviderDescriptor provider, TimeProvider? time = null) =>
        TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(provider);
            if (time is not null)
            {
                o.TimeProvider = time;
            }
        });

    /// <summary>
    /// A raw TCP server that reads a request and then stalls: says nothing, sends only <c>HTTP/1.1 200 OK</c>, or
    /// sends a whole valid reply (streamed if asked) one byte a second.
    /// </summary>
    private sealed class StallingServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _requests;

        private StallingServer(TcpListener listener, Func<string, NetworkStream, CancellationToken, Task> respond)
        {
            _listener = listener;
            _loop = Task.Run(async () =>
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

                    _ = Task.Run(async () =>
                    {
                        using (client)
                        {
                            try
                            {
                                var stream = client.GetStream();
                                var request = await ReadRequestAsync(stream, _stop.Token);
                                Interlocked.Increment(ref _requests);
                                await respond(request, stream, _stop.Token);
                            }
                            catch (Exception ex) when (ex is OperationCanceledException or System.IO.IOException or SocketException)
                            {
                                // The client went away (its timeout) or the server is stopping.
                            }
                        }
                    });
                }
            });
        }

        public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public int Requests => Volatile.Read(ref _requests);

        public static Task<StallingServer> StartAsync(WireFormat wire, Stall stall)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return Task.FromResult(new StallingServer(listener, async (body, stream, ct) =>
            {
                switch (stall)
                {
                    case Stall.NeverAnswers:
                        break;
                    case Stall.StatusLineOnly:
                        await stream.WriteAsync("HTTP/1.1 200 OK\r\n"u8.ToArray(), ct);
                        break;
                    case Stall.DripsAByteASecond:
                        var streamed = wire.WantsStream(body.Replace(" ", string.Empty, StringComparison.Ordinal));
                        var content = streamed ? string.Concat(wire.Frames()) : wire.WholeReply();
                        var type = streamed ? (wire == WireFormat.Ollama ? "application/x-ndjson" : "text/event-stream") : "application/json";
                        var head = $"HTTP/1.1 200 OK\r\nContent-Type: {type}\r\nContent-Length: {Encoding.UTF8.GetByteCount(content)}\r\n\r\n";
                        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), ct);
                        foreach (var b in Encoding.UTF8.GetBytes(content))
                        {
                            await stream.WriteAsync(new[] { b }, ct);
                            await Task.Delay(1000, ct);
                        }

                        return;
                }

                await Task.Delay(Timeout.Infinite, ct);
            }));
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            _stop.Dispose();
        }

        /// <summary>The request's body (after its headers, as long as its Content-Length says).</summary>
        private static async Task<string> ReadRequestAsync(NetworkStream stream, CancellationToken ct)
        {
            var received = new System.IO.MemoryStream();
            var buffer = new byte[8192];
            while (true)
            {
                var read = await stream.ReadAsync(buffer, ct);
                if (read == 0)
                {
                    return string.Empty;
                }

                received.Write(buffer, 0, read);
                var text = Encoding.UTF8.GetString(received.ToArray());
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end < 0)
                {
                    continue;
                }

                var headers = text[..end].Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
                var body = text[(end + 4)..];
                var complete = headers.TryGetValue("Content-Length", out var length)
                    ? Encoding.UTF8.GetByteCount(body) >= int.Parse(length, System.Globalization.CultureInfo.InvariantCulture)
                    : !headers.ContainsKey("Transfer-Encoding") || body.EndsWith("0\r\n\r\n", StringComparison.Ordinal);
                if (complete)
                {
                    return body;
                }
            }
        }
    }
}
