using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

public sealed partial class AtlasRuntime
{
    private readonly Dictionary<string, IKnowledgeBase> _knowledge = new(StringComparer.Ordinal);

    /// <summary>
    /// Searches a knowledge base: the host's <see cref="AtlasRuntimeOptions.Knowledge"/> entry, or the one
    /// <see cref="AtlasRuntimeOptions.KnowledgeFactory"/> built for its descriptor. With neither, the search fails saying
    /// so: there is no other store that would answer as <c>atlas run</c> does.
    /// </summary>
    /// <param name="knowledge">The knowledge base's declared name (or the name of a host's entry).</param>
    /// <param name="query">The text to search for.</param>
    /// <param name="options">How many passages, which ranking, the lowest score kept and the metadata filters.</param>
    /// <param name="step">The step that searches; <see langword="null"/> outside a run.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>At most <see cref="SearchOptions.Top"/> passages, best first.</returns>
    /// <exception cref="ArgumentException">No knowledge base has that name.</exception>
    /// <exception cref="InvalidOperationException">The knowledge base has no store (neither a host's entry nor a factory).</exception>
    public async Task<IReadOnlyList<Passage>> SearchAsync(string knowledge, string query, SearchOptions options, StepContext? step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(options);
        if (!_knowledge.TryGetValue(knowledge, out var store))
        {
            throw new ArgumentException($"Unknown knowledge base '{knowledge}'. Known: {(_knowledge.Count == 0 ? "none" : string.Join(", ", _knowledge.Keys))}.", nameof(knowledge));
        }

        _ = step;
        return await store.SearchAsync(query, options, cancellationToken).ConfigureAwait(false);
    }

    private void InitializeKnowledge(AtlasRuntimeOptions options)
    {
        foreach (var descriptor in options.KnowledgeBases)
        {
            _knowledge[descriptor.Name] = options.Knowledge.TryGetValue(descriptor.Name, out var hosted)
                ? hosted
                : options.KnowledgeFactory?.Create(descriptor, options.BaseDirectory) ?? new NoStore(descriptor);
        }

        foreach (var (name, hosted) in options.Knowledge)
        {
            _knowledge.TryAdd(name, hosted);
        }
    }

    /// <summary>A declared knowledge base no one provided a store for.</summary>
    private sealed class NoStore(KnowledgeDescriptor descriptor) : IKnowledgeBase
    {
        public Task<IReadOnlyList<Passage>> SearchAsync(string query, SearchOptions options, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(
                $"Knowledge base '{descriptor.Name}' has no store: reference Atlas.Knowledge{(descriptor.Embedder == "minilm" ? " and Atlas.Embeddings.MiniLM" : "")} " +
                "(generated AddAtlas() then searches it as `atlas run` does), or set AtlasRuntimeOptions.KnowledgeFactory or AtlasRuntimeOptions.Knowledge.");
    }
}
