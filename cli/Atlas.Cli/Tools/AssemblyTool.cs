using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Compiler.Model;
using Atlas.Runtime;
using Microsoft.Extensions.AI;

namespace Atlas.Cli.Tools;

/// <summary>
/// A declared tool implemented by a method of a <c>--tools</c> assembly: named, described and
/// schema'd as declared (so the runtime validates arguments against the declaration), and called
/// through <see cref="AIFunctionFactory"/> with the declared argument names mapped to the method's.
/// </summary>
internal sealed class AssemblyTool : DelegatingAIFunction
{
    /// <summary>Arguments bind case-insensitively; results keep the method's property names (use [JsonPropertyName] to match a declared type's fields).</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        PropertyNameCaseInsensitive = true,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    private readonly ToolModel _tool;
    private readonly JsonElement _schema;
    private readonly IReadOnlyDictionary<string, string> _parameterNames;

    private AssemblyTool(ToolModel tool, AIFunction inner, JsonElement schema, IReadOnlyDictionary<string, string> parameterNames)
        : base(inner)
    {
        _tool = tool;
        _schema = schema;
        _parameterNames = parameterNames;
    }

    public override string Name => _tool.Name;

    public override string Description => $"{_tool.Name}({string.Join(", ", _tool.Parameters.Select(p => p.Name + ": " + p.Type))}) -> {_tool.Returns}";

    public override JsonElement JsonSchema => _schema;

    /// <summary>As declared: <c>read_only = true</c> lets the offline mock call it.</summary>
    public override IReadOnlyDictionary<string, object?> AdditionalProperties => _tool.ReadOnly ? ReadOnlyTools.Properties : base.AdditionalProperties;

    /// <summary>The tool bound to <paramref name="method"/>, or null (with the reason in <paramref name="problems"/>).</summary>
    /// <param name="tool">The tool's declaration: its parameters and types are checked against the method's.</param>
    /// <param name="method">The C# method that implements it.</param>
    /// <param name="schema">The JSON schema of the declared parameters, which the model is shown.</param>
    /// <param name="readOnly">The method's <c>[AtlasTool(ReadOnly = ...)]</c> when it sets it; it must agree with the declaration.</param>
    /// <param name="instances">One instance per declaring type of an instance method, shared by its tools; created here when missing.</param>
    /// <param name="problems">Where a method that cannot be bound adds one line that says why.</param>
    public static AssemblyTool? Create(ToolModel tool, MethodInfo method, string schema, bool? readOnly, Dictionary<Type, object> instances, List<string> problems)
    {
        var where = ToolAssembly.Describe(method);
        var parameters = method.GetParameters();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<string>();

        // The declaration decides (generated code has only it); an implementation that says otherwise is a mistake
        // in one of the two, and a tool with side effects must never be called with the mock's made-up arguments.
        if (readOnly is { } marked && marked != tool.ReadOnly)
        {
            errors.Add(marked
                ? "is marked [AtlasTool(ReadOnly = true)], but the declaration is not read-only; add `{ read_only = true }` to the declaration if the tool only reads, or remove ReadOnly"
                : "is marked [AtlasTool(ReadOnly = false)], but the declaration says `read_only = true`; a tool with side effects must not be declared read-only");
        }

        foreach (var declared in tool.Parameters)
        {
            var matches = parameters.Where(p => p.Name is { } n && ToolAssembly.Loose(n) == ToolAssembly.Loose(declared.Name)).ToList();
            if (matches.Count != 1)
            {
                errors.Add(matches.Count == 0 ? $"has no parameter for '{declared.Name}'" : $"has several parameters for '{declared.Name}'");
                continue;
            }

            names[declared.Name] = matches[0].Name!;
            if (Mismatch(declared.Type, matches[0].ParameterType) is { } mismatch) errors.Add($"parameter '{matches[0].Name}' {mismatch}");
        }

        foreach (var parameter in parameters)
        {
            var bound = names.ContainsValue(parameter.Name!);
            if (!bound && parameter.ParameterType != typeof(CancellationToken) && !parameter.HasDefaultValue)
            {
                errors.Add($"parameter '{parameter.Name}' is not declared (declare it, give it a default, or remove it)");
            }
        }

        object? target = null;
        if (errors.Count == 0 && !method.IsStatic && !instances.TryGetValue(method.DeclaringType!, out target))
        {
            if (method.DeclaringType!.IsAbstract || method.DeclaringType.GetConstructor(Type.EmptyTypes) is null)
            {
                errors.Add($"is an instance method, but {method.DeclaringType.FullName} has no public parameterless constructor (make the method static, or add one)");
            }
            else
            {
                try
                {
                    target = instances[method.DeclaringType] = Activator.CreateInstance(method.DeclaringType)!;
                }
                catch (TargetInvocationException ex)
                {
                    errors.Add($"cannot create {method.DeclaringType.FullName}: {JsonText.OneLine(ex.InnerException?.Message ?? ex.Message)}");
                }
            }
        }

        if (errors.Count > 0)
        {
            problems.Add($"tool '{tool.Name}': {where} {string.Join("; ", errors)}");
            return null;
        }

        var inner = AIFunctionFactory.Create(method, target, new AIFunctionFactoryOptions { Name = tool.Name, SerializerOptions = Json });
        using var document = JsonDocument.Parse(schema);
        return new AssemblyTool(tool, inner, document.RootElement.Clone(), names);
    }

    protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        // The declaration's names (order_id) become the method's (orderId).
        var renamed = new AIFunctionArguments(arguments.ToDictionary(a => _parameterNames.GetValueOrDefault(a.Key, a.Key), a => a.Value, StringComparer.Ordinal))
        {
            Services = arguments.Services,
        };
        return base.InvokeCoreAsync(renamed, cancellationToken);
    }

    /// <summary>Why a declared scalar type cannot bind to <paramref name="clr"/>; lists and declared types are left to System.Text.Json.</summary>
    private static string? Mismatch(TypeRef declared, Type clr)
    {
        if (declared.IsList) return null;
        var type = Nullable.GetUnderlyingType(clr) ?? clr;
        if (type == typeof(object) || type == typeof(JsonElement) || typeof(System.Text.Json.Nodes.JsonNode).IsAssignableFrom(type)) return null;
        var ok = declared.Kind switch
        {
            TypeKind.String => type == typeof(string),
            TypeKind.Int => type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte) || type == typeof(double) || type == typeof(decimal) || type == typeof(float),
            TypeKind.Float => type == typeof(double) || type == typeof(float) || type == typeof(decimal),
            TypeKind.Bool => type == typeof(bool),
            _ => true,
        };
        return ok ? null : $"is {clr.Name}, but the declaration says {declared}";
    }
}
