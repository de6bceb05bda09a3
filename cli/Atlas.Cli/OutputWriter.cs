using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Cli;

/// <summary>
/// A writer for one of the command's outputs (stdout, <c>--events</c>, <c>--output</c>) that turns a
/// failed write (a full disk, a closed pipe) into an <see cref="OutputFailedException"/> naming the output.
/// </summary>
/// <remarks>Owns <c>inner</c>. After a failure, disposing does not try to flush again. Not thread-safe (as the writer it wraps).</remarks>
internal sealed class OutputWriter : TextWriter
{
    private readonly TextWriter _inner;
    private readonly string _description;
    private bool _failed;

    public OutputWriter(TextWriter inner, string description)
    {
        _inner = inner;
        _description = description;
        // The writes the base class composes (WriteLine of a span, of a number) end lines as the inner writer does.
        NewLine = inner.NewLine;
    }

    public override Encoding Encoding => _inner.Encoding;

    public override IFormatProvider FormatProvider => _inner.FormatProvider;

    /// <summary>Wraps <paramref name="writer"/> unless it is wrapped already.</summary>
    public static TextWriter Guard(TextWriter writer, string description) =>
        writer is OutputWriter ? writer : new OutputWriter(writer, description);

    public override void Write(char value) => Guarded(() => _inner.Write(value));

    public override void Write(string? value) => Guarded(() => _inner.Write(value));

    public override void Write(char[] buffer, int index, int count) => Guarded(() => _inner.Write(buffer, index, count));

    public override void Write(ReadOnlySpan<char> buffer)
    {
        try
        {
            _inner.Write(buffer);
        }
        catch (IOException ex)
        {
            throw Failed(ex);
        }
    }

    public override void WriteLine() => Guarded(_inner.WriteLine);

    public override void WriteLine(string? value) => Guarded(() => _inner.WriteLine(value));

    public override void Flush() => Guarded(_inner.Flush);

    public override Task WriteAsync(char value) => GuardedAsync(() => _inner.WriteAsync(value));

    public override Task WriteAsync(string? value) => GuardedAsync(() => _inner.WriteAsync(value));

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) => GuardedAsync(() => _inner.WriteAsync(buffer, cancellationToken));

    public override Task WriteLineAsync(string? value) => GuardedAsync(() => _inner.WriteLineAsync(value));

    public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) => GuardedAsync(() => _inner.WriteLineAsync(buffer, cancellationToken));

    public override Task FlushAsync() => GuardedAsync(() => _inner.FlushAsync());

    public override Task FlushAsync(CancellationToken cancellationToken) => GuardedAsync(() => _inner.FlushAsync(cancellationToken));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                _inner.Dispose();
            }
            catch (IOException ex) when (!_failed)
            {
                throw Failed(ex);
            }
            catch (IOException)
            {
                // Already reported: the last flush fails the same way.
            }
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException ex) when (!_failed)
        {
            throw Failed(ex);
        }
        catch (IOException)
        {
            // Already reported.
        }
        GC.SuppressFinalize(this);
    }

    private void Guarded(Action write)
    {
        try
        {
            write();
        }
        catch (IOException ex)
        {
            throw Failed(ex);
        }
    }

    private async Task GuardedAsync(Func<Task> write)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw Failed(ex);
        }
    }

    private OutputFailedException Failed(IOException ex)
    {
        _failed = true;
        return new OutputFailedException($"cannot write {_description}: {Reason(ex)}", ex);
    }

    /// <summary>"no space left on device" from "No space left on device : '/dev/full'" (the path is in the description).</summary>
    internal static string Reason(IOException ex)
    {
        var message = ex.Message;
        var path = message.IndexOf(" : '", StringComparison.Ordinal);
        if (path > 0) message = message[..path];
        message = message.Trim().TrimEnd('.');
        return message.Length == 0 ? ex.GetType().Name : char.ToLowerInvariant(message[0]) + message[1..];
    }
}

/// <summary>An output of the command could not be written; the message is the line to print (without the command name).</summary>
public sealed class OutputFailedException(string message, Exception inner) : Exception(message, inner);
