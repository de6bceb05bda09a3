using System;
using System.IO;
using System.Text;
using System.Threading.Tasks;

namespace Atlas.Cli.Commands;

/// <summary>
/// Where a batch's result lines go: a file, written without a buffer so that each <see cref="Write"/> of whole lines
/// reaches the file at once (a run stopped at any point leaves no line cut), or stdout, flushed after each write.
/// </summary>
internal sealed class BatchOutput : IAsyncDisposable
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);
    private readonly FileStream? _file;
    private readonly string? _path;
    private readonly TextWriter? _writer;
    private byte[] _bytes = [];

    private BatchOutput(FileStream? file, string? path, TextWriter? writer)
    {
        _file = file;
        _path = path;
        _writer = writer;
    }

    /// <summary>The file at <paramref name="path"/> (created or truncated), or stdout for null.</summary>
    /// <exception cref="UsageException">The file cannot be created.</exception>
    public static BatchOutput Open(string? path, CliEnvironment environment, string commandName)
    {
        if (path is null) return new BatchOutput(null, null, environment.Output);
        try
        {
            return new BatchOutput(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0), path, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"{commandName}: cannot write '{path}': {JsonText.OneLine(ex.Message)}");
        }
    }

    /// <summary>How many whole lines the file held when it was opened to continue (<see cref="Continue"/>); 0 otherwise.</summary>
    public long WholeLines { get; private init; }

    /// <summary>
    /// The file at <paramref name="path"/> to continue a killed batch: its whole lines are kept (at most
    /// <paramref name="keepAtMost"/>), a cut last line (a write the kill interrupted) is cut off, and new lines are
    /// appended. A missing file is created.
    /// </summary>
    /// <exception cref="UsageException">The file cannot be read or written.</exception>
    public static BatchOutput Continue(string path, string commandName, long keepAtMost = long.MaxValue)
    {
        try
        {
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
            long lines = 0, end = 0, position = 0;
            var buffer = new byte[64 * 1024];
            int read;
            while (lines < keepAtMost && (read = file.Read(buffer, 0, buffer.Length)) > 0)
            {
                for (var i = 0; i < read && lines < keepAtMost; i++)
                {
                    if (buffer[i] != (byte)'\n') continue;
                    lines++;
                    end = position + i + 1;
                }

                position += read;
            }

            file.SetLength(end);
            file.Seek(end, SeekOrigin.Begin);
            return new BatchOutput(file, path, null) { WholeLines = lines };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"{commandName}: cannot continue '{path}': {JsonText.OneLine(ex.Message)}");
        }
    }

    /// <summary>Writes <paramref name="lines"/>, whole lines each ending in '\n', in one write. Not thread-safe.</summary>
    /// <exception cref="OutputFailedException">The file (a full disk) or stdout cannot be written.</exception>
    public void Write(StringBuilder lines)
    {
        if (_writer is not null)
        {
            _writer.Write(lines);
            _writer.Flush();
            return;
        }

        var text = lines.ToString();
        var count = Utf8NoBom.GetByteCount(text);
        if (_bytes.Length < count) _bytes = new byte[Math.Max(count, _bytes.Length * 2)];
        var written = Utf8NoBom.GetBytes(text, _bytes);
        try
        {
            _file!.Write(_bytes, 0, written);
        }
        catch (IOException ex)
        {
            throw new OutputFailedException($"cannot write --output file '{_path}': {OutputWriter.Reason(ex)}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null) await _file.DisposeAsync().ConfigureAwait(false);
        else await _writer!.FlushAsync().ConfigureAwait(false);
    }
}
