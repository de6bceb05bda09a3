using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// A provider as one route (or a direct call) reaches it: the provider's pipeline under its circuit breaker and the
/// route's per-attempt timeout, outermost first. <see cref="Pipeline"/> is <see langword="null"/> for an unavailable provider.
/// </summary>
/// <param name="Provider">The provider: its state (availability, circuit, latency, prices).</param>
/// <param name="Pipeline">What one attempt goes through; it does not own the provider's pipeline.</param>
internal sealed record RouteMember(Provider Provider, IChatClient? Pipeline)
{
    /// <summary>The member of a route whose <c>timeout</c> is <paramref name="timeout"/> (none for a direct call).</summary>
    public static RouteMember For(Provider provider, System.TimeSpan? timeout, ResilienceRunner resilience, System.TimeProvider timeProvider)
    {
        if (provider.Pipeline is not { } pipeline)
        {
            return new RouteMember(provider, null);
        }

        var builder = new ChatClientBuilder(pipeline);
        if (provider.Circuit is { } circuit)
        {
            builder.UseCircuitBreaker(circuit);
        }

        return new RouteMember(provider, builder.UseTimeout(resilience, timeProvider, timeout).Build());
    }
}
