using Atlas.Compiler.Lowering;
using Atlas.Compiler.Model;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Emit;

// The units of generated files. Each holds only what its file needs (names of other
// declarations are enough to refer to them), and precomputed facts such as JSON schemas, so
// it compares equal, and stays cached in the generator, unless its own file would change.

/// <summary><c>enum E</c> → <c>E.g.cs</c>: the enum, its converter and schema.</summary>
public sealed record EnumUnit(string HintName, EmitOptions Options, EnumModel Enum, string JsonSchema) : EmitUnit(HintName, Options);

/// <summary><c>type T</c> → <c>T.g.cs</c>: the record, its converter and schema (which inlines the types it uses).</summary>
public sealed record RecordUnit(string HintName, EmitOptions Options, TypeModel Type, string JsonSchema) : EmitUnit(HintName, Options);

/// <summary>
/// <c>AtlasJson.g.cs</c>: the options, the <c>IJsonTypeInfoResolver</c> over every declared type
/// (and its list and nullable forms), and the converters' shared helpers.
/// </summary>
public sealed record JsonUnit(string HintName, EmitOptions Options, EquatableArray<string> Records, EquatableArray<string> Enums) : EmitUnit(HintName, Options);

/// <summary>
/// <c>agent a</c> → <c>AAgent.g.cs</c>. <see cref="ResultSchema"/> is a C# expression for the
/// descriptor's schema (<c>Triage.JsonSchema</c> or a literal), null for text results.
/// <see cref="ParametersSchema"/> is the JSON schema of its parameters when some agent delegates to it, else null.
/// </summary>
public sealed record AgentUnit(string HintName, EmitOptions Options, AgentModel Agent, string? ResultSchema, string? ParametersSchema = null) : EmitUnit(HintName, Options);

/// <summary>
/// <c>workflow w</c> → <c>WWorkflow.g.cs</c>: the workflow's plan, which holds the declarations its
/// expressions reach into (records whose members it reads or which it constructs, enums whose members it
/// names, the signatures of what it calls). Without fingerprints: those are in <see cref="FingerprintsUnit"/>,
/// so an edit that only moves a fingerprint (an agent's prompt, a route) re-emits one small file.
/// </summary>
public sealed record WorkflowUnit(string HintName, EmitOptions Options, WorkflowPlan Plan) : EmitUnit(HintName, Options);

/// <summary>A workflow's name, its plan's fingerprint, and its nodes' fingerprints in node order (what a resumed run compares).</summary>
public sealed record WorkflowFingerprint(string Workflow, string Fingerprint, EquatableArray<string> Nodes);

/// <summary><c>AtlasFingerprints.g.cs</c>: each workflow's plan fingerprint, which its class exposes as <c>Fingerprint</c>.</summary>
public sealed record FingerprintsUnit(string HintName, EmitOptions Options, EquatableArray<WorkflowFingerprint> Workflows) : EmitUnit(HintName, Options);

/// <summary><c>AtlasTools.g.cs</c>: one partial method per tool for the project to implement, and the tools as <c>AIFunction</c>s.</summary>
public sealed record ToolsUnit(string HintName, EmitOptions Options, EquatableArray<ToolPlan> Tools) : EmitUnit(HintName, Options);

/// <summary><c>AtlasDeclarations.g.cs</c>: the providers, routes, knowledge bases and MCP servers as runtime descriptors.</summary>
public sealed record DeclarationsUnit(
    string HintName,
    EmitOptions Options,
    EquatableArray<ProviderModel> Providers,
    EquatableArray<RouteModel> Routes,
    EquatableArray<KnowledgeModel> KnowledgeBases,
    EquatableArray<McpModel> McpServers,
    bool HasTools) : EmitUnit(HintName, Options);

/// <summary><c>AtlasServiceCollectionExtensions.g.cs</c>: <c>AddAtlas()</c>, registering the runtime, tools, agents and workflows.</summary>
public sealed record ServicesUnit(
    string HintName,
    EmitOptions Options,
    EquatableArray<string> Agents,
    EquatableArray<string> Workflows,
    bool HasTools) : EmitUnit(HintName, Options);
