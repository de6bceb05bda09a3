using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>
/// The knowledge bases of a runtime by name: the host's entries (<see cref="AtlasRuntimeOptions.Knowledge"/>), else what
/// <see cref="AtlasRuntimeOptions.KnowledgeFactory"/> builds for each declared one, else a store that says none was
/// provided. Thread-safe once built.
/// </summary>
internal sealed class KnowledgeRegistry
{
    private readonly Dictionary<string, IKnowledgeBase> _knowledge = new(StringComparer.Ordinal);
    private readonly SecretRedactor _secrets;

    public KnowledgeRegistry(AtlasRuntimeOptions options, SecretRedactor secrets)
    {
        _secrets = secrets;
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

    /// <summary>Searches a knowledge base by name (see <see cref="AtlasRuntime.SearchAsync"/>).</summary>
    public async Task<IReadOnlyList<Passage>> SearchAsync(string knowledge, string query, SearchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(options);
        if (!_knowledge.TryGetValue(knowledge, out var store))
        {
            throw new ArgumentException($"Unknown knowledge base '{knowledge}'. Known: {(_knowledge.Count == 0 ? "none" : string.Join(", ", _knowledge.Keys))}.", nameof(knowledge));
        }

        using var activity = AtlasTelemetry.Source.StartActivity($"retrieval {knowledge}", ActivityKind.Internal);
        if (activity is not null)
        {
            activity.SetTag(AtlasTelemetry.Attributes.OperationName, "retrieval");
            activity.SetTag(AtlasTelemetry.Attributes.DataSourceId, knowledge);
        }

        try
        {
            var passages = await store.SearchAsync(query, options, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("atlas.knowledge.passages", passages.Count);
            return passages;
        }
        catch (Exception ex)
        {
            AtlasTelemetry.Fail(activity, ex, _secrets);
            throw;
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
