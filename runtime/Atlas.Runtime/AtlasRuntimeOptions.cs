using System;
using System.Collections.Generic;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>What a runtime is built from: the declarations, plus anything the host supplies.</summary>
public sealed class AtlasRuntimeOptions
{
    /// <summary>The declared providers; each becomes a chat client unless <see cref="ChatClients"/> has one under its name.</summary>
    public IList<ProviderDescriptor> Providers { get; } = new List<ProviderDescriptor>();

    /// <summary>The declared routes over <see cref="Providers"/>; a route's name may not be a provider's.</summary>
    public IList<RouteDescriptor> Routes { get; } = new List<RouteDescriptor>();

    /// <summary>The declared knowledge bases; each is searched through <see cref="Knowledge"/> or <see cref="KnowledgeFactory"/>.</summary>
    public IList<KnowledgeDescriptor> KnowledgeBases { get; } = new List<KnowledgeDescriptor>();

    /// <summary>The declared MCP servers; each starts on first use by an agent that lists it, and stops when the runtime is disposed.</summary>
    public IList<McpDescriptor> McpServers { get; } = new List<McpDescriptor>();

    /// <summary>A host's own chat clients by provider name; they replace what the descriptor would create.</summary>
    public IDictionary<string, IChatClient> ChatClients { get; } = new Dictionary<string, IChatClient>(StringComparer.Ordinal);

    /// <summary>Tool implementations by declared tool name (generated code registers the partial methods here).</summary>
    public IDictionary<string, AIFunction> Tools { get; } = new Dictionary<string, AIFunction>(StringComparer.Ordinal);

    /// <summary>Knowledge base implementations by name; a declared one without an entry comes from <see cref="KnowledgeFactory"/>.</summary>
    public IDictionary<string, IKnowledgeBase> Knowledge { get; } = new Dictionary<string, IKnowledgeBase>(StringComparer.Ordinal);

    /// <summary>
    /// Builds the declared knowledge bases that <see cref="Knowledge"/> has no entry for (on SQLite or ChromaDB with
    /// Atlas.Knowledge; generated <c>AddAtlas()</c> sets one that searches as <c>atlas run</c> does); when null, searching one fails.
    /// </summary>
    public IKnowledgeBaseFactory? KnowledgeFactory { get; set; }

    /// <summary>Reads environment variables (API keys); replaceable for tests. Values are never logged or put in events.</summary>
    public Func<string, string?> GetEnvironmentVariable { get; set; } = Environment.GetEnvironmentVariable;

    /// <summary>
    /// Where relative paths in declarations (knowledge sources, store files, MCP servers' working directories) start: the
    /// folder of the .atlas files. Generated code sets it to that folder as it was at build time; a deployed app whose
    /// files live elsewhere sets it in its configure callback.
    /// </summary>
    public string BaseDirectory { get; set; } = AppContext.BaseDirectory;

    /// <summary>
    /// The clock of event timestamps, durations, retry delays, timeouts, circuit breakers and the mock's latency;
    /// replaceable for tests (e.g. with a fake time provider). Defaults to <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Each provider's circuit breaker; null turns circuit breaking off.</summary>
    public CircuitBreakerSettings? CircuitBreaker { get; set; } = CircuitBreakerSettings.Default;

    /// <summary>
    /// Fills what these options leave unset from a service container: its <see cref="IKnowledgeBaseFactory"/>, if one is
    /// registered. <c>AddAtlasRuntime</c> and generated <c>AddAtlas()</c> call it after the host's own configuration.
    /// </summary>
    /// <param name="services">The container to read from; a value these options already have is kept.</param>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public void UseServices(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        KnowledgeFactory ??= (IKnowledgeBaseFactory?)services.GetService(typeof(IKnowledgeBaseFactory));
    }
}
