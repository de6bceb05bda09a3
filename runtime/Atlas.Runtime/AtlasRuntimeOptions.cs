using System;
using System.Collections.Generic;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

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

    /// <summary>
    /// How the clients of each remote provider kind are made. Atlas.Runtime carries no provider library: a kind's package
    /// registers its factory here with its <c>Use...</c> method (<c>options.UseOpenAI()</c> from Atlas.Runtime.OpenAI, and
    /// <c>UseAnthropic()</c>, <c>UseOllama()</c>), which generated <c>AddAtlas()</c> calls for the kinds a project declares.
    /// A declared provider of a kind with no factory is unavailable, its <see cref="ProviderStatus.Reason"/> naming the
    /// package. <see cref="ProviderKind.Mock"/> is built in and needs none.
    /// </summary>
    public IDictionary<ProviderKind, ProviderClientFactory> ProviderClientFactories { get; } = new Dictionary<ProviderKind, ProviderClientFactory>();

    /// <summary>
    /// Starts the declared MCP servers (<see cref="McpServers"/>); Atlas.Runtime.Mcp sets it with <c>options.UseMcp()</c>,
    /// which generated <c>AddAtlas()</c> calls when a project declares an <c>mcp</c> block. When null, an agent that lists
    /// an MCP server fails its call with one line naming the package.
    /// </summary>
    public IMcpServerFactory? McpServerFactory { get; set; }

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

    /// <summary>
    /// Where the runtime logs: which provider a route chose, retries and fallbacks (Information), every model request with
    /// its provider, model, tokens and latency (Debug), failures (Warning). Never a message's content or a key.
    /// Defaults to <see cref="NullLoggerFactory.Instance"/>; <see cref="UseServices"/> takes the container's.
    /// </summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>
    /// Whether each model request's messages and reply are recorded on its <c>chat</c> span (<c>gen_ai.input.messages</c>,
    /// <c>gen_ai.output.messages</c>), API keys blanked out. Off unless the environment variable
    /// <c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT</c> is <c>true</c> (read when these options are made).
    /// </summary>
    public bool CaptureMessageContent { get; set; } = AtlasTelemetry.IsOn(Environment.GetEnvironmentVariable(AtlasTelemetry.CaptureMessageContentVariable));

    /// <summary>Each provider's circuit breaker; null turns circuit breaking off.</summary>
    public CircuitBreakerSettings? CircuitBreaker { get; set; } = CircuitBreakerSettings.Default;

    /// <summary>
    /// Where runs are recorded (history, resume, the response cache, replay, human answers); <see langword="null"/> records
    /// nothing, and then <c>cache</c> does nothing and a human step with no <see cref="HumanInput"/> fails.
    /// The runtime disposes it. SQLite's is <c>o.UseRunStore("runs.db")</c> (package Atlas.Runtime.Sqlite).
    /// </summary>
    public IRunStore? RunStore { get; set; }

    /// <summary>How human steps are answered now; <see langword="null"/> (or an answer it leaves null) makes a recorded run wait.</summary>
    public IHumanInput? HumanInput { get; set; }

    /// <summary>The host's middleware, in the order it was added: for one provider (by name), or for every provider (null).</summary>
    internal List<(string? Provider, Action<ChatClientBuilder> Configure)> ChatClientConfigurations { get; } = [];

    /// <summary>The container <see cref="UseServices"/> was given; the host's middleware resolve their services from it.</summary>
    internal IServiceProvider? Services { get; private set; }

    /// <summary>
    /// Adds the host's own middleware (logging, OpenTelemetry, a cache, a content filter...) to the pipeline of the provider
    /// named <paramref name="provider"/>, in the Microsoft.Extensions.AI style:
    /// <c>o.ConfigureChatClient("openai", b =&gt; b.UseOpenTelemetry().UseLogging())</c>. The first <c>Use</c> is the outermost.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Each provider has one pipeline, built when the runtime is created, that every call to it goes through, outermost
    /// first: the runtime's usage accounting and token events, then the host's middleware (from every
    /// <see cref="ConfigureChatClients"/> and <see cref="ConfigureChatClient"/> call, in the order they were made), then
    /// the provider's concurrency limit, error normalisation and client. A route's (or a direct call's) retries, circuit
    /// breaker and timeout are outside it: the host's middleware sees every request of a tool loop and every retry, one
    /// attempt at a time, and a remote provider's failures as <see cref="ProviderException"/>s.
    /// </para>
    /// <para>
    /// <paramref name="configure"/> runs once, when the runtime is created; its middleware lives as long as the runtime,
    /// which disposes it. Middleware built without explicit services resolve them from the container given to
    /// <see cref="UseServices"/> (generated <c>AddAtlas()</c> gives it the application's).
    /// </para>
    /// </remarks>
    /// <param name="provider">A declared provider's name, or the name of a host's client in <see cref="ChatClients"/>.</param>
    /// <param name="configure">Adds middleware to the provider's pipeline builder.</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="provider"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is <see langword="null"/>.</exception>
    public AtlasRuntimeOptions ConfigureChatClient(string provider, Action<ChatClientBuilder> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        ArgumentNullException.ThrowIfNull(configure);
        ChatClientConfigurations.Add((provider, configure));
        return this;
    }

    /// <summary>
    /// Adds the host's own middleware to the pipeline of every provider (each gets its own instances: <paramref name="configure"/>
    /// runs once per provider); see <see cref="ConfigureChatClient"/> for where it sits and in which order.
    /// </summary>
    /// <param name="configure">Adds middleware to each provider's pipeline builder.</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is <see langword="null"/>.</exception>
    public AtlasRuntimeOptions ConfigureChatClients(Action<ChatClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        ChatClientConfigurations.Add((null, configure));
        return this;
    }

    /// <summary>
    /// Fills what these options leave unset from a service container: its <see cref="IKnowledgeBaseFactory"/> and its
    /// <see cref="ILoggerFactory"/> (for <see cref="LoggerFactory"/>), if registered; and the host's middleware (<see cref="ConfigureChatClient"/>) resolve their services (a logger factory,
    /// a distributed cache...) from it. <c>AddAtlasRuntime</c> and generated <c>AddAtlas()</c> call it after the host's
    /// own configuration.
    /// </summary>
    /// <param name="services">The container to read from; a value these options already have is kept.</param>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public void UseServices(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        KnowledgeFactory ??= (IKnowledgeBaseFactory?)services.GetService(typeof(IKnowledgeBaseFactory));
        if (LoggerFactory is NullLoggerFactory && services.GetService(typeof(ILoggerFactory)) is ILoggerFactory loggerFactory)
        {
            LoggerFactory = loggerFactory;
        }

        Services ??= services;
    }
}
