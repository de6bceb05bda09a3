using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Atlas.Compiler.Lowering;
using Atlas.Compiler.Model;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Emit;

/// <summary>
/// Options from the consuming project: the namespace (MSBuild properties) and <see cref="BaseDirectory"/>, the folder of
/// its Atlas files (absolute), which generated code makes the runtime's base directory so that knowledge sources, SQLite
/// stores and MCP servers resolve as <c>atlas run</c> resolves them; <see langword="null"/> leaves the runtime's default.
/// </summary>
public sealed record EmitOptions(string Namespace, string? BaseDirectory = null);

/// <summary>One generated C# file: a hint name unique within the generator, and its text.</summary>
public sealed record GeneratedSource(string HintName, string Text);

/// <summary>
/// Everything needed to emit one generated file, and nothing more: equatable, so the generator
/// re-emits a file only when its own unit changed (editing one agent does not re-emit the others).
/// </summary>
public abstract record EmitUnit(string HintName, EmitOptions Options);

/// <summary>
/// Turns a checked model into C#. Pure and deterministic (same unit, same text); thread-safe.
/// <see cref="Plan(AtlasModel, EmitOptions)"/> does the model-wide work (names, schemas, what each file depends on) and
/// <see cref="Emit"/> renders one unit on its own.
/// </summary>
public static partial class CSharpEmitter
{
    /// <summary>Splits a model without errors into the units of generated files.</summary>
    public static ImmutableArray<EmitUnit> Plan(AtlasModel model, EmitOptions options)
    {
        if (model is null) throw new ArgumentNullException(nameof(model));
        return Plan(AtlasLowering.Lower(model), options);
    }

    /// <summary>Splits a lowered project into the units of generated files.</summary>
    public static ImmutableArray<EmitUnit> Plan(ProjectPlan plan, EmitOptions options)
    {
        if (plan is null) throw new ArgumentNullException(nameof(plan));
        if (options is null) throw new ArgumentNullException(nameof(options));

        var model = plan.Model;
        var schemas = new JsonSchemas(model);
        var units = ImmutableArray.CreateBuilder<EmitUnit>();

        foreach (var e in model.Enums)
        {
            units.Add(new EnumUnit(CSharpNames.Bare(CSharpNames.TypeName(e.Name)) + ".g.cs", options, e, schemas.For(new TypeRef(e.Name, TypeKind.Enum))));
        }

        foreach (var type in model.Types)
        {
            units.Add(new RecordUnit(CSharpNames.Bare(CSharpNames.TypeName(type.Name)) + ".g.cs", options, type, schemas.For(new TypeRef(type.Name, TypeKind.Record))));
        }

        units.Add(new JsonUnit(
            "AtlasJson.g.cs",
            options,
            model.Types.Select(t => t.Name).ToEquatableArray(),
            model.Enums.Select(e => e.Name).ToEquatableArray()));

        foreach (var agent in plan.Agents)
        {
            // The file prints the agent and its schemas, not its fingerprint: a route edit leaves it as it is.
            units.Add(new AgentUnit(
                CSharpNames.AgentClass(agent.Agent.Name) + ".g.cs",
                options,
                agent.Agent,
                ResultSchema(agent, options.Namespace),
                agent.ParametersSchema));
        }

        foreach (var workflow in plan.Workflows)
        {
            units.Add(new WorkflowUnit(CSharpNames.WorkflowClass(workflow.Name) + ".g.cs", options, workflow.WithoutFingerprints()));
        }

        if (plan.Workflows.Count > 0)
        {
            units.Add(new FingerprintsUnit("AtlasFingerprints.g.cs", options, plan.Workflows.Select(w => new WorkflowFingerprint(w.Name, w.Fingerprint, w.Nodes.Select(n => n.Fingerprint).ToEquatableArray())).ToEquatableArray()));
        }

        bool hasTools = plan.Tools.Count > 0;
        if (hasTools) units.Add(new ToolsUnit("AtlasTools.g.cs", options, plan.Tools));

        units.Add(new DeclarationsUnit("AtlasDeclarations.g.cs", options, model.Providers, model.Routes, model.KnowledgeBases, model.McpServers, hasTools));
        units.Add(new ServicesUnit(
            "AtlasServiceCollectionExtensions.g.cs",
            options,
            model.Agents.Select(a => a.Name).ToEquatableArray(),
            model.Workflows.Select(w => w.Name).ToEquatableArray(),
            hasTools));

        return units.ToImmutable();
    }

    /// <summary>The source of one unit.</summary>
    public static GeneratedSource Emit(EmitUnit unit)
    {
        if (unit is null) throw new ArgumentNullException(nameof(unit));
        string text = unit switch
        {
            EnumUnit e => EmitEnum(e),
            RecordUnit r => EmitRecord(r),
            JsonUnit j => EmitJson(j),
            AgentUnit a => EmitAgent(a),
            WorkflowUnit w => EmitWorkflow(w),
            FingerprintsUnit f => EmitFingerprints(f),
            ToolsUnit t => EmitTools(t),
            DeclarationsUnit d => EmitDeclarations(d),
            ServicesUnit s => EmitServices(s),
            _ => throw new ArgumentException("Unknown unit " + unit.GetType().Name, nameof(unit)),
        };
        return new GeneratedSource(unit.HintName, text);
    }

    /// <summary>The C# expression for an agent's result schema: the record's constant, an inline literal, or null for text.</summary>
    private static string? ResultSchema(AgentPlan agent, string ns)
    {
        var returns = agent.Agent.Returns;
        if (agent.ResultSchema is not { } schema) return null;
        if (!returns.IsList && !returns.IsOptional && returns.Kind == TypeKind.Record) return CSharpNames.Ref(returns.Name, ns) + ".JsonSchema";
        if (!returns.IsList && !returns.IsOptional && returns.Kind == TypeKind.Enum) return CSharpNames.Converter(CSharpNames.TypeName(returns.Name)) + ".JsonSchema";
        return CSharpLiterals.Raw(schema);
    }

    /// <summary>The common start of every generated file.</summary>
    internal static SourceWriter StartFile(EmitOptions options, params string[] usings)
    {
        var writer = new SourceWriter();
        writer.WriteLine("// <auto-generated/>");
        writer.WriteLine("#nullable enable");
        writer.WriteLine();
        foreach (var u in usings.Distinct(StringComparer.Ordinal).OrderBy(u => u.StartsWith("System", StringComparison.Ordinal) ? 0 : 1).ThenBy(u => u, StringComparer.Ordinal))
        {
            writer.WriteLine("using " + u + ";");
        }

        if (usings.Length > 0) writer.WriteLine();
        if (!string.IsNullOrWhiteSpace(options.Namespace))
        {
            writer.WriteLine("namespace " + options.Namespace + ";");
            writer.WriteLine();
        }

        return writer;
    }

    private static string Join(IEnumerable<string> items) => string.Join(", ", items);
}
