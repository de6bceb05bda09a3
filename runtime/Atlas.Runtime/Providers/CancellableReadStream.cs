using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>
/// A response body whose reads always observe the call's cancellation token. Some client libraries
/// read a stream without passing a token (OllamaSharp reads NDJSON lines that way), so a timed-out
/// attempt would wait forever on a server that stopped sending; with this, the read is aborted and
/// the attempt ends. Owns the original content and disposes it.
/// The token must be the caller's own: the one a handler's <c>SendAsync</c> gets is HttpClient's
/// linked token, which is disposed (and so never cancelled) once the headers have arrived.
/// </summary>
internal sealed class CancellableReadStream : Stream
{
    private readonly Stream _inner;
    private readonly HttpContent _owner;
    private readonly CancellationToken _call;

    private CancellableReadStream(Stream inner, HttpContent owner, CancellationToken call)
    {
        _inner = inner;
        _owner = owner;
        _call = call;
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

    /// <summary>Gives <paramref name="response"/> a body whose reads observe <paramref name="call"/>; the headers stay.</summary>
    public static async Task WrapAsync(HttpResponseMessage response, CancellationToken call)
    {
        if (!call.CanBeCanceled)
        {
            return;
        }

        var original = response.Content;
        var stream = await original.ReadAsStreamAsync(call).ConfigureAwait(false);
        var content = new StreamContent(new CancellableReadStream(stream, original, call));
        foreach (var header in original.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = content;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!cancellationToken.CanBeCanceled || cancellationToken == _call)
        {
            return await _inner.ReadAsync(buffer, _call).ConfigureAwait(false);
        }

        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _call);
        return await _inner.ReadAsync(buffer, both.Token).ConfigureAwait(false);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        _call.ThrowIfCancellationRequested();
        return _inner.Read(buffer, offset, count);
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
            _inner.Dispose();
            _owner.Dispose();
        }

        base.Dispose(disposing);
    }
}
