using System.Collections;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using Atlas.Compiler.Syntax;

namespace Atlas.Compiler.Tests.Yaml;

/// <summary>
/// Prints a syntax tree without its positions, so trees built from .atlas and from YAML can be
/// compared: same node types, names and values, whatever the file layout.
/// </summary>
internal static class SyntaxShape
{
    private static readonly string[] Ignored = { "Span", "KeywordSpan", "PatternSpan", "Map", "IsBareYamlScalar", "EqualityContract", "Keyword" };

    public static string Print(SyntaxTree tree)
    {
        var builder = new StringBuilder();
        foreach (var declaration in tree.Declarations) Print(declaration, builder, 0);
        return builder.ToString();
    }

    public static string Print(DeclarationSyntax declaration)
    {
        var builder = new StringBuilder();
        Print(declaration, builder, 0);
        return builder.ToString();
    }

    private static void Print(object? value, StringBuilder builder, int indent)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                return;
            case IdentifierSyntax identifier:
                builder.Append(identifier.Name);
                return;
            case string text:
                builder.Append('"').Append(text.Replace("\n", "\\n")).Append('"');
                return;
            case double number:
                builder.Append(number.ToString("R", CultureInfo.InvariantCulture));
                return;
            case bool or int or long:
                builder.Append(System.Convert.ToString(value, CultureInfo.InvariantCulture));
                return;
            case SyntaxNode node:
                builder.Append(node.GetType().Name).Append(" {");
                foreach (var property in node.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                             .Where(p => !Ignored.Contains(p.Name))
                             .OrderBy(p => p.Name, System.StringComparer.Ordinal))
                {
                    builder.Append('\n').Append(' ', indent + 2).Append(property.Name).Append(" = ");
                    Print(property.GetValue(node), builder, indent + 2);
                }
                builder.Append('\n').Append(' ', indent).Append('}');
                if (indent == 0) builder.Append('\n');
                return;
            case IEnumerable items:
                builder.Append('[');
                foreach (var item in items)
                {
                    builder.Append('\n').Append(' ', indent + 2);
                    Print(item, builder, indent + 2);
                }
                builder.Append(']');
                return;
            default:
                builder.Append(value);
                return;
        }
    }
}
