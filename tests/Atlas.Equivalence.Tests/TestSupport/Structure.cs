using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Atlas.Equivalence.Tests.TestSupport;

/// <summary>
/// A value as text, member by member, so that two descriptors built separately (by generated code
/// and by the interpreter) compare by content: records as <c>Type { Member = ... }</c> over their
/// public properties, lists item by item, strings quoted, numbers and durations invariant.
/// </summary>
/// <remarks>Record equality won't do: the descriptors hold lists, which records compare by reference.</remarks>
internal static class Structure
{
    public static string Describe(object? value)
    {
        var builder = new StringBuilder();
        Write(value, builder);
        return builder.ToString();
    }

    private static void Write(object? value, StringBuilder builder)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                return;
            case string s:
                builder.Append(System.Text.Json.JsonSerializer.Serialize(s));
                return;
            case IFormattable formattable when value.GetType().IsPrimitive || value is decimal or TimeSpan or Enum:
                builder.Append(formattable.ToString(null, CultureInfo.InvariantCulture));
                return;
            case bool b:
                builder.Append(b ? "true" : "false");
                return;
            case IEnumerable items:
                builder.Append('[');
                var first = true;
                foreach (var item in items)
                {
                    if (!first) builder.Append(", ");
                    first = false;
                    Write(item, builder);
                }

                builder.Append(']');
                return;
        }

        var type = value.GetType();
        builder.Append(type.Name).Append(" { ");
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract"))
        {
            builder.Append(property.Name).Append(" = ");
            Write(property.GetValue(value), builder);
            builder.Append("; ");
        }

        builder.Append('}');
    }
}
