using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Binding;

// Reading attribute blocks: which attributes a block has, and each value of the kind it must be.
// Every reader reports at the value's span and returns null when the value is unusable.
internal sealed partial class Binder
{
    /// <summary>
    /// The attributes of a block, the first of each name. Reports ATL2007 for an attribute the block
    /// does not have (with did-you-mean) and ATL2020 for a repeated one.
    /// </summary>
    private Dictionary<string, AttributeSyntax> ReadBlock(BlockSyntax? block, SourceFile file, string owner, IReadOnlyList<string> allowed)
    {
        var attributes = new Dictionary<string, AttributeSyntax>(StringComparer.Ordinal);
        if (block is null) return attributes;
        foreach (var attribute in Items(block.Attributes))
        {
            var name = attribute.Name?.Name;
            if (name is null || attribute.Value is null) continue;
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                Report(At(file, attribute.Name!.Span).UnknownAttribute(owner, name, Suggest(name, allowed)));
            }
            else if (attributes.TryGetValue(name, out var first))
            {
                Report(At(file, attribute.Name!.Span).DuplicateAttribute(name, file.GetLocation(first.Name.Span)));
            }
            else
            {
                attributes.Add(name, attribute);
            }
        }

        return attributes;
    }

    /// <summary>ATL2011 at the declaration's name: "Provider `x` needs `model`; add ...".</summary>
    private void ReportMissing(Symbol symbol, string attribute, string hint) =>
        Report(At(symbol.File, symbol.Syntax.Name.Span).MissingAttribute(Symbol.Title(symbol.Kind), symbol.Name, attribute, hint));

    /// <summary>ATL2008: "`temperature` must be a number, not a string".</summary>
    private void ReportWrongKind(AttributeSyntax attribute, SourceFile file, string expected) =>
        ReportWrongKind(attribute.Name.Name, attribute.Value, file, expected);

    private void ReportWrongKind(string name, ValueSyntax value, SourceFile file, string expected) =>
        Report(At(file, value.Span).InvalidAttributeValue(name, expected, DescribeValue(value)));

    internal static string DescribeValue(ValueSyntax value) => value switch
    {
        NumberValueSyntax n => "the number " + n.Text,
        NameValueSyntax { Name: null } or NameValueSyntax { Name.Name: null } => "a name",
        CallValueSyntax { Name: null } or CallValueSyntax { Name.Name: null } => "a call",
        _ => value.Describe(),
    };

    /// <summary>A string; in a YAML file a plain scalar that read as a name is a string too.</summary>
    private static bool TryGetString(ValueSyntax? value, SourceFile file, out string text)
    {
        switch (value)
        {
            case StringValueSyntax s when s.Value is not null:
                text = s.Value;
                return true;
            case NameValueSyntax { Name.Name: { } name } when file.IsYaml:
                text = name;
                return true;
            default:
                text = "";
                return false;
        }
    }

    /// <summary>A bare name; in a YAML file a plain scalar string is a name too (<c>model: smart</c>).</summary>
    private static bool TryGetName(ValueSyntax? value, SourceFile file, out IdentifierSyntax name)
    {
        switch (value)
        {
            case NameValueSyntax { Name.Name: not null } n:
                name = n.Name;
                return true;
            case StringValueSyntax { IsBareYamlScalar: true, Value: { } text } s when file.IsYaml:
                name = new IdentifierSyntax(text, s.Span);
                return true;
            default:
                name = null!;
                return false;
        }
    }

    private string? ReadString(AttributeSyntax attribute, SourceFile file)
    {
        if (TryGetString(attribute.Value, file, out var text)) return text;
        ReportWrongKind(attribute, file, "a string");
        return null;
    }

    /// <summary>A list of strings (or, where <paramref name="allowSingle"/>, one string standing for a list of one).</summary>
    private List<string>? ReadStringList(AttributeSyntax attribute, SourceFile file, bool allowSingle)
    {
        if (allowSingle && TryGetString(attribute.Value, file, out var single)) return new List<string> { single };
        if (attribute.Value is not ListValueSyntax list)
        {
            ReportWrongKind(attribute, file, allowSingle ? "a string or a list of strings" : "a list of strings");
            return null;
        }

        var result = new List<string>();
        foreach (var item in Items(list.Items))
        {
            if (TryGetString(item, file, out var text)) result.Add(text);
            else ReportWrongKind(attribute.Name.Name, item, file, "a list of strings");
        }

        return result;
    }

    /// <summary>A number (integer or not) in <c>[min, max]</c>.</summary>
    private double? ReadNumber(AttributeSyntax attribute, SourceFile file, double min, double max)
    {
        if (attribute.Value is not NumberValueSyntax number)
        {
            ReportWrongKind(attribute, file, "a number");
            return null;
        }

        if (double.IsNaN(number.Value) || number.Value < min || number.Value > max)
        {
            string range = double.IsPositiveInfinity(max) ? $"{Invariant(min)} or more" : $"between {Invariant(min)} and {Invariant(max)}";
            Report(At(file, number.Span).AttributeOutOfRange(attribute.Name.Name, range, number.Text));
            return null;
        }

        return number.Value;
    }

    /// <summary><c>true</c> or <c>false</c>; in a YAML file, its booleans.</summary>
    private bool? ReadBool(AttributeSyntax attribute, SourceFile file)
    {
        if (attribute.Value is BoolValueSyntax b) return b.Value;
        ReportWrongKind(attribute, file, "`true` or `false`");
        return null;
    }

    /// <summary>A whole number of at least <paramref name="min"/>.</summary>
    private int? ReadInt(AttributeSyntax attribute, SourceFile file, int min)
    {
        if (attribute.Value is not NumberValueSyntax number)
        {
            ReportWrongKind(attribute, file, "a whole number");
            return null;
        }

        return CheckInt(attribute.Name.Name, number, file, min);
    }

    private int? CheckInt(string name, NumberValueSyntax number, SourceFile file, int min)
    {
        if (!number.IsInteger || double.IsNaN(number.Value))
        {
            ReportWrongKind(name, number, file, "a whole number");
            return null;
        }

        if (number.Value < min || number.Value > int.MaxValue)
        {
            string range = number.Value < min ? $"at least {min.ToString(CultureInfo.InvariantCulture)}" : "at most " + int.MaxValue.ToString(CultureInfo.InvariantCulture);
            Report(At(file, number.Span).AttributeOutOfRange(name, range, number.Text));
            return null;
        }

        return (int)number.Value;
    }

    /// <summary>The longest <c>timeout</c> (of a provider, a route or a call's <c>with</c>): what the runtime's timers take.</summary>
    internal const long MaxTimeoutMs = 24L * 60 * 60 * 1000;

    /// <summary>A <c>timeout</c>: a duration longer than zero and at most <see cref="MaxTimeoutMs"/> (24h).</summary>
    private long? ReadTimeout(AttributeSyntax attribute, SourceFile file)
    {
        long? timeout = ReadDuration(attribute, file, allowZero: false);
        if (timeout > MaxTimeoutMs)
        {
            Report(At(file, attribute.Value.Span).AttributeOutOfRange(attribute.Name.Name, "at most 24h", ((DurationValueSyntax)attribute.Value).Text));
            return null;
        }

        return timeout;
    }

    /// <summary>A duration in milliseconds; more than zero unless <paramref name="allowZero"/>.</summary>
    private long? ReadDuration(AttributeSyntax attribute, SourceFile file, bool allowZero)
    {
        if (attribute.Value is not DurationValueSyntax duration)
        {
            // A YAML scalar such as `1min` or `30 s` arrives as a string: say what it should have been.
            string? meant = TryGetString(attribute.Value, file, out var text) ? Tokens.SuggestDurationForText(text) : null;
            Report(At(file, attribute.Value.Span).InvalidAttributeValue(attribute.Name.Name, "a duration such as `500ms`, `20s` or `2m`", DescribeValue(attribute.Value), meant));
            return null;
        }

        if (!duration.IsValid) return null;

        if (duration.Milliseconds < 0 || (!allowZero && duration.Milliseconds == 0))
        {
            string bound = allowZero ? "0ms or more" : "longer than 0ms";
            Report(At(file, duration.Span).AttributeOutOfRange(attribute.Name.Name, bound, duration.Text));
            return null;
        }

        return duration.Milliseconds;
    }

    /// <summary>One of a fixed set of keywords (<c>strategy = fallback</c>).</summary>
    private string? ReadOption(AttributeSyntax attribute, SourceFile file, string what, IReadOnlyList<string> options) =>
        ReadOption(attribute.Name.Name, attribute.Value, file, what, options);

    private string? ReadOption(string attributeName, ValueSyntax value, SourceFile file, string what, IReadOnlyList<string> options)
    {
        if (!TryGetName(value, file, out var name))
        {
            ReportWrongKind(attributeName, value, file, $"one of {string.Join(", ", options)} (written without quotes)");
            return null;
        }

        return CheckOption(name, file, what, options);
    }

    private string? CheckOption(IdentifierSyntax name, SourceFile file, string what, IReadOnlyList<string> options)
    {
        if (options.Contains(name.Name, StringComparer.Ordinal)) return name.Name;
        Report(At(file, name.Span).UnknownOption(name.Name, what, options, Suggest(name.Name, options)));
        return null;
    }

    /// <summary>A list of keywords (<c>supports = [chat, json]</c>), without repeats, in order.</summary>
    private List<string>? ReadOptionList(AttributeSyntax attribute, SourceFile file, string what, IReadOnlyList<string> options)
    {
        var names = ReadNameList(attribute, file, $"a list of {what} names");
        if (names is null) return null;
        var result = new List<string>();
        foreach (var name in names)
        {
            var option = CheckOption(name, file, what, options);
            if (option is not null && !result.Contains(option, StringComparer.Ordinal)) result.Add(option);
        }

        return result;
    }

    /// <summary>A list of bare names (<c>use = [openai, claude]</c>); items that are not names are reported and skipped.</summary>
    private List<IdentifierSyntax>? ReadNameList(AttributeSyntax attribute, SourceFile file, string expected)
    {
        if (attribute.Value is not ListValueSyntax list)
        {
            ReportWrongKind(attribute, file, expected);
            return null;
        }

        var result = new List<IdentifierSyntax>();
        foreach (var item in Items(list.Items))
        {
            if (TryGetName(item, file, out var name)) result.Add(name);
            else ReportWrongKind(attribute.Name.Name, item, file, expected + " (written without quotes)");
        }

        return result;
    }
}
