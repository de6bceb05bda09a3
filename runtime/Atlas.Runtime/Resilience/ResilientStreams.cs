using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Polly;

namespace Atlas.Runtime;

/// <summary>A stream read inside a Polly pipeline: Polly runs callbacks, not enumerations, so the reading runs in one.</summary>
internal static class ResilientStreams
{
    /// <summary>
    /// The items of <paramref name="stream"/>, read inside one execution of <paramref name="pipeline"/> (so the whole
    /// stream, to its last item or its error, is one outcome for it) and handed on as they arrive, one at a time.
    /// A consumer that stops early cancels the reading.
    /// </summary>
    public static async IAsyncEnumerable<T> ReadThroughAsync<T>(ResiliencePipeline pipeline, Func<CancellationToken, IAsyncEnumerable<T>> stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var items = Channel.CreateBounded<T>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = Task.Run(
            async () =>
            {
                try
                {
                    await pipeline.ExecuteAsync(
                        static async (state, token) =>
                        {
                            await foreach (var item in state.stream(token).ConfigureAwait(false))
                            {
                                await state.items.Writer.WriteAsync(item, token).ConfigureAwait(false);
                            }
                        },
                        (stream, items),
                        stop.Token).ConfigureAwait(false);
                    items.Writer.TryComplete();
                }
                catch (Exception ex)
                {
                    items.Writer.TryComplete(ex);
                }
            },
            CancellationToken.None);

        try
        {
            await foreach (var item in items.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await reading.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
