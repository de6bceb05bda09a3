using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Cli.Commands;

/// <summary>
/// The lines of a JSON-lines stream as UTF-8 bytes, each at most a limit long: a longer line is skipped without being
/// held in memory (<see cref="IsTooLong"/>), so memory stays bounded whatever the file. Not thread-safe; owns the stream.
/// </summary>
internal sealed class JsonLineReader(Stream stream, int limit) : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private byte[] _buffer = new byte[ChunkSize];
    private int _start, _end; // the unread bytes are _buffer[_start.._end)
    private int _scanned;     // _buffer[_start.._scanned) holds no '\n'
    private bool _endOfStream;
    private bool _atStart = true;

    /// <summary>The 1-based number of the current line.</summary>
    public long LineNumber { get; private set; }

    /// <summary>The current line without its line ending; valid until the next <see cref="ReadAsync"/>. Empty when <see cref="IsTooLong"/>.</summary>
    public ReadOnlyMemory<byte> Line { get; private set; }

    /// <summary>The current line was longer than the limit; its bytes were skipped.</summary>
    public bool IsTooLong { get; private set; }

    /// <summary>The current line holds only spaces and tabs (JSON's whitespace).</summary>
    public bool IsBlank => !IsTooLong && Line.Span.IndexOfAnyExcept((byte)' ', (byte)'\t', (byte)'\r') < 0;

    /// <summary>Moves to the next line; false at the end of the stream.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        IsTooLong = false;
        while (true)
        {
            var newline = _buffer.AsSpan(_scanned, _end - _scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var end = _scanned + newline;
                Take(end, end + 1);
                return true;
            }

            _scanned = _end;
            if (_end - _start > limit)
            {
                await SkipLineAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }

            if (_endOfStream)
            {
                if (_start == _end) return false;
                Take(_end, _end); // a last line with no line ending
                return true;
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => stream.Dispose();

    private void Take(int end, int next)
    {
        var line = _buffer.AsMemory(_start, end - _start);
        if (line.Span is [.., (byte)'\r']) line = line[..^1];
        if (_atStart && line.Span is [0xEF, 0xBB, 0xBF, ..]) line = line[3..]; // a UTF-8 byte-order mark
        _atStart = false;
        Line = line;
        LineNumber++;
        _start = _scanned = next;
    }

    /// <summary>Drops the current line's bytes up to and including its '\n' (or the end of the stream).</summary>
    private async Task SkipLineAsync(CancellationToken cancellationToken)
    {
        LineNumber++;
        IsTooLong = true;
        Line = ReadOnlyMemory<byte>.Empty;
        _atStart = false;
        while (true)
        {
            _start = _scanned = _end = 0;
            if (_endOfStream) return;
            await FillAsync(cancellationToken).ConfigureAwait(false);
            var newline = _buffer.AsSpan(0, _end).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                _start = _scanned = newline + 1;
                return;
            }
        }
    }

    /// <summary>Reads more bytes after the unread ones, moving them to the front or growing the buffer (up to just over the limit).</summary>
    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _scanned -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length) Array.Resize(ref _buffer, (int)Math.Min(_buffer.Length * 2L, limit + (long)ChunkSize));
        var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0) _endOfStream = true;
        _end += read;
    }
}
