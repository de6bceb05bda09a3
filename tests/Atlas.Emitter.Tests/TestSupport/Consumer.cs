using System.Text;
using Atlas.Compiler.Model;

namespace Atlas.Emitter.Tests.TestSupport;

/// <summary>Consumer code a project would write next to the generated files: the tool implementations.</summary>
internal static class Consumer
{
    /// <summary>Implements every declared tool with a fixed answer (so runs are deterministic).</summary>
    public static string ToolImplementations(AtlasModel model, string ns = AtlasProject.Namespace)
    {
        if (model.Tools.Count == 0) return "";
        var builder = new StringBuilder();
        builder.AppendLine("using System.Collections.Generic;");
        builder.AppendLine("using System.Threading;");
        builder.AppendLine("using System.Threading.Tasks;");
        builder.AppendLine($"namespace {ns};");
        builder.AppendLine("public sealed partial class AtlasTools");
        builder.AppendLine("{");
        foreach (var tool in model.Tools)
        {
            var parameters = string.Join("", tool.Parameters.Select(p => $"{CSharpType(p.Type)} {Camel(p.Name)}, "));
            builder.AppendLine($"    public partial Task<{CSharpType(tool.Returns)}> {Pascal(tool.Name)}Async({parameters}CancellationToken cancellationToken) => Task.FromResult<{CSharpType(tool.Returns)}>({Sample(tool)});");
        }

        builder.AppendLine("}");
        return builder.ToString();
    }

    private static string Sample(ToolModel tool)
    {
        var type = tool.Returns;
        if (type.IsOptional) return "null";
        if (type.IsList) return "[]";
        return type.Kind switch
        {
            TypeKind.String => $"\"{tool.Name} result\"",
            TypeKind.Int => "1",
            TypeKind.Float => "1.0",
            TypeKind.Bool => "true",
            _ => "default!",
        };
    }

    public static string Pascal(string name) => string.Concat(name.Split('_').Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));

    public static string Camel(string name)
    {
        var pascal = Pascal(name);
        return char.ToLowerInvariant(pascal[0]) + pascal[1..];
    }

    private static string CSharpType(TypeRef type)
    {
        var element = type.Kind switch
        {
            TypeKind.String => "string",
            TypeKind.Int => "int",
            TypeKind.Float => "double",
            TypeKind.Bool => "bool",
            TypeKind.Passage => "Atlas.Runtime.Passage",
            _ => type.Name,
        };
        if (type.IsList) element = $"IReadOnlyList<{element}>";
        return type.IsOptional ? element + "?" : element;
    }
}
