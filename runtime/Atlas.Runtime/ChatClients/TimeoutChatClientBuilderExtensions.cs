using System;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>Adds a route's per-attempt timeout (<see cref="TimeoutChatClient"/>) to the pipeline of each of its members.</summary>
internal static class TimeoutChatClientBuilderExtensions
{
    /// <summary>Ends each attempt after <paramref name="timeout"/> with a <c>TimeoutRejectedException</c>; nothing when it is <see langword="null"/>.</summary>
    /// <param name="builder">The pipeline of a route's member.</param>
    /// <param name="resilience">The runtime's retries and timeouts (its cached Polly timeouts, its deadlines).</param>
    /// <param name="timeProvider">The runtime's clock.</param>
    /// <param name="timeout">The route's <c>timeout</c>; <see langword="null"/> for none.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static ChatClientBuilder UseTimeout(this ChatClientBuilder builder, ResilienceRunner resilience, TimeProvider timeProvider, TimeSpan? timeout)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(resilience);
        return timeout is { } limit ? builder.Use(inner => new TimeoutChatClient(inner, resilience, timeProvider, limit)) : builder;
    }
}
