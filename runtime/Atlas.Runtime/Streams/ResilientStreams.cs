using System;
using System.Collections.Generic;
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
    public static IAsyncEnumerable<T> ReadThroughAsync<T>(ResiliencePipeline pipeline, Func<CancellationToken, IAsyncEnumerable<T>> stream, CancellationToken cancellationToken) =>
        ProducedStream.ReadAsync(
            Channel.CreateBounded<T>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true }),
            async (items, token) => await pipeline.ExecuteAsync(
                static async (state, ct) =>
                {
                    await foreach (var item in state.stream(ct).ConfigureAwait(false))
                    {
                        await state.items.WriteAsync(item, ct).ConfigureAwait(false);
                    }
                },
                (stream, items),
                token).ConfigureAwait(false),
            cancellationToken);
}
