using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Net.Http;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// The providers of a runtime by name: one <see cref="Provider"/> per declared provider and per host client, each with
/// its pipeline built once (<see cref="BuildPipeline"/>). Thread-safe once built; it owns the pipelines and the clients
/// it made (a host's client stays the host's).
/// </summary>
internal sealed class ProviderRegistry : IDisposable
{
    private readonly Dictionary<string, Provider> _providers = new(StringComparer.Ordinal);

    /// <exception cref="ArgumentException">
    /// Two providers have one name, or <see cref="AtlasRuntimeOptions.ConfigureChatClient"/> names no provider.
    /// </exception>
    public ProviderRegistry(AtlasRuntimeOptions options, SecretRedactor secrets, TimeProvider timeProvider)
    {
        foreach (var descriptor in options.Providers)
        {
            if (_providers.ContainsKey(descriptor.Name))
            {
                throw new ArgumentException($"Provider '{descriptor.Name}' is declared twice.", nameof(options));
            }

            _providers[descriptor.Name] = options.ChatClients.TryGetValue(descriptor.Name, out var hosted)
                ? Create(descriptor, new BorrowedChatClient(hosted), http: null, factory: null, reason: null, options, secrets, timeProvider)
                : Create(descriptor, options, secrets, timeProvider);
        }

        // A host may register a client under a name no .atlas file declares; it is a provider too.
        foreach (var (name, client) in options.ChatClients)
        {
            if (!_providers.ContainsKey(name))
            {
                _providers[name] = Create(new ProviderDescriptor(name, ProviderKind.Custom), new BorrowedChatClient(client), http: null, factory: null, reason: null, options, secrets, timeProvider);
            }
        }

        if (options.ChatClientConfigurations.FirstOrDefault(c => c.Provider is not null && !_providers.ContainsKey(c.Provider)).Provider is { } unknown)
        {
            Dispose();
            throw new ArgumentException($"ConfigureChatClient names provider '{unknown}', which is neither declared nor a host's client. Known: {string.Join(", ", Names.Order(StringComparer.Ordinal))}.", nameof(options));
        }
    }

    /// <summary>The declared providers and host clients, by name.</summary>
    public IReadOnlyCollection<string> Names => _providers.Keys;

    public IEnumerable<Provider> All => _providers.Values;

    /// <exception cref="ArgumentException">No provider has that name.</exception>
    public Provider Get(string name) =>
        _providers.TryGetValue(name, out var provider)
            ? provider
            : throw new ArgumentException($"Unknown provider '{name}'. Known: {string.Join(", ", _providers.Keys.Order(StringComparer.Ordinal))}.", nameof(name));

    public bool TryGet(string name, [NotNullWhen(true)] out Provider? provider) => _providers.TryGetValue(name, out provider);

    /// <summary>Disposes every provider's pipeline (and the clients the runtime made).</summary>
    public void Dispose()
    {
        foreach (var provider in _providers.Values)
        {
            provider.Dispose();
        }
    }

    /// <summary>
    /// A provider's pipeline, outermost first: usage accounting and token events (they read the request's
    /// <see cref="ModelCallContext"/>, and take it out of the options), the <c>chat</c> span (and, when the user opts in,
    /// the redacted messages on it), the request log, the host's middleware in the order it was added,
    /// the concurrency limit, error normalisation (over a remote library, with the HTTP client it owns, asking the kind's
    /// <paramref name="factory"/> about the library's failures) or, over a host's own client, the reading of its library's
    /// rate limits, the keeping of unparsable tool-call arguments, and the client.
    /// </summary>
    internal static IChatClient BuildPipeline(ProviderDescriptor descriptor, IChatClient client, HttpClient? http, ProviderClientFactory? factory, AtlasRuntimeOptions options, SecretRedactor secrets)
    {
        var builder = new ChatClientBuilder(client)
            .UseUsage(descriptor)
            .UseTokenEvents(secrets)

            // One chat span per provider request (each retry and fallback its own), with the reply's usage; its own
            // capture of content stays off: the next middleware records it with API keys blanked out, when asked to.
            .UseOpenTelemetry(options.LoggerFactory, AtlasTelemetry.SourceName, c => c.EnableSensitiveData = false);
        if (options.CaptureMessageContent)
        {
            builder.UseMessageContent(secrets);
        }

        builder.UseRequestLog(options.LoggerFactory, descriptor, secrets, options.TimeProvider ?? TimeProvider.System);

        foreach (var (provider, configure) in options.ChatClientConfigurations)
        {
            if (provider is null || provider == descriptor.Name)
            {
                configure(builder);
            }
        }

        if (descriptor.MaxConcurrency is > 0 and var maxConcurrency)
        {
            builder.UseConcurrencyLimit(descriptor.Name, maxConcurrency);
        }

        if (http is not null)
        {
            builder.UseProviderErrors(descriptor.Name, ProviderKinds.Spelling(descriptor.Kind), secrets, factory, http);
        }

        // The kind's factory reads its library's raw replies and errors; a host's own client may be any registered kind's library.
        IReadOnlyList<ProviderClientFactory> readers = factory is not null ? [factory] : options.ProviderClientFactories.Values.Distinct().ToArray();
        if (http is null && descriptor.Kind != ProviderKind.Mock && readers.Count > 0)
        {
            builder.UseRateLimitErrors(descriptor.Name, readers);
        }

        if (readers.Count > 0)
        {
            builder.UseToolCallArguments(readers);
        }

        return builder.Build(options.Services);
    }

    private static Provider Create(ProviderDescriptor descriptor, AtlasRuntimeOptions options, SecretRedactor secrets, TimeProvider timeProvider)
    {
        var (client, http, factory, reason) = ProviderKinds.CreateClient(descriptor, options, secrets);
        return Create(descriptor, client, http, factory, reason, options, secrets, timeProvider);
    }

    private static Provider Create(ProviderDescriptor descriptor, IChatClient? client, HttpClient? http, ProviderClientFactory? factory, string? reason, AtlasRuntimeOptions options, SecretRedactor secrets, TimeProvider timeProvider)
    {
        if (client is null)
        {
            return new Provider(descriptor, null, reason, null);
        }

        // The built-in mock never fails; it needs no breaker.
        var circuit = options.CircuitBreaker is { } settings && descriptor.Kind != ProviderKind.Mock ? new ProviderCircuit(settings, timeProvider) : null;
        return new Provider(descriptor, BuildPipeline(descriptor, client, http, factory, options, secrets), null, circuit);
    }
}
