using Atlas.Compiler.Text;

namespace Atlas.Compiler.Model;

/// <summary>
/// The bound, checked meaning of a project's .atlas / .atlas.yaml files: immutable, equatable,
/// and free of source positions, so a whitespace edit or the same model written in YAML compares
/// equal (and the generator's source output stays cached). Declarations are sorted by name.
/// </summary>
public sealed record AtlasModel(
    EquatableArray<ProviderModel> Providers,
    EquatableArray<RouteModel> Routes,
    EquatableArray<EnumModel> Enums,
    EquatableArray<TypeModel> Types,
    EquatableArray<AgentModel> Agents,
    EquatableArray<HumanModel> Humans,
    EquatableArray<ToolModel> Tools,
    EquatableArray<McpModel> McpServers,
    EquatableArray<KnowledgeModel> KnowledgeBases,
    EquatableArray<WorkflowModel> Workflows)
{
    public static readonly AtlasModel Empty = new(
        EquatableArray<ProviderModel>.Empty,
        EquatableArray<RouteModel>.Empty,
        EquatableArray<EnumModel>.Empty,
        EquatableArray<TypeModel>.Empty,
        EquatableArray<AgentModel>.Empty,
        EquatableArray<HumanModel>.Empty,
        EquatableArray<ToolModel>.Empty,
        EquatableArray<McpModel>.Empty,
        EquatableArray<KnowledgeModel>.Empty,
        EquatableArray<WorkflowModel>.Empty);
}

// ---------- providers and routes ----------

public enum ProviderKind
{
    OpenAI,
    Anthropic,
    Ollama,
    OpenAICompatible,
    Mock,
}

/// <summary>Provider kinds as .atlas files spell them: the key of the runtime's tables (<c>ProviderDefaults</c>, <c>RuntimePackage</c>).</summary>
public static class ProviderKindSpellings
{
    /// <summary>Every kind's spelling, in the order of <see cref="ProviderKind"/>.</summary>
    public static readonly string[] All = { Of(ProviderKind.OpenAI), Of(ProviderKind.Anthropic), Of(ProviderKind.Ollama), Of(ProviderKind.OpenAICompatible), Of(ProviderKind.Mock) };

    /// <summary><paramref name="kind"/> as written after <c>kind =</c>.</summary>
    public static string Of(ProviderKind kind) => kind switch
    {
        ProviderKind.OpenAI => "openai",
        ProviderKind.Anthropic => "anthropic",
        ProviderKind.Ollama => "ollama",
        ProviderKind.OpenAICompatible => "openai_compatible",
        _ => "mock",
    };
}

/// <summary>USD per million tokens.</summary>
public sealed record CostModel(double InputPerMillion, double OutputPerMillion);

/// <summary>
/// A provider. <see cref="ApiKeyVariable"/> is the environment variable's name, never its value.
/// <see cref="Capabilities"/> are the declared <c>supports</c> list, or the kind's defaults.
/// <see cref="EmbeddingModel"/> is the model a knowledge base embeds with when this provider is its <c>embedder</c>.
/// <see cref="TimeoutMs"/> bounds each request to it, start to last byte (null: the runtime's defaults).
/// </summary>
public sealed record ProviderModel(
    string Name,
    ProviderKind Kind,
    string? Model,
    string? Endpoint,
    string? ApiKeyVariable,
    EquatableArray<string> Capabilities,
    CostModel? Cost,
    long? LatencyMs,
    int? MaxConcurrency,
    string? EmbeddingModel = null,
    long? TimeoutMs = null);

public enum RouteStrategy
{
    Fallback,
    RoundRobin,
    Cheapest,
    Fastest,
}

/// <summary>A route. <see cref="Cache"/> is its <c>cache</c>; null when it caches nothing (<c>cache = false</c> or none written).</summary>
public sealed record RouteModel(
    string Name,
    RouteStrategy Strategy,
    EquatableArray<string> Use,
    EquatableArray<string> Require,
    int Retry,
    long? TimeoutMs,
    CacheModel? Cache = null);

/// <summary>
/// <c>cache = true</c> or <c>cache { ttl = 24h }</c> on an agent or a route: an identical request is answered from the
/// run store without a model call. <see cref="TtlMs"/> is how long a recorded reply answers; null for as long as the store keeps it.
/// </summary>
public sealed record CacheModel(long? TtlMs);

// ---------- types ----------

public enum TypeKind
{
    String,
    Int,
    Float,
    Bool,
    Enum,
    Record,

    /// <summary>The built-in <c>Passage</c> record that knowledge search returns.</summary>
    Passage,

    /// <summary>A type that failed to bind; assignable to and from anything so one error does not cascade.</summary>
    Error,
}

/// <summary>A resolved type: <c>Name</c>, <c>Name[]</c>, <c>Name?</c> or <c>Name[]?</c>.</summary>
public sealed record TypeRef(string Name, TypeKind Kind, bool IsList = false, bool IsOptional = false)
{
    public static readonly TypeRef String = new("string", TypeKind.String);
    public static readonly TypeRef Int = new("int", TypeKind.Int);
    public static readonly TypeRef Float = new("float", TypeKind.Float);
    public static readonly TypeRef Bool = new("bool", TypeKind.Bool);
    public static readonly TypeRef Passage = new("Passage", TypeKind.Passage);
    public static readonly TypeRef Error = new("?", TypeKind.Error);

    /// <summary>The element type of a list (not optional).</summary>
    public TypeRef Element => this with { IsList = false, IsOptional = false };

    public TypeRef AsList() => this with { IsList = true, IsOptional = false };

    public override string ToString() => Name + (IsList ? "[]" : "") + (IsOptional ? "?" : "");
}

public sealed record EnumModel(string Name, EquatableArray<string> Members);

public sealed record FieldModel(string Name, TypeRef Type);

public sealed record TypeModel(string Name, EquatableArray<FieldModel> Fields);

public sealed record ParameterModel(string Name, TypeRef Type);

// ---------- agents, tools, MCP servers ----------

/// <summary>A prompt or instruction template: literal text, <c>{{path}}</c> and <c>{{for}}</c> parts.</summary>
public sealed record TemplateModel(EquatableArray<TemplatePart> Parts);

public abstract record TemplatePart;

public sealed record TextPart(string Text) : TemplatePart;

/// <summary><c>{{a.b.c}}</c>: the first segment is a parameter or loop variable.</summary>
public sealed record PathPart(EquatableArray<string> Path) : TemplatePart;

public sealed record ForPart(string Variable, EquatableArray<string> Source, EquatableArray<TemplatePart> Body) : TemplatePart;

/// <summary>What an agent's <c>model</c> names.</summary>
public enum ModelTargetKind
{
    Provider,
    Route,
}

public sealed record AgentModel(
    string Name,
    EquatableArray<ParameterModel> Parameters,
    TypeRef Returns,
    string Model,
    ModelTargetKind ModelKind,
    double? Temperature,
    int? MaxTokens,
    TemplateModel? Instructions,
    TemplateModel Prompt,
    EquatableArray<string> Tools,
    EquatableArray<string> Delegates,
    int? MaxDepth = null,
    BudgetModel? Budget = null,
    int? MaxToolCalls = null,
    CacheModel? Cache = null);

/// <summary>
/// <c>human name(params) -> Result { prompt = ..., timeout = ... }</c>: typed like an agent, answered by a person.
/// <see cref="TimeoutMs"/> is how long an asked question may go unanswered before its step fails; null for no limit.
/// </summary>
public sealed record HumanModel(
    string Name,
    EquatableArray<ParameterModel> Parameters,
    TypeRef Returns,
    TemplateModel Prompt,
    long? TimeoutMs);

/// <summary>
/// <c>budget { usd = 0.50, tokens = 20000 }</c>: the most one run (of a workflow) or one call (of an
/// agent, its delegations included) may spend; a null part is not limited. Tokens count input plus output.
/// <see cref="Usd"/> is the literal's exact decimal value (no trailing zeros), as the runtime counts money.
/// </summary>
public sealed record BudgetModel(decimal? Usd, long? Tokens);

/// <summary>
/// A declared tool. <paramref name="ReadOnly"/> (<c>read_only = true</c>): calling it changes nothing, so the
/// offline mock may call it with arguments it made up; it records every other call as one it would make.
/// </summary>
public sealed record ToolModel(string Name, EquatableArray<ParameterModel> Parameters, TypeRef Returns, bool ReadOnly = false);

public sealed record McpModel(string Name, string Command, EquatableArray<string> Arguments);

// ---------- knowledge ----------

public enum ChunkingStrategy
{
    Fixed,
    Recursive,
    Markdown,
}

/// <summary>Sizes in tokens.</summary>
public sealed record ChunkingModel(ChunkingStrategy Strategy, int Size, int Overlap);

public enum StoreKind
{
    Sqlite,
    Chroma,
}

public sealed record StoreModel(StoreKind Kind, string Target);

/// <summary><see cref="Embedder"/> is <c>minilm</c> (built in) or the name of a provider that embeds.</summary>
public sealed record KnowledgeModel(
    string Name,
    EquatableArray<string> Sources,
    ChunkingModel Chunking,
    string Embedder,
    StoreModel Store);

// ---------- workflows ----------

/// <summary>Steps in declaration order; each lists the steps it reads, so independent steps run concurrently.</summary>
public sealed record WorkflowModel(
    string Name,
    EquatableArray<ParameterModel> Parameters,
    TypeRef Returns,
    EquatableArray<StepModel> Steps,
    ExprModel Return,
    EquatableArray<string> ReturnDependsOn,
    BudgetModel? Budget = null);

public sealed record StepModel(string Name, ExprModel Value, EquatableArray<string> DependsOn);

/// <summary>Per-call policy from <c>with { retry = 3, timeout = 20s }</c>.</summary>
public sealed record CallOptions(int? Retry, long? TimeoutMs)
{
    public static readonly CallOptions None = new(null, null);

    /// <summary>True when it sets neither a retry nor a timeout.</summary>
    public bool IsEmpty => Retry is null && TimeoutMs is null;
}

/// <summary>A bound expression; <see cref="Type"/> is its checked type.</summary>
public abstract record ExprModel(TypeRef Type);

/// <summary>
/// Stands for an expression that failed to bind (its error is already reported), so the rest of the
/// workflow still binds; only a model whose compilation has errors holds one.
/// </summary>
public sealed record ErrorExpr() : ExprModel(TypeRef.Error);

public enum RefKind
{
    Parameter,
    Step,
    Variable,
}

/// <summary>A workflow parameter, an earlier step's result, or a <c>for</c> loop variable.</summary>
public sealed record RefExpr(RefKind Kind, string Name, TypeRef Type) : ExprModel(Type);

public sealed record MemberExpr(ExprModel Target, string Member, TypeRef Type) : ExprModel(Type);

public enum CallKind
{
    Agent,
    Tool,
    Workflow,
    Human,
}

/// <summary>A call of an agent, human, tool or workflow; arguments in parameter order.</summary>
public sealed record CallExpr(CallKind Kind, string Target, EquatableArray<ExprModel> Arguments, CallOptions Options, TypeRef Type) : ExprModel(Type);

public enum SearchMode
{
    Hybrid,
    Vector,
    Keyword,
}

/// <summary>
/// <c>kb.search(query, top = 5, mode = hybrid, min_score = 0.2, source = "docs/*")</c>; its type is <c>Passage[]</c>.
/// <see cref="Where"/> holds the metadata filters (<c>source</c>, <c>heading</c>, <c>title</c>, <c>format</c>, <c>extension</c>), in the order written.
/// </summary>
public sealed record SearchExpr(string Knowledge, ExprModel Query, int Top, SearchMode Mode, double? MinScore, CallOptions Options, TypeRef Type) : ExprModel(Type)
{
    public EquatableArray<SearchFilter> Where { get; init; } = EquatableArray<SearchFilter>.Empty;
}

/// <summary>A search filter: passages whose metadata <see cref="Key"/> equals <see cref="Pattern"/>, or matches it as a glob (<c>*</c>, <c>?</c>).</summary>
public sealed record SearchFilter(string Key, string Pattern);

public enum LiteralKind
{
    String,
    Int,
    Float,
    Bool,
}

/// <summary>A literal; <see cref="Text"/> is the value in invariant form ("text", "42", "0.5", "true").</summary>
public sealed record LiteralExpr(LiteralKind Kind, string Text, TypeRef Type) : ExprModel(Type);

/// <summary><c>Category.billing</c></summary>
public sealed record EnumValueExpr(string Enum, string Member, TypeRef Type) : ExprModel(Type);

public sealed record ListExpr(EquatableArray<ExprModel> Items, TypeRef Type) : ExprModel(Type);

public sealed record FieldValue(string Name, ExprModel Value);

/// <summary><c>Type { a = ..., b = ... }</c>; fields in declaration order, omitted optional fields left out.</summary>
public sealed record ObjectExpr(string TypeName, EquatableArray<FieldValue> Fields, TypeRef Type) : ExprModel(Type);

/// <summary>One arm; <see cref="Value"/> is an enum member name or a literal's invariant text.</summary>
public sealed record SwitchCaseModel(string Value, ExprModel Result);

/// <summary>Exhaustive by construction: either every enum member has a case or <see cref="Default"/> is set.</summary>
public sealed record SwitchExpr(ExprModel Subject, EquatableArray<SwitchCaseModel> Cases, ExprModel? Default, TypeRef Type) : ExprModel(Type);

/// <summary><c>for x in source parallel N => body</c>; its type is a list of the body's type.</summary>
public sealed record ForExpr(string Variable, ExprModel Source, int Parallelism, ExprModel Body, TypeRef Type) : ExprModel(Type)
{
    /// <summary>
    /// The policy each item runs under. The binder leaves it empty (a body <c>f(x) with { ... }</c> holds its own);
    /// the lowering moves the body's <c>with</c> here, so in a plan the per-item policy is never on the body.
    /// </summary>
    public CallOptions ItemOptions { get; init; } = CallOptions.None;
}
