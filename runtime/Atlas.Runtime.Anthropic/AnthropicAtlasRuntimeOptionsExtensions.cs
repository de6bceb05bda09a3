using System;

namespace Atlas.Runtime;

/// <summary>Registers the <c>anthropic</c> provider kind with a runtime.</summary>
public static class AnthropicAtlasRuntimeOptionsExtensions
{
    /// <summary>
    /// Makes the runtime create the clients of its <c>anthropic</c> providers with the Anthropic SDK. Generated
    /// <c>AddAtlas()</c> calls it when a project declares such a provider.
    /// </summary>
    /// <param name="options">The runtime's options.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public static AtlasRuntimeOptions UseAnthropic(this AtlasRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ProviderClientFactories[ProviderKind.Anthropic] = AnthropicProviderClientFactory.Instance;
        return options;
    }
}
