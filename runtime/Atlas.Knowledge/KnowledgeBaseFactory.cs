using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
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
    private readonly object _gate = new();
    private readonly Dictionary<string, Lazy<(IEmbeddingGenerator<string, Embedding<float>> Generator, Tokenizer? Tokenizer)>> _embedders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ProviderDescriptor Provider, AtlasRuntimeOptions Options)> _providers = new(StringComparer.Ordinal);

    /// <summary>The client Chroma stores reach their server with (not owned); a shared one if <see langword="null"/>.</summary>
    public HttpClient? Http { get; set; }

    /// <summary>
    /// When set, each knowledge base the runtime asks for (<see cref="IKnowledgeBaseFactory.Create"/>) is built on its first
    /// search, and a SQLite store is first brought up to date with its sources (an incremental ingest, once per process;
    /// only new and changed files are embedded) — what <c>atlas run</c> does before it runs, so both answer from the same
    /// store. Generated <c>AddAtlas()</c> sets it. Chroma stores are shared servers and are never ingested implicitly.
    /// </summary>
    public bool IngestBeforeFirstSearch { get; set; }

    /// <summary>Registers <paramref name="generator"/> under <paramref name="name"/>, with the tokenizer that sizes its chunks (cl100k_base if <see langword="null"/>).</summary>
    /// <param name="name">The <c>embedder</c> name knowledge bases give: <c>minilm</c>, or a provider's name.</param>
    /// <param name="generator">The generator (not owned); it replaces one registered under the same name.</param>
    /// <param name="tokenizer">Counts chunk sizes in the embedder's own tokens; cl100k_base if <see langword="null"/>.</param>
    /// <returns>This factory.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="generator"/> is <see langword="null"/>.</exception>
    public KnowledgeBaseFactory AddEmbedder(string name, IEmbeddingGenerator<string, Embedding<float>> generator, Tokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return AddEmbedder(name, () => generator, tokenizer);
    }

    /// <summary>
    /// Registers the generator <paramref name="create"/> makes, called the first time a knowledge base uses it (so a local
    /// model such as MiniLM is loaded only by a process that searches).
    /// </summary>
    /// <param name="name">The <c>embedder</c> name knowledge bases give.</param>
    /// <param name="create">Makes the generator, once, on first use (from any thread); the factory does not own what it makes.</param>
    /// <param name="tokenizer">Counts chunk sizes; cl100k_base if <see langword="null"/>.</param>
    /// <returns>This factory.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="create"/> is <see langword="null"/>.</exception>
    public KnowledgeBaseFactory AddEmbedder(string name, Func<IEmbeddingGenerator<string, Embedding<float>>> create, Tokenizer? tokenizer = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(create);
        lock (_gate)
        {
            _embedders[name] = new(() => (create(), tokenizer), LazyThreadSafetyMode.ExecutionAndPublication);
        }

        return this;
    }

    /// <summary>
    /// Registers the embedding generator of <paramref name="provider"/> (openai, openai_compatible or ollama, with its
    /// <c>embedding_model</c>) under its name, made by <see cref="ProviderEmbedders"/> with the factory its kind's package
    /// registered in <paramref name="options"/>; chunks are sized with cl100k_base. The factory does not own it: dispose it
    /// after the knowledge bases that use it.
    /// </summary>
    /// <param name="provider">The declared provider.</param>
    /// <param name="options">The runtime's options: the provider kinds' factories, and the environment its API key is read from.</param>
    /// <returns>This factory.</returns>
    /// <exception cref="InvalidOperationException">The provider can't embed (its API key variable unset, no <c>embedding_model</c>, its kind's package not registered...).</exception>
    public KnowledgeBaseFactory AddProviderEmbedder(ProviderDescriptor provider, AtlasRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(options);
        return AddEmbedder(provider.Name, ProviderEmbedders.Create(provider, options));
    }

    /// <summary>
    /// The declared providers of <paramref name="options"/>, which a knowledge base's <c>embedder</c> may name: one not
    /// registered otherwise is registered with <see cref="AddProviderEmbedder"/> the first time a knowledge base needs it
    /// (API keys read then).
    /// </summary>
    /// <param name="options">The runtime's options: their providers, the provider kinds' factories, and the environment.</param>
    /// <returns>This factory.</returns>
    public KnowledgeBaseFactory AddProviders(AtlasRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_gate)
        {
            foreach (var provider in options.Providers)
            {
                _providers[provider.Name] = (provider, options);
            }
        }

        return this;
    }

    /// <summary>The knowledge base <paramref name="descriptor"/> declares, paths relative to <paramref name="baseDirectory"/>.</summary>
    /// <param name="descriptor">The declared knowledge base.</param>
    /// <param name="baseDirectory">The folder of the declaring <c>.atlas</c> file.</param>
    /// <returns>A new knowledge base on the declared store; nothing is read or ingested yet.</returns>
    /// <exception cref="InvalidOperationException">No embedder is registered under the descriptor's name, and no provider of that name can embed.</exception>
    public KnowledgeBase Create(KnowledgeDescriptor descriptor, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var (generator, tokenizer) = Embedder(descriptor).Value;
        return KnowledgeBase.Create(descriptor, baseDirectory, generator, tokenizer, Http);
    }

    IKnowledgeBase IKnowledgeBaseFactory.Create(KnowledgeDescriptor descriptor, string baseDirectory) =>
        IngestBeforeFirstSearch ? new ReadyOnFirstSearch(() => Create(descriptor, baseDirectory)) : Create(descriptor, baseDirectory);

    private Lazy<(IEmbeddingGenerator<string, Embedding<float>> Generator, Tokenizer? Tokenizer)> Embedder(KnowledgeDescriptor descriptor)
    {
        lock (_gate)
        {
            if (_embedders.TryGetValue(descriptor.Embedder, out var embedder))
            {
                return embedder;
            }

            if (_providers.TryGetValue(descriptor.Embedder, out var declared))
            {
                AddProviderEmbedder(declared.Provider, declared.Options);
                return _embedders[descriptor.Embedder];
            }

            var known = _embedders.Count == 0 ? "none" : string.Join(", ", _embedders.Keys.Order(StringComparer.Ordinal));
            throw new InvalidOperationException(
                $"Knowledge base '{descriptor.Name}' uses embedder '{descriptor.Embedder}', but no embedding generator is registered under that name (registered: {known}). " +
                (descriptor.Embedder == "minilm" ? "Reference Atlas.Embeddings.MiniLM and register a MiniLmEmbeddingGenerator." : "Register the provider's IEmbeddingGenerator."));
        }
    }

    /// <summary>
    /// Adds a knowledge base for every declared one that the options don't already have, so <see cref="AtlasRuntime.SearchAsync"/>
    /// uses the real stores (SQLite, Chroma). An embedder not registered that names one of the options' providers is
    /// registered with <see cref="AddProviderEmbedder"/> (API key from <see cref="AtlasRuntimeOptions.GetEnvironmentVariable"/>,
    /// client from its kind's factory in <see cref="AtlasRuntimeOptions.ProviderClientFactories"/>).
    /// </summary>
    /// <param name="options">The runtime's options: their <see cref="AtlasRuntimeOptions.Knowledge"/> gets the new knowledge bases.</param>
    /// <exception cref="InvalidOperationException">A declared knowledge base's embedder is not registered and names no provider that can embed.</exception>
    public void AddTo(AtlasRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        AddProviders(options);
        foreach (var descriptor in options.KnowledgeBases.Where(d => !options.Knowledge.ContainsKey(d.Name)))
        {
            options.Knowledge[descriptor.Name] = Create(descriptor, options.BaseDirectory);
        }
    }

    /// <summary>
    /// A knowledge base built on its first search, a SQLite store ingested first (see <see cref="IngestBeforeFirstSearch"/>).
    /// A failure (an unreachable provider, a locked file) is not kept: the next search tries again.
    /// </summary>
    private sealed class ReadyOnFirstSearch(Func<KnowledgeBase> create) : IKnowledgeBase
    {
        private readonly object _gate = new();
        private Task<KnowledgeBase>? _ready;

        public async Task<IReadOnlyList<Passage>> SearchAsync(string query, SearchOptions options, CancellationToken cancellationToken)
        {
            Task<KnowledgeBase> ready;
            lock (_gate)
            {
                if (_ready is null || _ready.IsFaulted || _ready.IsCanceled)
                {
                    _ready = Task.Run(PrepareAsync, CancellationToken.None);
                }

                ready = _ready;
            }

            var kb = await ready.WaitAsync(cancellationToken).ConfigureAwait(false);
            return await kb.SearchAsync(query, options, cancellationToken).ConfigureAwait(false);
        }

        // Shared by every caller, so not cancelled by any one of them; each caller stops waiting on its own token.
        private async Task<KnowledgeBase> PrepareAsync()
        {
            var kb = create();
            if (kb is SqliteKnowledgeBase)
            {
                await kb.RefreshAsync(CancellationToken.None).ConfigureAwait(false);
            }

            return kb;
        }
    }
}
