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
public sealed record RouteDescriptor(
    string Name,
    RouteStrategy Strategy,
    IReadOnlyList<string> Use,
    IReadOnlyList<string>? Require = null,
    int Retry = 0,
    TimeSpan? Timeout = null);

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
    int? MaxToolCalls = null)
{
    /// <summary>How many tool-call rounds one call of an agent that does not set <c>max_tool_calls</c> may make (M.E.AI's default loop limit).</summary>
    public const int DefaultMaxToolCalls = 40;

    /// <summary>How many levels of delegation may nest below an agent that does not set <c>max_depth</c>.</summary>
    public const int DefaultMaxDepth = 3;

    public bool ReturnsText => ResultSchema is null;
}

/// <summary>
/// <c>budget { usd = ..., tokens = ... }</c>: the most one workflow run or one agent call may spend,
/// in US dollars (at the providers' declared costs) and in tokens (input plus output); null is no limit.
/// </summary>
public sealed record BudgetDescriptor(decimal? Usd = null, long? Tokens = null);

/// <summary>A tool's signature (the implementation is supplied to the runtime separately).</summary>
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

/// <summary>
/// A knowledge base: source globs relative to <c>BaseDirectory</c> of the runtime options, how they are chunked (sizes in
/// tokens), the embedder (<c>minilm</c> or a provider's name) and the store (<see cref="StoreTarget"/> is its file or URL).
/// </summary>
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
public sealed record StepPolicy(int Retry = 0, TimeSpan? Timeout = null, int Parallelism = 1)
{
    public static readonly StepPolicy Default = new();
}

/// <summary>
/// An MCP server the runtime starts over stdio on first use: <see cref="Command"/> with <see cref="Arguments"/>,
/// in <see cref="WorkingDirectory"/> (null: the runtime's <c>BaseDirectory</c>, the .atlas file's folder; a relative
/// one starts there too). A command holding a path separator is resolved against the working directory as well;
/// a bare name is looked up on <c>PATH</c>. <see cref="Environment"/> adds to (a null value removes from) the
/// inherited environment. <see cref="StartTimeout"/> bounds starting the process and the MCP handshake (default 30s).
/// </summary>
public sealed record McpDescriptor(
    string Name,
    string Command,
    IReadOnlyList<string> Arguments,
    string? WorkingDirectory = null,
    IReadOnlyDictionary<string, string?>? Environment = null,
    TimeSpan? StartTimeout = null);
