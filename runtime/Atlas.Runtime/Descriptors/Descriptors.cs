using System;
using System.Collections.Generic;

namespace Atlas.Runtime;

// Plain data describing what an .atlas file declared. Generated code builds these as static
// fields; the CLI interpreter builds the same from the bound model. The runtime executes them.

/// <summary>A provider's kind: which client the runtime makes for it (spec/language.md §6).</summary>
public enum ProviderKind
{
    /// <summary><c>openai</c>.</summary>
    OpenAI,

    /// <summary><c>anthropic</c>.</summary>
    Anthropic,

    /// <summary><c>ollama</c>.</summary>
    Ollama,

    /// <summary><c>openai_compatible</c>: the OpenAI wire format at a declared endpoint.</summary>
    OpenAICompatible,

    /// <summary><c>mock</c>: the built-in offline model.</summary>
    Mock,

    /// <summary>A host's own client, registered under a name no descriptor declares.</summary>
    Custom,
}

/// <summary>
/// A provider. <see cref="ApiKeyVariable"/> names an
/// environment variable; the key itself is never stored here. <see cref="EmbeddingModel"/> is the model a knowledge base whose
/// <c>embedder</c> is this provider embeds with (see <see cref="ProviderEmbedders"/>). <see cref="Timeout"/> bounds each request to a
/// remote provider from sending it to the reply's last byte; without it, the reply must start within 100 s and may pause at most
/// 30 s between chunks (spec/language.md §6).
/// </summary>
/// <param name="Name">The provider's declared name, which agents' <c>model</c> and routes' <c>use</c> refer to.</param>
/// <param name="Kind">Which client the runtime makes for it.</param>
/// <param name="Model">The model the provider is asked for (e.g. <c>gpt-4o-mini</c>); required except for <see cref="ProviderKind.Mock"/>.</param>
/// <param name="Endpoint">The base URL of the service; required for <see cref="ProviderKind.OpenAICompatible"/>, the library's default otherwise.</param>
/// <param name="ApiKeyVariable">The environment variable holding the API key; a provider whose variable is unset is unavailable, not an error.</param>
/// <param name="Capabilities">What the provider supports (<c>chat</c>, <c>tools</c>, <c>json</c>, <c>embeddings</c>, <c>vision</c>, <c>streaming</c>); <see langword="null"/> for its kind's defaults.</param>
/// <param name="InputCostPerMillion">US dollars per million input tokens, for <see cref="Usage.CostUsd"/>, budgets and <see cref="RouteStrategy.Cheapest"/>; <see langword="null"/> if not declared.</param>
/// <param name="OutputCostPerMillion">US dollars per million output tokens; <see langword="null"/> if not declared.</param>
/// <param name="Latency">For <see cref="ProviderKind.Mock"/>, the delay before each streamed word; ignored by the other kinds.</param>
/// <param name="MaxConcurrency">How many calls to this provider may be in flight at once (the others wait); <see langword="null"/> for no limit.</param>
/// <param name="EmbeddingModel">The model a knowledge base embeds with when this provider is its <c>embedder</c>.</param>
/// <param name="Timeout">The most one request may take, from sending it to the reply's last byte; <see langword="null"/> for the start and idle limits above.</param>
public sealed record ProviderDescriptor(
    string Name,
    ProviderKind Kind,
    string? Model = null,
    string? Endpoint = null,
    string? ApiKeyVariable = null,
    IReadOnlyList<string>? Capabilities = null,
    double? InputCostPerMillion = null,
    double? OutputCostPerMillion = null,
    TimeSpan? Latency = null,
    int? MaxConcurrency = null,
    string? EmbeddingModel = null,
    TimeSpan? Timeout = null);

/// <summary>How a route picks among its usable providers (spec/language.md §7).</summary>
public enum RouteStrategy
{
    /// <summary><c>fallback</c>: in the order of <c>use</c>, the next when one fails.</summary>
    Fallback,

    /// <summary><c>round_robin</c>: each call starts at the next provider.</summary>
    RoundRobin,

    /// <summary><c>cheapest</c>: by the estimated cost of the call; a provider without a cost comes last.</summary>
    Cheapest,

    /// <summary><c>fastest</c>: untried first, then by average latency.</summary>
    Fastest,
}

/// <summary>A route over the providers in <see cref="Use"/>, picked by <see cref="Strategy"/>.</summary>
/// <remarks>A provider that is unavailable, lacks a capability in <see cref="Require"/> or has its circuit open is skipped, with the reason in the <see cref="ProviderSelected"/> event.</remarks>
/// <param name="Name">The route's declared name, which agents' <c>model</c> refers to; no provider may have it too.</param>
/// <param name="Strategy">How the route orders its providers for each call.</param>
/// <param name="Use">The names of the providers it routes over, in the declared order.</param>
/// <param name="Require">Capabilities every provider it uses must support; <see langword="null"/> for none.</param>
/// <param name="Retry">How many times a failed request is retried after its first attempt (0: none).</param>
/// <param name="Timeout">The most one attempt may take; <see langword="null"/> for no route limit (the provider's own limits still apply).</param>
/// <param name="Cache">Answer identical requests from the run store (<c>cache</c>); <see langword="null"/> for no cache.</param>
public sealed record RouteDescriptor(
    string Name,
    RouteStrategy Strategy,
    IReadOnlyList<string> Use,
    IReadOnlyList<string>? Require = null,
    int Retry = 0,
    TimeSpan? Timeout = null,
    CacheDescriptor? Cache = null);

/// <summary>
/// <c>cache = true</c> or <c>cache { ttl = 24h }</c> on an agent or a route: an identical request (model, messages,
/// options, schema, tools) is answered from the run store without a model call, marked as a cache hit and costing nothing.
/// </summary>
/// <param name="Ttl">How long a recorded reply answers; <see langword="null"/> for as long as the store keeps it.</param>
public sealed record CacheDescriptor(TimeSpan? Ttl = null);

/// <summary>A parameter of an agent or a tool, as declared: what the model is told about it, and what delegation validates.</summary>
/// <param name="Name">The parameter's name, which is also its argument's JSON property name.</param>
/// <param name="TypeName">
/// The Atlas type as written in the .atlas file (<c>string</c>, <c>Ticket</c>, <c>Passage[]</c>); a trailing <c>?</c>
/// marks an optional parameter.
/// </param>
public sealed record ParameterDescriptor(string Name, string TypeName);

/// <summary>
/// An agent. <see cref="Model"/> names a provider or route. For a structured result
/// <see cref="ResultSchema"/> is the JSON schema of <see cref="ResultTypeName"/>; for text it is null.
/// </summary>
/// <remarks>
/// <see cref="Delegates"/> are the agents it may hand work to, each offered to the model as a tool
/// whose arguments follow the delegate's <see cref="ParametersSchema"/> (a JSON schema of an object
/// with one property per parameter; set on every agent that is some agent's delegate).
/// <see cref="MaxDepth"/> bounds how deep delegations may nest below this agent (null: <see cref="DefaultMaxDepth"/>);
/// <see cref="Budget"/> bounds what one call of it may spend, its delegations included.
/// <see cref="MaxToolCalls"/> bounds the tool-call rounds of one call (null: <see cref="DefaultMaxToolCalls"/>): a round
/// is one reply of the model asking for tools (or delegates), however many it names. After the last allowed round the
/// model is asked once more with no tools offered; a reply that still asks for tools fails the call.
/// </remarks>
/// <param name="Name">The agent's declared name.</param>
/// <param name="Parameters">Its parameters, in declared order; the prompt and instructions templates read them.</param>
/// <param name="ResultTypeName">The Atlas type of its result (<c>string</c> for text).</param>
/// <param name="ResultSchema">The JSON schema a structured result is validated against; <see langword="null"/> for text.</param>
/// <param name="Model">The provider or route it calls.</param>
/// <param name="Prompt">The user message, rendered from the arguments.</param>
/// <param name="Instructions">The system message, rendered from the arguments; <see langword="null"/> for none.</param>
/// <param name="Temperature">The sampling temperature (0 to 2) asked of the model; <see langword="null"/> for the provider's default.</param>
/// <param name="MaxTokens">The most output tokens one reply may have; <see langword="null"/> for the provider's default.</param>
/// <param name="Tools">The names of the tools and MCP servers the model may call (an MCP server offers all its tools); <see langword="null"/> for none.</param>
/// <param name="Delegates">The agents it may hand work to, each offered to the model as a tool; <see langword="null"/> for none.</param>
/// <param name="ParametersSchema">The JSON schema of its arguments when it is offered as a delegate; <see langword="null"/> if it is no agent's delegate.</param>
/// <param name="MaxDepth">How many levels of delegation may nest below it; <see langword="null"/> for <see cref="DefaultMaxDepth"/>.</param>
/// <param name="Budget">The most one call of it may spend, its delegations included; <see langword="null"/> for no limit.</param>
/// <param name="MaxToolCalls">How many tool-call rounds one call may make; <see langword="null"/> for <see cref="DefaultMaxToolCalls"/>.</param>
/// <param name="Cache">Answer identical requests from the run store (<c>cache</c>); <see langword="null"/> for its route's setting.</param>
public sealed record AgentDescriptor(
    string Name,
    IReadOnlyList<ParameterDescriptor> Parameters,
    string ResultTypeName,
    string? ResultSchema,
    string Model,
    PromptTemplate Prompt,
    PromptTemplate? Instructions = null,
    double? Temperature = null,
    int? MaxTokens = null,
    IReadOnlyList<string>? Tools = null,
    IReadOnlyList<AgentDescriptor>? Delegates = null,
    string? ParametersSchema = null,
    int? MaxDepth = null,
    BudgetDescriptor? Budget = null,
    int? MaxToolCalls = null,
    CacheDescriptor? Cache = null)
{
    /// <summary>How many tool-call rounds one call of an agent that does not set <c>max_tool_calls</c> may make (M.E.AI's default loop limit).</summary>
    public const int DefaultMaxToolCalls = 40;

    /// <summary>How many levels of delegation may nest below an agent that does not set <c>max_depth</c>.</summary>
    public const int DefaultMaxDepth = 3;

    /// <summary>Whether the agent returns text (its reply as it is) rather than a structured value validated against <see cref="ResultSchema"/>.</summary>
    public bool ReturnsText => ResultSchema is null;
}

/// <summary>
/// <c>budget { usd = ..., tokens = ... }</c>: the most one workflow run or one agent call may spend,
/// in US dollars (at the providers' declared costs) and in tokens (input plus output); null is no limit.
/// </summary>
/// <param name="Usd">The most it may cost in US dollars; <see langword="null"/> for no cost limit.</param>
/// <param name="Tokens">The most input plus output tokens it may use; <see langword="null"/> for no token limit.</param>
public sealed record BudgetDescriptor(decimal? Usd = null, long? Tokens = null);

/// <summary>A tool's signature (the implementation is supplied to the runtime separately).</summary>
/// <param name="Name">The tool's declared name, under which its implementation is registered in <see cref="AtlasRuntimeOptions.Tools"/>.</param>
/// <param name="Parameters">Its parameters, in declared order.</param>
/// <param name="ResultTypeName">The Atlas type of its result.</param>
public sealed record ToolDescriptor(string Name, IReadOnlyList<ParameterDescriptor> Parameters, string ResultTypeName);

/// <summary>How a knowledge base cuts its documents into chunks (spec/language.md §10).</summary>
public enum ChunkingStrategy
{
    /// <summary><c>fixed</c>: runs of words of the chunk size, with the overlap.</summary>
    Fixed,

    /// <summary><c>recursive</c>: split at separators from coarse (paragraphs) to fine until pieces fit, packed to the chunk size.</summary>
    Recursive,

    /// <summary><c>markdown</c>: one chunk per section under its heading path (a long section is cut further); other formats as <see cref="Recursive"/>.</summary>
    Markdown,
}

/// <summary>Where a knowledge base keeps its chunks (spec/language.md §10).</summary>
public enum StoreKind
{
    /// <summary><c>sqlite("file.db")</c>: one SQLite file, relative to the base directory.</summary>
    Sqlite,

    /// <summary><c>chroma("http://host:port")</c>: a collection on a ChromaDB server.</summary>
    Chroma,
}

/// <summary>A knowledge base: source globs relative to <c>BaseDirectory</c> of the runtime options, chunking, embedder and store.</summary>
/// <param name="Name">The knowledge base's declared name, which workflows search by.</param>
/// <param name="Sources">Globs of the files it holds, relative to <see cref="AtlasRuntimeOptions.BaseDirectory"/>.</param>
/// <param name="Chunking">How documents are cut.</param>
/// <param name="ChunkSize">The most tokens in a chunk (0 for the default, 800).</param>
/// <param name="ChunkOverlap">How many tokens consecutive chunks share (ignored by <see cref="ChunkingStrategy.Markdown"/>).</param>
/// <param name="Embedder"><c>minilm</c>, or the name of the provider whose <c>embedding_model</c> computes the vectors.</param>
/// <param name="Store">The kind of store.</param>
/// <param name="StoreTarget">
/// Where the store is: the SQLite file, relative to <see cref="AtlasRuntimeOptions.BaseDirectory"/> (empty for
/// <c>NAME.db</c>), or the ChromaDB server's http(s) URL.
/// </param>
public sealed record KnowledgeDescriptor(
    string Name,
    IReadOnlyList<string> Sources,
    ChunkingStrategy Chunking,
    int ChunkSize,
    int ChunkOverlap,
    string Embedder,
    StoreKind Store,
    string StoreTarget);

/// <summary>Per-step or per-call policy: retries after the first attempt, a timeout per attempt, and (for `for`) parallelism.</summary>
/// <param name="Retry">How many times a failed attempt is retried, with exponential backoff; 0 for no retry.</param>
/// <param name="Timeout">The most one attempt may take; <see langword="null"/> for no limit.</param>
/// <param name="Parallelism">For <see cref="StepContext.ForEachAsync{TIn, TOut}(System.Collections.Generic.IReadOnlyList{TIn}, StepPolicy, Func{TIn, StepContext, System.Threading.CancellationToken, System.Threading.Tasks.Task{TOut}}, System.Threading.CancellationToken)"/>, how many items run at once (at least 1).</param>
public sealed record StepPolicy(int Retry = 0, TimeSpan? Timeout = null, int Parallelism = 1)
{
    /// <summary>One attempt, no timeout, one item at a time: the policy of a step declared without <c>with { ... }</c>.</summary>
    public static readonly StepPolicy Default = new();
}

/// <summary>
/// An MCP server the runtime starts over stdio on first use: <see cref="Command"/> with <see cref="Arguments"/>,
/// in <see cref="WorkingDirectory"/> (null: the runtime's <c>BaseDirectory</c>, the .atlas file's folder; a relative
/// one starts there too). A command holding a path separator is resolved against the working directory as well;
/// a bare name is looked up on <c>PATH</c>. <see cref="Environment"/> adds to (a null value removes from) the
/// inherited environment. <see cref="StartTimeout"/> bounds starting the process and the MCP handshake (default 30s).
/// </summary>
/// <param name="Name">The server's declared name, which agents' <c>tools</c> refer to.</param>
/// <param name="Command">The program to start.</param>
/// <param name="Arguments">Its command-line arguments, each passed as one argument (no shell).</param>
/// <param name="WorkingDirectory">The folder it starts in; <see langword="null"/> for the runtime's <c>BaseDirectory</c>.</param>
/// <param name="Environment">Variables to set (or, with a <see langword="null"/> value, remove) in the inherited environment; <see langword="null"/> for none.</param>
/// <param name="StartTimeout">The most starting it and the MCP handshake may take; <see langword="null"/> for 30 seconds.</param>
public sealed record McpDescriptor(
    string Name,
    string Command,
    IReadOnlyList<string> Arguments,
    string? WorkingDirectory = null,
    IReadOnlyDictionary<string, string?>? Environment = null,
    TimeSpan? StartTimeout = null);
