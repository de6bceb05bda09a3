using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// Over a host's own client: a refusal for now (HTTP 429) that the client's library reports with its own exception type
/// (a host's OpenAI client throws System.ClientModel's <c>ClientResultException</c>) becomes a
/// <see cref="ProviderRateLimitedException"/> with the <c>Retry-After</c> the provider sent, so a route falls back at once
/// and a retry waits what the provider asked, as for the runtime's own clients (whose HTTP handler reads the status itself).
/// The registered kinds' factories recognise their libraries' exceptions (<see cref="ProviderClientFactory.DescribeFailure"/>);
/// every other exception passes through unchanged.
/// </summary>
/// <remarks>Thread-safe; it owns its inner client (a host's client is borrowed below it).</remarks>
internal sealed class RateLimitErrorsChatClient(IChatClient inner, string provider, IReadOnlyList<ProviderClientFactory> readers) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RateLimited(ex) is { } refused)
        {
            throw refused;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await updates.MoveNextAsync().ConfigureAwait(false)) yield break;
            }
            catch (Exception ex) when (RateLimited(ex) is { } refused)
            {
                throw refused;
            }

            yield return updates.Current;
        }
    }

    /// <summary>The refusal <paramref name="error"/>'s chain reports, as the runtime's exception; null when it is none.</summary>
    private ProviderRateLimitedException? RateLimited(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            foreach (var reader in readers)
            {
                if (reader.DescribeFailure(e) is { Kind: ProviderFailureKind.RateLimited } failure)
                {
                    return new ProviderRateLimitedException($"provider '{provider}' refused the call for now: {failure.Detail}", failure.RetryAfter, error);
                }
            }
        }

        return null;
    }
}
