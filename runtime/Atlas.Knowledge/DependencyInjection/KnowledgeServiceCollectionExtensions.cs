using System;
using Atlas.Knowledge;
using Atlas.Runtime;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Atlas.Knowledge's stores with Microsoft.Extensions.DependencyInjection.</summary>
public static class KnowledgeServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="KnowledgeBaseFactory"/> as the <see cref="IKnowledgeBaseFactory"/>, so the runtime that
    /// generated <c>AddAtlas()</c> (or <c>AddAtlasRuntime</c>) registers searches the declared knowledge bases with it
    /// instead of the declared stores and embedders (generated code's <c>CreateKnowledgeFactory</c>, which searches as
    /// <c>atlas run</c> does). <paramref name="configure"/> registers the embedders by the names the <c>knowledge</c>
    /// blocks use, e.g.
    /// <c>f =&gt; f.AddEmbedder("minilm", new MiniLmEmbeddingGenerator(), MiniLmEmbeddingGenerator.CreateTokenizer())</c>.
    /// </summary>
    /// <remarks>
    /// Stores are not ingested unless <paramref name="configure"/> sets <see cref="KnowledgeBaseFactory.IngestBeforeFirstSearch"/>:
    /// otherwise run <c>atlas ingest</c> (or <see cref="KnowledgeBase.IngestAsync"/>) first. A factory registered before
    /// this call is kept, and <paramref name="configure"/> is then never called.
    /// </remarks>
    /// <param name="services">The container.</param>
    /// <param name="configure">Registers the embedders (and sets the factory's options), once, when the factory is first resolved.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddAtlasKnowledge(this IServiceCollection services, Action<KnowledgeBaseFactory> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddSingleton<IKnowledgeBaseFactory>(_ =>
        {
            var factory = new KnowledgeBaseFactory();
            configure(factory);
            return factory;
        });
        return services;
    }
}
