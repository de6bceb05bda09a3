using System;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>Adds a provider's concurrency limit (<see cref="ConcurrencyLimitChatClient"/>) to its pipeline.</summary>
internal static class ConcurrencyLimitChatClientBuilderExtensions
{
    /// <summary>Lets at most <paramref name="maxConcurrency"/> requests to <paramref name="provider"/> be in flight at once; the others wait.</summary>
    /// <param name="builder">The provider's pipeline.</param>
    /// <param name="provider">The provider's name, for the error when a request is refused.</param>
    /// <param name="maxConcurrency">How many requests may be in flight at once (at least 1).</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static ChatClientBuilder UseConcurrencyLimit(this ChatClientBuilder builder, string provider, int maxConcurrency)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxConcurrency);
        return builder.Use(inner => new ConcurrencyLimitChatClient(inner, provider, maxConcurrency));
    }
}
