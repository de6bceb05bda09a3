using System;
using Atlas.Runtime;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Atlas runtime with Microsoft.Extensions.DependencyInjection.</summary>
public static class AtlasServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="AtlasRuntime"/> singleton built from the options <paramref name="configure"/> fills
    /// (generated <c>AddAtlas()</c> calls this with the declared providers, routes and knowledge bases).
    /// The container owns the runtime and disposes it, with the chat clients it created. An
    /// <see cref="IKnowledgeBaseFactory"/> registered in the container builds the knowledge bases when the options set none.
    /// </summary>
    /// <param name="services">The container to add the runtime to.</param>
    /// <param name="configure">Fills the options, once, when the runtime is first resolved.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddAtlasRuntime(this IServiceCollection services, Action<AtlasRuntimeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddSingleton(provider =>
        {
            var options = new AtlasRuntimeOptions();
            configure(options);
            options.UseServices(provider);
            return new AtlasRuntime(options);
        });
        return services;
    }
}
