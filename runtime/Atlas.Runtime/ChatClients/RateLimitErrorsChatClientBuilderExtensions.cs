using System;
using System.Collections.Generic;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>Adds the reading of a host's client's rate limits (<see cref="RateLimitErrorsChatClient"/>) to a provider's pipeline.</summary>
internal static class RateLimitErrorsChatClientBuilderExtensions
{
    /// <summary>Turns a 429 that a host's client reports with its library's own exception into a <see cref="ProviderRateLimitedException"/>.</summary>
    /// <param name="builder">The pipeline of a provider whose client is a host's own.</param>
    /// <param name="provider">The provider's name, for the message.</param>
    /// <param name="readers">The registered kinds' factories, which recognise their libraries' exceptions.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static ChatClientBuilder UseRateLimitErrors(this ChatClientBuilder builder, string provider, IReadOnlyList<ProviderClientFactory> readers)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => new RateLimitErrorsChatClient(inner, provider, readers));
    }
}
