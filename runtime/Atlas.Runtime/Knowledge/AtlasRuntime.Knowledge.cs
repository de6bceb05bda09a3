using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

public sealed partial class AtlasRuntime
{
    private readonly Dictionary<string, IKnowledgeBase> _knowledge = new(StringComparer.Ordinal);

    /// <summary>
    /// Searches a knowledge base: the host's <see cref="AtlasRuntimeOptions.Knowledge"/> entry, the one
    /// <see cref="AtlasRuntimeOptions.KnowledgeFactory"/> built, or the built-in file store for its descriptor.
    /// </summary>
    /// <exception cref="ArgumentException">No knowledge base has that name.</exception>
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
                : options.KnowledgeFactory?.Create(descriptor, options.BaseDirectory) ?? new FileKeywordKnowledgeBase(descriptor, options.BaseDirectory);
        }

        foreach (var (name, hosted) in options.Knowledge)
        {
            _knowledge.TryAdd(name, hosted);
        }
    }
}
