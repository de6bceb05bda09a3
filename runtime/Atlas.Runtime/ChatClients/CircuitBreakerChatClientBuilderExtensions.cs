using System;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>Adds a provider's circuit breaker (<see cref="CircuitBreakerChatClient"/>) to a pipeline.</summary>
internal static class CircuitBreakerChatClientBuilderExtensions
{
    /// <summary>Sends every attempt through <paramref name="circuit"/>: failures open it, and an open circuit fails calls at once.</summary>
    /// <param name="builder">The pipeline of a route's member (or of a provider an agent names directly).</param>
    /// <param name="circuit">The provider's circuit, shared by every pipeline that reaches the provider.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static ChatClientBuilder UseCircuitBreaker(this ChatClientBuilder builder, ProviderCircuit circuit)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(circuit);
        return builder.Use(inner => new CircuitBreakerChatClient(inner, circuit));
    }
}
