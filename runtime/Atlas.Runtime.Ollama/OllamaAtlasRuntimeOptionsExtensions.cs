using System;

namespace Atlas.Runtime;

/// <summary>Registers the <c>ollama</c> provider kind with a runtime.</summary>
public static class OllamaAtlasRuntimeOptionsExtensions
{
    /// <summary>
    /// Makes the runtime create the clients of its <c>ollama</c> providers with OllamaSharp: chat, and embeddings for a
    /// knowledge base whose <c>embedder</c> names one. Generated <c>AddAtlas()</c> calls it when a project declares such a provider.
    /// </summary>
    /// <param name="options">The runtime's options.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public static AtlasRuntimeOptions UseOllama(this AtlasRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ProviderClientFactories[ProviderKind.Ollama] = OllamaProviderClientFactory.Instance;
        return options;
    }
}
