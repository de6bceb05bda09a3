using System;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>Adds the streaming of a reply's text to the step and the caller (<see cref="TokenEventsChatClient"/>) to a provider's pipeline.</summary>
internal static class TokenEventsChatClientBuilderExtensions
{
    /// <summary>Streams each reply's text, keys blanked out by <paramref name="secrets"/>, to whoever the request's context says takes it.</summary>
    /// <param name="builder">The provider's pipeline.</param>
    /// <param name="secrets">The runtime's API keys, blanked out of every piece.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static ChatClientBuilder UseTokenEvents(this ChatClientBuilder builder, SecretRedactor secrets)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(secrets);
        return builder.Use(inner => new TokenEventsChatClient(inner, secrets));
    }
}
