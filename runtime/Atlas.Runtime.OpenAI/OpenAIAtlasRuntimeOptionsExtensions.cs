using System;

namespace Atlas.Runtime;

/// <summary>Registers the <c>openai</c> and <c>openai_compatible</c> provider kinds with a runtime.</summary>
public static class OpenAIAtlasRuntimeOptionsExtensions
{
    /// <summary>
    /// Makes the runtime create the clients of its <c>openai</c> and <c>openai_compatible</c> providers with
    /// Microsoft.Extensions.AI.OpenAI: chat, and embeddings for a knowledge base whose <c>embedder</c> names one.
    /// Generated <c>AddAtlas()</c> calls it when a project declares such a provider.
    /// </summary>
    /// <param name="options">The runtime's options.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public static AtlasRuntimeOptions UseOpenAI(this AtlasRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ProviderClientFactories[ProviderKind.OpenAI] = OpenAIProviderClientFactory.Instance;
        options.ProviderClientFactories[ProviderKind.OpenAICompatible] = OpenAIProviderClientFactory.Instance;
        return options;
    }
}
