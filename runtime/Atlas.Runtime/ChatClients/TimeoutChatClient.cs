using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Polly.Timeout;

namespace Atlas.Runtime;

/// <summary>
/// A route's <c>timeout</c>: each attempt of a request to one of its providers must end within it, its wait for a
/// concurrency slot included; past it the attempt's token is cancelled and it fails with Polly's
/// <see cref="TimeoutRejectedException"/> (<c>timed out after 5s</c>), which the route may retry.
/// </summary>
/// <remarks>
/// Inside the provider's circuit breaker, so a timed-out attempt counts against the provider. A retry inside the
/// attempt waits no longer than what is left of it (<see cref="ResilienceRunner.TimedAsync{T}"/>). A stream must
/// deliver its last piece within the timeout. Thread-safe; it owns its inner client.
/// </remarks>
internal sealed class TimeoutChatClient : DelegatingChatClient
{
    private readonly ResilienceRunner _resilience;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;

    public TimeoutChatClient(IChatClient inner, ResilienceRunner resilience, TimeProvider timeProvider, TimeSpan timeout)
        : base(inner)
    {
        _resilience = resilience;
        _timeProvider = timeProvider;
        _timeout = timeout;
    }

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        _resilience.TimedAsync(_timeout, ct => InnerClient.GetResponseAsync(messages, options, ct), cancellationToken);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var timeout = ResilienceRunner.Effective(_timeout);
        using var timer = new CancellationTokenSource(timeout, _timeProvider);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        await using var updates = InnerClient.GetStreamingResponseAsync(messages, options, attempt.Token).GetAsyncEnumerator(attempt.Token);
        while (true)
        {
            try
            {
                if (!await updates.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }
            }
            catch (OperationCanceledException ex) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutRejectedException($"The operation didn't complete within the allowed timeout of '{timeout}'.", timeout, ex);
            }

            yield return updates.Current;
        }
    }
}
