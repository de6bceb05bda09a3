using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>A stream that a producer writes on its own task, for a consumer that reads its items as they come.</summary>
internal static class ProducedStream
{
    /// <summary>
    /// Runs <paramref name="produce"/> on the thread pool, writing to <paramref name="channel"/>, and yields what it
    /// writes. The producer's error ends the stream with that error; a consumer that stops early cancels the producer
    /// (the token it is given) and waits for it, so nothing keeps running behind a finished enumeration.
    /// </summary>
    public static async IAsyncEnumerable<T> ReadAsync<T>(Channel<T> channel, Func<ChannelWriter<T>, CancellationToken, Task> produce, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(
            async () =>
            {
                try
                {
                    await produce(channel.Writer, stop.Token).ConfigureAwait(false);
                    channel.Writer.TryComplete();
                }
                catch (Exception ex)
                {
                    channel.Writer.TryComplete(ex);
                }
            },
            CancellationToken.None);

        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
