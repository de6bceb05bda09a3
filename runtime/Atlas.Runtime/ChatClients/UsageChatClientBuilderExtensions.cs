using System;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>Adds usage and cost accounting (<see cref="UsageChatClient"/>) to a provider's pipeline.</summary>
internal static class UsageChatClientBuilderExtensions
{
    /// <summary>Counts each answered request's usage, at <paramref name="provider"/>'s prices, toward the step and the agent call it belongs to.</summary>
    /// <param name="builder">The provider's pipeline.</param>
    /// <param name="provider">The provider whose prices apply.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static ChatClientBuilder UseUsage(this ChatClientBuilder builder, ProviderDescriptor provider)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(provider);
        return builder.Use(inner => new UsageChatClient(inner, provider));
    }
}
