using System;
using System.Collections.Generic;

namespace Atlas.Runtime;

/// <summary>
/// The models an agent may name: every provider (a route of one) and every declared route, each a
/// <see cref="RouteChatClient"/> over the providers' pipelines. Thread-safe once built.
/// </summary>
internal sealed class ModelRouter
{
    private readonly Dictionary<string, RouteChatClient> _models = new(StringComparer.Ordinal);

    /// <exception cref="ArgumentException">A route has the name of a provider or of another route.</exception>
    public ModelRouter(ProviderRegistry providers, IEnumerable<RouteDescriptor> routes, ResilienceRunner resilience, SecretRedactor secrets, TimeProvider timeProvider)
    {
        foreach (var provider in providers.All)
        {
            _models[provider.Name] = RouteChatClient.ForProvider(provider, resilience, secrets, timeProvider);
        }

        foreach (var route in routes)
        {
            if (!_models.TryAdd(route.Name, RouteChatClient.ForRoute(route, providers, resilience, secrets, timeProvider)))
            {
                throw new ArgumentException($"Route '{route.Name}' has the name of another provider or route.", "options");
            }
        }
    }

    /// <summary>The client for <paramref name="model"/>, a provider's or a route's name.</summary>
    /// <exception cref="InvalidOperationException">No provider or route has that name.</exception>
    public RouteChatClient Client(string model) =>
        _models.TryGetValue(model, out var client) ? client : throw new InvalidOperationException($"'{model}' is neither a provider nor a route.");
}
