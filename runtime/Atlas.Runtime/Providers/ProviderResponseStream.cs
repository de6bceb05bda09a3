using System;
using System.Buffers;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>
/// The body of a successful provider response, as the client libraries read it (set up by
/// <see cref="ProviderHttpHandler"/>). Every read:
/// <list type="bullet">
/// <item>observes the call's cancellation token: some libraries read without one (OllamaSharp reads NDJSON
/// lines that way), so a timed-out attempt would otherwise wait forever on a server that stopped sending;</item>
/// <item>has a timeout (<see cref="ProviderRequest.ReadLimit"/>): the provider's declared <c>timeout</c> for the
/// whole request, else <see cref="ProviderLimits.FirstByteTimeout"/> to start and <see cref="ProviderLimits.IdleTimeout"/>
/// between chunks, on the runtime's <see cref="TimeProvider"/>; once it fires the request has timed out, for that
/// read (even one whose bytes came in the same instant) and every later one;</item>
/// <item>counts the bytes: a reply above <see cref="ProviderLimits.MaxReplyBytes"/> (or a line of a stream above
/// <see cref="ProviderLimits.MaxStreamLineBytes"/>) fails, so no library buffers an endless body;</item>
/// <item>in a stream (SSE or NDJSON), spots an error event (OpenAI's <c>data: {"error": ...}</c>, Anthropic's
/// <c>{"type": "error", ...}</c>, Ollama's <c>{"error": "..."}</c>) and fails with the provider's message, code
/// and the status it stands for, before the library sees the line (none of them reports these uniformly).</item>
/// </list>
/// Failures are <see cref="ProviderException"/>s; the libraries pass them on. Owns the original content and disposes it.
/// The call token must be the caller's own: the one a handler's <c>SendAsync</c> gets is HttpClient's linked
/// token, which is disposed (and so never cancelled) once the headers have arrived. Not thread-safe (one reader).
/// </summary>
internal sealed class ProviderResponseStream : Stream
{
    // Enough of a line's start to tell an error event from a reply chunk: `data: {"type": "error"` fits with room to spare.
    private const int HeadBytes = 64;
    private static readonly byte[] DataField = "data:"u8.ToArray();
    private static readonly byte[] ErrorName = "\"error\""u8.ToArray();
    private static readonly byte[] TypeName = "\"type\""u8.ToArray();

    private readonly Stream _inner;
    private readonly HttpContent _owner;
    private readonly CancellationToken _call;
    private readonly ProviderRequest _request;
    private readonly bool _streamed;
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenRegistration _callRegistration;
    private long _total;

    // The line being read (streams only): its length, its first bytes, and whether it is an error event.
    private readonly byte[]? _head;
    private int _headLength;
    private int _lineLength;
    private LineKind _line;
    private ArrayBufferWriter<byte>? _error;

    private ProviderResponseStream(Stream inner, HttpContent owner, CancellationToken call, ProviderRequest request, bool streamed)
    {
        _inner = inner;
        _owner = owner;
        _call = call;
        _request = request;
        _streamed = streamed;
        _head = streamed ? new byte[HeadBytes] : null;
        _timer = new CancellationTokenSource(Timeout.InfiniteTimeSpan, request.Time);
        if (call.CanBeCanceled)
        {
            _callRegistration = call.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _timer);
        }
    }

    private enum LineKind
    {
        Undecided,
        Reply,
        Error,
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Gives <paramref name="response"/> a body read this way; the headers stay.</summary>
    public static async Task WrapAsync(HttpResponseMessage response, CancellationToken call, ProviderRequest request, CancellationToken headersToken)
    {
        var original = response.Content;
        var mediaType = original.Headers.ContentType?.MediaType;
        var streamed = string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase)
            || string.Equals(mediaType, "application/x-ndjson", StringComparison.OrdinalIgnoreCase);
        if (original.Headers.ContentLength > ProviderLimits.MaxReplyBytes)
        {
            throw request.TooLarge();
        }

        var stream = await original.ReadAsStreamAsync(headersToken).ConfigureAwait(false);
        var content = new StreamContent(new ProviderResponseStream(stream, original, call, request, streamed));
        foreach (var header in original.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = content;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // A timer that fired stays fired, and no read reaches the connection again: the timer may have torn it down.
        var limit = _timer.IsCancellationRequested ? TimeSpan.Zero : _request.ReadLimit();
        if (limit <= TimeSpan.Zero)
        {
            throw TimedOut();
        }

        _timer.CancelAfter(limit);
        int read;
        try
        {
            if (!cancellationToken.CanBeCanceled || cancellationToken == _call)
            {
                read = await _inner.ReadAsync(buffer, _timer.Token).ConfigureAwait(false);
            }
            else
            {
                using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timer.Token);
                read = await _inner.ReadAsync(buffer, both.Token).ConfigureAwait(false);
            }
        }
        catch (Exception) when (_timer.IsCancellationRequested && !_call.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The timer tore the connection down: whatever the read then threw (a cancellation, an IOException,
            // an ObjectDisposedException from the socket) says only that.
            throw _request.Expired();
        }

        _call.ThrowIfCancellationRequested();

        // Stopped between reads: the caller's own time is not the provider's. The timer may have fired as the read
        // completed, and HttpClient's connection, which registers each read's token to tear itself down, still returns
        // the bytes it had: the next read would meet a disposed socket. The wait took its whole limit, so it fails.
        _timer.CancelAfter(Timeout.InfiniteTimeSpan);
        if (_timer.IsCancellationRequested)
        {
            throw TimedOut();
        }

        Inspect(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        // The libraries read asynchronously; a synchronous read still gets the limits, but no timer.
        _call.ThrowIfCancellationRequested();
        if (_timer.IsCancellationRequested)
        {
            throw TimedOut();
        }

        var read = _inner.Read(buffer, offset, count);
        Inspect(buffer.AsSpan(offset, read));
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _callRegistration.Dispose();
            _timer.Dispose();
            _inner.Dispose();
            _owner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Why a read can't go on once the timer fired: the caller's cancellation (which fires it too), else the timeout.</summary>
    private ProviderException TimedOut()
    {
        _call.ThrowIfCancellationRequested();
        return _request.Expired();
    }

    /// <summary>Counts what was read and, in a stream, follows its lines; an end of the body (0 bytes) ends the last line.</summary>
    private void Inspect(ReadOnlySpan<byte> data)
    {
        if (data.Length > 0)
        {
            _request.ReplyStarted = true;
        }

        _total += data.Length;
        if (_total > ProviderLimits.MaxReplyBytes)
        {
            throw _request.TooLarge();
        }

        if (!_streamed)
        {
            return;
        }

        if (data.Length == 0)
        {
            EndLine();
            return;
        }

        while (data.Length > 0)
        {
            var newline = data.IndexOf((byte)'\n');
            var part = newline < 0 ? data : data[..newline];
            LineContent(part);
            if (newline < 0)
            {
                return;
            }

            EndLine();
            data = data[(newline + 1)..];
        }
    }

    private void LineContent(ReadOnlySpan<byte> part)
    {
        _lineLength += part.Length;
        if (_lineLength > ProviderLimits.MaxStreamLineBytes)
        {
            throw _request.Error($"sent a line longer than {ProviderLimits.FormatBytes(ProviderLimits.MaxStreamLineBytes)} in its stream");
        }

        if (_line == LineKind.Undecided)
        {
            var take = Math.Min(HeadBytes - _headLength, part.Length);
            part[..take].CopyTo(_head.AsSpan(_headLength));
            _headLength += take;
            part = part[take..];
            _line = Classify(_head.AsSpan(0, _headLength), final: _headLength == HeadBytes);
            if (_line == LineKind.Error)
            {
                _error = new ArrayBufferWriter<byte>();
                _error.Write(_head.AsSpan(0, _headLength));
            }
        }

        if (_line == LineKind.Error && _error!.WrittenCount < ProviderLimits.MaxErrorBodyBytes)
        {
            _error.Write(part[..Math.Min(part.Length, ProviderLimits.MaxErrorBodyBytes - _error.WrittenCount)]);
        }
    }

    private void EndLine()
    {
        if (_line == LineKind.Undecided && _headLength > 0)
        {
            _line = Classify(_head.AsSpan(0, _headLength), final: true);
            if (_line == LineKind.Error)
            {
                _error = new ArrayBufferWriter<byte>();
                _error.Write(_head.AsSpan(0, _headLength));
            }
        }

        var error = _line == LineKind.Error ? _error : null;
        _line = LineKind.Undecided;
        _headLength = 0;
        _lineLength = 0;
        _error = null;
        if (error is not null)
        {
            throw ErrorEvent(error.WrittenSpan);
        }
    }

    /// <summary>The provider's error event as a failure: its message and code, and the status it stands for.</summary>
    private ProviderException ErrorEvent(ReadOnlySpan<byte> line)
    {
        var text = Payload(line);
        var (message, code) = ProviderErrors.Parse(Encoding.UTF8.GetString(text));
        var status = ProviderErrors.StatusOf(code, message);
        var detail = code is null ? message : $"{message} ({code})";
        return _request.Error($"{ProviderErrors.Describe(status)} (an error event in its stream): {detail}", status);
    }

    /// <summary>
    /// Whether a line is an error event, from its first bytes: after an SSE <c>data:</c> field name, an object whose
    /// first member is <c>"error"</c> (not null) or <c>"type": "error"</c>. Undecided while too few bytes have come.
    /// </summary>
    private static LineKind Classify(ReadOnlySpan<byte> head, bool final)
    {
        // A line cut inside its field name ("dat") may still be a data line.
        var result = head.Length < DataField.Length && DataField.AsSpan().StartsWith(head) ? LineKind.Undecided : ClassifyCore(Payload(head));
        return result == LineKind.Undecided && final ? LineKind.Reply : result;
    }

    private static LineKind ClassifyCore(ReadOnlySpan<byte> s)
    {
        if (!Expect(ref s, "{"u8, out var more))
        {
            return more ? LineKind.Undecided : LineKind.Reply;
        }

        if (Expect(ref s, ErrorName, out more))
        {
            if (!Expect(ref s, ":"u8, out more))
            {
                return more ? LineKind.Undecided : LineKind.Reply;
            }

            SkipSpace(ref s);
            return s.Length == 0 ? LineKind.Undecided : s[0] == (byte)'n' ? LineKind.Reply : LineKind.Error;
        }

        if (more)
        {
            return LineKind.Undecided;
        }

        if (!Expect(ref s, TypeName, out more) || !Expect(ref s, ":"u8, out more))
        {
            return more ? LineKind.Undecided : LineKind.Reply;
        }

        return Expect(ref s, ErrorName, out more) ? LineKind.Error : more ? LineKind.Undecided : LineKind.Reply;
    }

    /// <summary>Skips white space, then <paramref name="literal"/>; <paramref name="more"/> says the text ended inside it.</summary>
    private static bool Expect(ref ReadOnlySpan<byte> s, ReadOnlySpan<byte> literal, out bool more)
    {
        SkipSpace(ref s);
        var n = Math.Min(s.Length, literal.Length);
        if (!s[..n].SequenceEqual(literal[..n]))
        {
            more = false;
            return false;
        }

        more = n < literal.Length;
        if (more)
        {
            return false;
        }

        s = s[n..];
        return true;
    }

    private static void SkipSpace(ref ReadOnlySpan<byte> s)
    {
        var i = 0;
        while (i < s.Length && s[i] is (byte)' ' or (byte)'\t' or (byte)'\r')
        {
            i++;
        }

        s = s[i..];
    }

    /// <summary>An SSE line without its <c>data:</c> field name; an NDJSON line as it is.</summary>
    private static ReadOnlySpan<byte> Payload(ReadOnlySpan<byte> line) =>
        line.StartsWith(DataField) ? line[DataField.Length..] : line;
}
