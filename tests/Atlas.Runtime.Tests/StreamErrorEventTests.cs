using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime.Tests;

/// <summary>
/// A request that fails after its stream opened: the server sends HTTP 200 and then an error event
/// (OpenAI-compatible <c>data: {"error": ...}</c>, Anthropic <c>event: error</c>, an Ollama <c>error</c> line).
/// The provider's message and code reach the error, and a route retries and falls back exactly as it would for
/// the same status before the stream (issue 11, item 28).
/// </summary>
public class StreamErrorEventTests
{
    private const string Key = "sk-wire-test-0123456789";
    private static readonly string[] SecondTokens = ["Second", " provider", " here"];

    public enum ErrorClass
    {
        RateLimit,
        Overloaded,
        ServerError,
        BadRequest,
    }

    public static TheoryData<WireFormat, ErrorClass> Cases()
    {
        var data = new TheoryData<WireFormat, ErrorClass>();
        foreach (var wire in new[] { WireFormat.OpenAI, WireFormat.Anthropic, WireFormat.Ollama })
        {
            foreach (var error in Enum.GetValues<ErrorClass>())
            {
                data.Add(wire, error);
            }
        }

        return data;
    }

    /// <summary>What each service sends for each class: its code (none in Ollama's) and message.</summary>
    private static (string Code, string Message) EventOf(WireFormat wire, ErrorClass error) => (wire.Kind, error) switch
    {
        ("openai_compatible", ErrorClass.RateLimit) => ("rate_limit_exceeded", "Rate limit reached"),
        ("openai_compatible", ErrorClass.Overloaded) => ("server_overloaded", "The server is overloaded"),
        ("openai_compatible", ErrorClass.ServerError) => ("server_error", "The server had an error while processing your request"),
        ("openai_compatible", ErrorClass.BadRequest) => ("context_length_exceeded", "This model's maximum context length is 8192 tokens"),
        ("anthropic", ErrorClass.RateLimit) => ("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
        ("anthropic", ErrorClass.Overloaded) => ("overloaded_error", "Overloaded"),
        ("anthropic", ErrorClass.ServerError) => ("api_error", "Internal server error"),
        ("anthropic", ErrorClass.BadRequest) => ("invalid_request_error", "prompt is too long"),
        (_, ErrorClass.RateLimit) => ("-", "rate limit exceeded, please slow down"),
        (_, ErrorClass.Overloaded) => ("-", "server busy, please try again. maximum pending requests exceeded"),
        (_, ErrorClass.ServerError) => ("-", "model runner has unexpectedly stopped"),
        _ => ("-", "invalid request: the prompt does not fit the context"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ErrorEventMidStream_CarriesTheProvidersMessageAndCode_AndRetriesAndFallsBackLikeItsStatus(WireFormat wire, ErrorClass errorClass)
    {
        var next = wire == WireFormat.OpenAI ? WireFormat.Anthropic : WireFormat.OpenAI;
        var (code, message) = EventOf(wire, errorClass);
        await using var first = await WireServer.StartAsync(async (_, context, ct) =>
        {
            await wire.BeginAsync(context);
            await WireFormat.WriteFrameAsync(context, wire.Frames()[0], ct);
            await WireFormat.WriteFrameAsync(context, wire.ErrorEventFrame(code, message), ct);
            if (wire == WireFormat.OpenAI)
            {
                await WireFormat.WriteFrameAsync(context, "data: [DONE]\n\n", ct);
            }
        });
        await using var second = await WireServer.StartAsync((r, context, ct) => next.ReplyAsync(r, context, SecondTokens, ct));
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("first", first.BaseUrl));
            o.Providers.Add(next.Descriptor("second", second.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["first", "second"], Retry: 1, Timeout: TimeSpan.FromSeconds(20)));
        });
        var events = new ConcurrentQueue<AtlasEvent>();

        var result = await runtime.InvokeAgentAsync(WireFaultTests.Agent("smart"), TestSupport.Args(), runtime.CreateStepContext("ask", events.Enqueue), CancellationToken.None);

        var what = errorClass switch
        {
            ErrorClass.RateLimit => "is rate limited",
            ErrorClass.Overloaded => "is overloaded",
            ErrorClass.ServerError => "had a server error",
            _ => "rejected the request",
        };
        var reason = $"{wire.Kind} provider 'first' {what} (an error event in its stream): {message}{(wire == WireFormat.Ollama ? string.Empty : $" ({code})")}";
        Assert.Equal(string.Concat(SecondTokens), result!.GetValue<string>());
        Assert.Equal(["first", "second"], events.OfType<ProviderSelected>().Select(s => s.Provider));
        Assert.Equal("fallback after first failed: " + reason, events.OfType<ProviderSelected>().Last().Reason);

        // Like the same status before the stream: a server error or an overload is retried, a rate limit is not while
        // another provider can answer, and a bad request is never repeated (each of these falls back).
        var retried = errorClass is ErrorClass.Overloaded or ErrorClass.ServerError;
        Assert.Equal(retried ? 2 : 1, first.Requests.Count);
        Assert.Equal(retried ? [reason] : [], events.OfType<RetryScheduled>().Select(r => r.Reason));
        Assert.Single(second.Requests);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ErrorEventMidStream_OnADirectProvider_IsItsStatus_ForRetriesAndTheCircuit(WireFormat wire, ErrorClass errorClass)
    {
        var (code, message) = EventOf(wire, errorClass);
        await using var server = await WireServer.StartAsync(async (_, context, ct) =>
        {
            await wire.BeginAsync(context);
            await WireFormat.WriteFrameAsync(context, wire.ErrorEventFrame(code, message), ct);
        });
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("wire", server.BaseUrl));
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(WireFaultTests.Agent("wire"), TestSupport.Args(), runtime.CreateStepContext("ask", _ => { }), CancellationToken.None));

        var provider = Assert.IsType<ProviderException>(error.InnerException);
        var status = errorClass switch
        {
            ErrorClass.RateLimit => 429,
            ErrorClass.Overloaded => wire == WireFormat.Ollama ? 503 : 529,
            ErrorClass.ServerError => 500,
            _ => 400,
        };
        Assert.Equal((status, errorClass != ErrorClass.BadRequest), (provider.StatusCode, provider.IsTransient));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task ErrorEventMidStream_ReadAByteAtATime_IsStillRecognised_AndReplyChunksAreNot(WireFormat wire)
    {
        var (code, message) = EventOf(wire, ErrorClass.RateLimit);
        var body = string.Concat(wire.Frames().Take(2)) + wire.ErrorEventFrame(code, message);
        using var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new OneByteAtATime(Encoding.UTF8.GetBytes(body))),
        };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue(wire == WireFormat.Ollama ? "application/x-ndjson" : "text/event-stream");
        var request = new ProviderRequest("wire", wire.Kind, new SecretRedactor(), TimeProvider.System, timeout: null);
        await ProviderResponseStream.WrapAsync(response, CancellationToken.None, request, CancellationToken.None);
        await using var stream = await response.Content.ReadAsStreamAsync();

        // Every byte of the reply's chunks comes through; the read that would complete the error line fails instead.
        var read = new MemoryStream();
        var buffer = new byte[1];
        var error = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            while (await stream.ReadAsync(buffer) > 0)
            {
                read.Write(buffer);
            }
        });

        Assert.Equal(429, error.StatusCode);
        Assert.Equal($"{wire.Kind} provider 'wire' is rate limited (an error event in its stream): {message}{(wire == WireFormat.Ollama ? string.Empty : $" ({code})")}", error.Message);
        Assert.StartsWith(string.Concat(wire.Frames().Take(2)), Encoding.UTF8.GetString(read.ToArray()), StringComparison.Ordinal);
    }

    /// <summary>A body that hands out one byte per read, the way a slow network may.</summary>
    private sealed class OneByteAtATime(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1)], cancellationToken);
    }

    [Theory]
    [MemberData(nameof(WireFormat.All), MemberType = typeof(WireFormat))]
    public async Task BadRequestBeforeTheStream_IsNotRetried_AndFallsBack_AsABadRequestEventDoes(WireFormat wire)
    {
        var next = wire == WireFormat.OpenAI ? WireFormat.Anthropic : WireFormat.OpenAI;
        await using var first = await WireServer.StartAsync((_, context, _) => wire.ErrorAsync(context, 400, "invalid_request_error", "prompt is too long"));
        await using var second = await WireServer.StartAsync((r, context, ct) => next.ReplyAsync(r, context, SecondTokens, ct));
        using var runtime = TestSupport.Runtime(o =>
        {
            o.GetEnvironmentVariable = name => name == "WIRE_KEY" ? Key : null;
            o.Providers.Add(wire.Descriptor("first", first.BaseUrl));
            o.Providers.Add(next.Descriptor("second", second.BaseUrl));
            o.Routes.Add(new RouteDescriptor("smart", RouteStrategy.Fallback, ["first", "second"], Retry: 1, Timeout: TimeSpan.FromSeconds(20)));
        });
        var events = new ConcurrentQueue<AtlasEvent>();

        var result = await runtime.InvokeAgentAsync(WireFaultTests.Agent("smart"), TestSupport.Args(), runtime.CreateStepContext("ask", events.Enqueue), CancellationToken.None);

        Assert.Equal(string.Concat(SecondTokens), result!.GetValue<string>());
        Assert.Equal((1, 1), (first.Requests.Count, second.Requests.Count));
        Assert.Empty(events.OfType<RetryScheduled>());
    }
}
