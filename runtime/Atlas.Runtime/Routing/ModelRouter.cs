using System;
using System.Collections.Generic;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// The models an agent may name: every provider (a route of one) and every declared route, each a
/// <see cref="RouteChatClient"/> over the providers' pipelines behind a <see cref="RecordedModelClient"/>. Thread-safe once built.
/// </summary>
internal sealed class ModelRouter
{
    private readonly Dictionary<string, IChatClient> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProviderDescriptor> _providers = new(StringComparer.Ordinal);

    /// <exception cref="ArgumentException">A route has the name of a provider or of another route.</exception>
    public ModelRouter(ProviderRegistry providers, IEnumerable<RouteDescriptor> routes, ResilienceRunner resilience, SecretRedactor secrets, TimeProvider timeProvider, IRunStore? store = null)
    {
        foreach (var provider in providers.All)
        {
            _providers[provider.Name] = provider.Descriptor;
            _models[provider.Name] = new RecordedModelClient(RouteChatClient.ForProvider(provider, resilience, secrets, timeProvider), provider.Name, null, store, timeProvider);
        }

        foreach (var route in routes)
        {
            var client = new RecordedModelClient(RouteChatClient.ForRoute(route, providers, resilience, secrets, timeProvider), route.Name, route.Cache, store, timeProvider);
            if (!_models.TryAdd(route.Name, client))
            {
                throw new ArgumentException($"Route '{route.Name}' has the name of another provider or route.", "options");
            }
        }
    }

    /// <summary>The client for <paramref name="model"/>, a provider's or a route's name: its route, behind the run store's replies.</summary>
    /// <exception cref="InvalidOperationException">No provider or route has that name.</exception>
    public IChatClient Client(string model) =>
        _models.TryGetValue(model, out var client) ? client : throw new InvalidOperationException($"'{model}' is neither a provider nor a route.");

    /// <summary>The provider <paramref name="model"/> names, or <see langword="null"/> when it names a route.</summary>
    public ProviderDescriptor? Provider(string model) => _providers.GetValueOrDefault(model);
}
