using System.Linq;
using Atlas.Compiler.Model;

namespace Atlas.Compiler.Emit;

// tool t(...) -> R  →  a partial method of AtlasTools that the project implements, and an AIFunction.
public static partial class CSharpEmitter
{
    private static string EmitTools(ToolsUnit unit)
    {
        var ns = unit.Options.Namespace;
        var w = StartFile(unit.Options, "System", "System.Collections.Generic", "System.Text.Json", "System.Text.Json.Nodes", "System.Threading", "System.Threading.Tasks", "Microsoft.Extensions.AI");
        w.WriteLines("""
            /// <summary>
            /// The tools declared in the project's Atlas files. Implement each partial method in your own
            /// <c>partial class AtlasTools</c> (leaving one out is a compile error, CS8795, naming it); add a
            /// constructor there to take services from dependency injection. Implementations must be thread-safe.
            /// </summary>
            public sealed partial class AtlasTools
            {
            """);
        w.Indent();
        foreach (var spec in unit.Tools)
        {
            var tool = spec.Tool;
            var names = CSharpNames.Parameters(tool.Parameters, "cancellationToken");
            var parameters = string.Concat(tool.Parameters.Select((p, i) => CSharpNames.Type(p.Type, ns) + " " + names[i] + ", "));
            w.WriteLine($"/// <summary>The tool <c>{Signature(tool)}</c>{(tool.ReadOnly ? " (read-only)" : "")}: implement it in your part of <see cref=\"AtlasTools\"/>.</summary>");
            for (int i = 0; i < names.Length; i++) w.WriteLine($"/// <param name=\"{CSharpNames.Bare(names[i])}\"><c>{tool.Parameters[i].Name}: {tool.Parameters[i].Type}</c></param>");
            w.WriteLine("/// <param name=\"cancellationToken\">Stops the call.</param>");
            w.WriteLine($"public partial Task<{CSharpNames.Type(tool.Returns, ns)}> {CSharpNames.ToolMethod(tool.Name)}({parameters}CancellationToken cancellationToken);");
            w.WriteLine();
        }

        w.WriteLine("/// <summary>The tools as <see cref=\"AIFunction\"/>s named as declared, for <c>AtlasRuntimeOptions.Tools</c>.</summary>");
        w.WriteLine($"public IReadOnlyList<AIFunction> CreateFunctions() => [{Join(unit.Tools.Select(t => $"new {CSharpNames.ToolFunctionClass(t.Tool.Name)}(this)"))}];");
        foreach (var spec in unit.Tools)
        {
            var tool = spec.Tool;
            var functionClass = CSharpNames.ToolFunctionClass(tool.Name);
            w.WriteLine();
            w.WriteLine($"private sealed class {functionClass}(AtlasTools tools) : AIFunction");
            w.OpenBrace();
            w.WriteLine("private static readonly JsonElement Schema = ParseSchema(");
            w.Indent();
            var lines = CSharpLiterals.Raw(spec.ParametersSchema).Split('\n');
            for (int i = 0; i < lines.Length; i++) w.WriteLine(lines[i] + (i == lines.Length - 1 ? ");" : ""));
            w.Unindent();
            w.WriteLine();
            w.WriteLine($"public override string Name => {CSharpLiterals.String(tool.Name)};");
            w.WriteLine();
            w.WriteLine($"public override string Description => {CSharpLiterals.String(Signature(tool))};");
            w.WriteLine();
            w.WriteLine("public override JsonElement JsonSchema => Schema;");
            w.WriteLine();
            if (tool.ReadOnly)
            {
                w.WriteLine("/// <summary>Declared <c>read_only = true</c>: the offline mock may call it.</summary>");
                w.WriteLine("public override IReadOnlyDictionary<string, object?> AdditionalProperties => global::Atlas.Runtime.ReadOnlyTools.Properties;");
                w.WriteLine();
            }

            w.WriteLine("protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)");
            w.OpenBrace();
            var arguments = tool.Parameters.Select(p =>
                $"{(p.Type.IsOptional ? "OptionalArgument" : "RequiredArgument")}<{CSharpNames.Type(p.Type, ns)}>(arguments, {CSharpLiterals.String(p.Name)})");
            w.WriteLine($"var result = await tools.{CSharpNames.ToolMethod(tool.Name)}({string.Concat(arguments.Select(a => a + ", "))}cancellationToken).ConfigureAwait(false);");
            w.WriteLine($"return JsonSerializer.SerializeToElement(result, AtlasJson.GetTypeInfo<{CSharpNames.Type(tool.Returns, ns)}>());");
            w.CloseBrace();
            w.CloseBrace();
        }

        w.Unindent();
        w.WriteLines("""

                private static JsonElement ParseSchema(string json)
                {
                    using var document = JsonDocument.Parse(json);
                    return document.RootElement.Clone();
                }

                /// <summary>A model's argument (JSON) as <typeparamref name="T"/>; a missing or null one is an error naming it.</summary>
                private static T RequiredArgument<T>(AIFunctionArguments arguments, string name) =>
                    OptionalArgument<T>(arguments, name) ?? throw new ArgumentException($"The tool argument \"{name}\" is required.", nameof(arguments));

                private static T? OptionalArgument<T>(AIFunctionArguments arguments, string name) =>
                    arguments.TryGetValue(name, out object? value) ? value switch
                    {
                        null => default,
                        T typed => typed,
                        JsonElement element => element.Deserialize(AtlasJson.GetTypeInfo<T>()),
                        JsonNode node => node.Deserialize(AtlasJson.GetTypeInfo<T>()),
                        _ => throw new ArgumentException($"The tool argument \"{name}\" is a {value.GetType().Name}, not JSON or a {typeof(T).Name}.", nameof(arguments)),
                    } : default;
            }
            """);
        return w.ToString();
    }

    private static string Signature(ToolModel tool) =>
        $"{tool.Name}({Join(tool.Parameters.Select(p => p.Name + ": " + p.Type))}) -> {tool.Returns}";
}
