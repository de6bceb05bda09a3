using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using Atlas.Runtime;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Atlas.Knowledge;

/// <summary>
/// Builds the knowledge bases a project declares, resolving each descriptor's <c>embedder</c> by name:
/// <c>minilm</c> or a provider's name, mapped to any Microsoft.Extensions.AI embedding generator
/// (a <c>MiniLmEmbeddingGenerator</c>, OpenAI's <c>EmbeddingClient.AsIEmbeddingGenerator()</c>,
/// an <c>OllamaApiClient</c>...).
/// </summary>
/// <remarks>Thread-safe to use once built. Neither the generators nor the tokenizers are owned.</remarks>
public sealed class KnowledgeBaseFactory : IKnowledgeBaseFactory
{
    private readonly Dictionary<string, (IEmbeddingGenerator<string, Embedding<float>> Generator, Tokenizer? Tokenizer)> _embedders = new(StringComparer.Ordinal);

    /// <summary>The client Chroma stores reach their server with (not owned); a shared one if <see langword="null"/>.</summary>
    public HttpClient? Http { get; set; }

    /// <summary>Registers <paramref name="generator"/> under <paramref name="name"/>, with the tokenizer that sizes its chunks (cl100k_base if <see langword="null"/>).</summary>
    public KnowledgeBaseFactory AddEmbedder(string name, IEmbeddingGenerator<string, Embedding<float>> generator, Tokenizer? tokenizer = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(generator);
        _embedders[name] = (generator, tokenizer);
        return this;
    }

    /// <summary>
    /// Registers the embedding generator of <paramref name="provider"/> (openai, openai_compatible or ollama, with its
    /// <c>embedding_model</c>) under its name, made by <see cref="ProviderEmbedders"/>; chunks are sized with cl100k_base.
    /// The factory does not own it: dispose it after the knowledge bases that use it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The provider can't embed (its API key variable unset, no <c>embedding_model</c>...).</exception>
    public KnowledgeBaseFactory AddProviderEmbedder(ProviderDescriptor provider, Func<string, string?>? getEnvironmentVariable = null)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return AddEmbedder(provider.Name, ProviderEmbedders.Create(provider, getEnvironmentVariable));
    }

    /// <summary>The knowledge base <paramref name="descriptor"/> declares, paths relative to <paramref name="baseDirectory"/>.</summary>
    /// <exception cref="InvalidOperationException">No embedder is registered under the descriptor's name.</exception>
    public KnowledgeBase Create(KnowledgeDescriptor descriptor, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (!_embedders.TryGetValue(descriptor.Embedder, out var embedder))
        {
            var known = _embedders.Count == 0 ? "none" : string.Join(", ", _embedders.Keys.Order(StringComparer.Ordinal));
            throw new InvalidOperationException(
                $"Knowledge base '{descriptor.Name}' uses embedder '{descriptor.Embedder}', but no embedding generator is registered under that name (registered: {known}). " +
                (descriptor.Embedder == "minilm" ? "Reference Atlas.Embeddings.MiniLM and register a MiniLmEmbeddingGenerator." : "Register the provider's IEmbeddingGenerator."));
        }

        return KnowledgeBase.Create(descriptor, baseDirectory, embedder.Generator, embedder.Tokenizer, Http);
    }

    IKnowledgeBase IKnowledgeBaseFactory.Create(KnowledgeDescriptor descriptor, string baseDirectory) => Create(descriptor, baseDirectory);

    /// <summary>
    /// Adds a knowledge base for every declared one that the options don't already have, so <see cref="AtlasRuntime.SearchAsync"/>
    /// uses the real stores (SQLite, Chroma). An embedder not registered that names one of the options' providers is
    /// registered with <see cref="AddProviderEmbedder"/> (API key from <see cref="AtlasRuntimeOptions.GetEnvironmentVariable"/>).
    /// </summary>
    public void AddTo(AtlasRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var descriptor in options.KnowledgeBases.Where(d => !options.Knowledge.ContainsKey(d.Name)))
        {
            if (!_embedders.ContainsKey(descriptor.Embedder) && options.Providers.FirstOrDefault(p => p.Name == descriptor.Embedder) is { } provider)
            {
                AddProviderEmbedder(provider, options.GetEnvironmentVariable);
            }

            options.Knowledge[descriptor.Name] = Create(descriptor, options.BaseDirectory);
        }
    }
}
