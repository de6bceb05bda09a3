using System;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>Adds error normalisation (<see cref="ProviderErrorsChatClient"/>) over a remote provider's client library.</summary>
internal static class ProviderErrorsChatClientBuilderExtensions
{
    /// <summary>Turns every failure of the library below into a <see cref="ProviderException"/> naming <paramref name="provider"/>, keys blanked out.</summary>
    /// <param name="builder">The provider's pipeline; the library's client is what this wraps.</param>
    /// <param name="provider">The provider's name.</param>
    /// <param name="kind">The provider's kind as .atlas files spell it, for messages.</param>
    /// <param name="secrets">The runtime's API keys, blanked out of every message.</param>
    /// <param name="factory">The kind's factory, which says what its library's own exceptions mean; null for none.</param>
    /// <param name="resources">What goes with the library's client (its HTTP client), disposed with the pipeline.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static ChatClientBuilder UseProviderErrors(this ChatClientBuilder builder, string provider, string kind, SecretRedactor secrets, ProviderClientFactory? factory, IDisposable? resources)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(secrets);
        return builder.Use(inner => new ProviderErrorsChatClient(inner, provider, kind, secrets, factory, resources));
    }
}
