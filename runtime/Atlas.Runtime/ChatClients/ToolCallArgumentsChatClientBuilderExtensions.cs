using System;
using System.Collections.Generic;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>Adds the keeping of unparsable tool-call arguments (<see cref="ToolCallArgumentsChatClient"/>) over a provider's client.</summary>
internal static class ToolCallArgumentsChatClientBuilderExtensions
{
    /// <summary>Keeps the model's text on each tool call of a reply whose arguments were not JSON.</summary>
    /// <param name="builder">The provider's pipeline; the provider's client is what this wraps.</param>
    /// <param name="readers">The factories of the kinds whose libraries may have made the replies: they read the raw replies.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static ChatClientBuilder UseToolCallArguments(this ChatClientBuilder builder, IReadOnlyList<ProviderClientFactory> readers)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => new ToolCallArgumentsChatClient(inner, readers));
    }
}
