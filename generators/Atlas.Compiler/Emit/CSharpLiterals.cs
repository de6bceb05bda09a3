using System;
using System.Globalization;
using System.Text;

namespace Atlas.Compiler.Emit;

/// <summary>C# literals for values from the model, in invariant culture.</summary>
internal static class CSharpLiterals
{
    /// <summary>A regular (escaped) string literal: safe for any text, including quotes and line breaks.</summary>
    public static string String(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\0': builder.Append("\\0"); break;
                default:
                    if (char.IsControl(c) || char.IsSurrogate(c) || c == '\u2028' || c == '\u2029' || c == '\u0085')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    public static string NullableString(string? value) => value is null ? "null" : String(value);

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A double literal that stays a double (<c>5</c> → <c>5.0</c>).</summary>
    public static string Double(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(new[] { '.', 'E', 'e' }) >= 0 ? text : text + ".0";
    }

    /// <summary>The model's invariant text of a float literal, as a C# double literal.</summary>
    public static string DoubleText(string invariant) =>
        Double(double.Parse(invariant, NumberStyles.Float, CultureInfo.InvariantCulture));

    public static string Bool(bool value) => value ? "true" : "false";

    /// <summary>A <c>decimal</c> literal of <paramref name="value"/>, digit for digit (<c>0.5m</c>).</summary>
    public static string Decimal(decimal value) => value.ToString(CultureInfo.InvariantCulture) + "m";

    /// <summary><c>new BudgetDescriptor(Usd: 0.5m, Tokens: 20000)</c>, without the parts that are not limited.</summary>
    public static string Budget(Model.BudgetModel budget)
    {
        var parts = new System.Collections.Generic.List<string>(2);
        if (budget.Usd is { } usd) parts.Add("Usd: " + Decimal(usd));
        if (budget.Tokens is { } tokens) parts.Add("Tokens: " + Int(tokens));
        return "new BudgetDescriptor(" + string.Join(", ", parts) + ")";
    }

    /// <summary><c>new CacheDescriptor()</c>, or with its <c>Ttl</c>.</summary>
    public static string Cache(Model.CacheModel cache) =>
        "new CacheDescriptor(" + (cache.TtlMs is { } ttl ? "Ttl: " + TimeSpan(ttl) : "") + ")";

    /// <summary>A duration as readable C#: whole hours as <c>TimeSpan.FromHours(24)</c>, whole seconds as <c>TimeSpan.FromSeconds(20)</c>, else milliseconds.</summary>
    public static string TimeSpan(long milliseconds) =>
        milliseconds > 0 && milliseconds % 3_600_000 == 0 ? "TimeSpan.FromHours(" + Int(milliseconds / 3_600_000) + ")"
        : milliseconds % 1000 == 0 ? "TimeSpan.FromSeconds(" + Int(milliseconds / 1000) + ")"
        : "TimeSpan.FromMilliseconds(" + Int(milliseconds) + ")";

    /// <summary>A collection expression of string literals: <c>["a", "b"]</c>.</summary>
    public static string StringList(System.Collections.Generic.IEnumerable<string> values)
    {
        var builder = new StringBuilder("[");
        bool first = true;
        foreach (var value in values)
        {
            if (!first) builder.Append(", ");
            builder.Append(String(value));
            first = false;
        }

        return builder.Append(']').ToString();
    }

    /// <summary>A raw string literal whose content is <paramref name="text"/> (which must not hold three quotes in a row).</summary>
    public static string Raw(string text)
    {
        if (text.IndexOf("\"\"\"", StringComparison.Ordinal) >= 0) return String(text);
        return "\"\"\"\n" + text + "\n\"\"\"";
    }
}
