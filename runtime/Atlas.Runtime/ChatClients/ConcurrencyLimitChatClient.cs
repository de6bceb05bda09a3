using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// A provider's <c>max_concurrency</c>: at most that many requests are in flight at once (a streamed one until its
/// last piece); the others wait their turn, oldest first (a <see cref="ConcurrencyLimiter"/> from
/// System.Threading.RateLimiting).
/// </summary>
/// <remarks>
/// In a provider's pipeline it sits inside the route's timeout: waiting for a slot is part of an attempt. Tool calls
/// run outside it: a slot is held per model request. Thread-safe; it owns its limiter and its inner client.
/// </remarks>
internal sealed class ConcurrencyLimitChatClient : DelegatingChatClient
{
    private readonly string _provider;
    private readonly ConcurrencyLimiter _limiter;

    public ConcurrencyLimitChatClient(IChatClient inner, string provider, int maxConcurrency)
        : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxConcurrency);
        _provider = provider;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = maxConcurrency,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var lease = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var lease = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _limiter.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<RateLimitLease> AcquireAsync(CancellationToken cancellationToken)
    {
        var lease = await _limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new InvalidOperationException($"Provider '{_provider}' refused a call: its concurrency queue is full.");
        }

        return lease;
    }
}
