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
internal sealed class OutputWriter(TextWriter inner, string description) : TextWriter
{
    private bool _failed;

    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    [System.Diagnostics.CodeAnalysis.AllowNull]
    public override string NewLine
    {
        get => inner.NewLine;
        set => inner.NewLine = value;
    }

    /// <summary>Wraps <paramref name="writer"/> unless it is wrapped already.</summary>
    public static TextWriter Guard(TextWriter writer, string description) =>
        writer is OutputWriter ? writer : new OutputWriter(writer, description);

    public override void Write(char value) => Guarded(() => inner.Write(value));

    public override void Write(string? value) => Guarded(() => inner.Write(value));

    public override void Write(char[] buffer, int index, int count) => Guarded(() => inner.Write(buffer, index, count));

    public override void Write(ReadOnlySpan<char> buffer)
    {
        try
        {
            inner.Write(buffer);
        }
        catch (IOException ex)
        {
            throw Failed(ex);
        }
    }

    public override void WriteLine() => Guarded(inner.WriteLine);

    public override void WriteLine(string? value) => Guarded(() => inner.WriteLine(value));

    public override void Flush() => Guarded(inner.Flush);

    public override Task WriteAsync(char value) => GuardedAsync(() => inner.WriteAsync(value));

    public override Task WriteAsync(string? value) => GuardedAsync(() => inner.WriteAsync(value));

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) => GuardedAsync(() => inner.WriteAsync(buffer, cancellationToken));

    public override Task WriteLineAsync(string? value) => GuardedAsync(() => inner.WriteLineAsync(value));

    public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) => GuardedAsync(() => inner.WriteLineAsync(buffer, cancellationToken));

    public override Task FlushAsync() => GuardedAsync(() => inner.FlushAsync());

    public override Task FlushAsync(CancellationToken cancellationToken) => GuardedAsync(() => inner.FlushAsync(cancellationToken));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                inner.Dispose();
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
            await inner.DisposeAsync().ConfigureAwait(false);
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
        return new OutputFailedException($"cannot write {description}: {Reason(ex)}", ex);
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
