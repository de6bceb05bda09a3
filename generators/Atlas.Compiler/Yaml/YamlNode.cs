using System.Collections.Generic;
using Atlas.Compiler.Text;
using YamlDotNet.Core;

namespace Atlas.Compiler.Yaml;

/// <summary>
/// A YAML node with its position in the file, read from YamlDotNet's event stream. The loader
/// works on these rather than on YamlDotNet's representation model because it needs what that
/// model hides or throws on: exact spans (block collections end at their last child, not at the
/// next token), duplicate keys reported instead of thrown, aliases left unresolved, and the
/// nodes that were complete when a syntax error stopped the parser.
/// </summary>
internal abstract class YamlNode
{
    protected YamlNode(int start, int end)
    {
        Start = start;
        End = end;
    }

    public int Start { get; }

    public int End { get; set; }

    /// <summary>False for a collection that was still open when a YAML syntax error stopped reading.</summary>
    public bool IsComplete { get; set; } = true;

    public TextSpan Span => TextSpan.FromBounds(Start, End);

    /// <summary>How the node is described in messages: "a mapping", "a list", ...</summary>
    public abstract string Describe();
}

/// <summary>A scalar with its decoded value and style; <see cref="IsNull"/> for an empty plain scalar.</summary>
internal sealed class YamlScalar : YamlNode
{
    private const string StringTag = "tag:yaml.org,2002:str";

    public YamlScalar(string value, ScalarStyle style, string? tag, int start, int end) : base(start, end)
    {
        Value = value;
        Style = style;
        Tag = tag;
    }

    public string Value { get; }

    public ScalarStyle Style { get; }

    public string? Tag { get; }

    public bool IsPlain => Style == ScalarStyle.Plain || Style == ScalarStyle.Any;

    /// <summary>Quoted, block, or tagged <c>!!str</c>: always a string, never parsed as another value.</summary>
    public bool IsExplicitString => !IsPlain || Tag == StringTag || Tag == "!!str";

    /// <summary>An empty plain scalar: YAML's null, as in <c>key:</c> with nothing after it.</summary>
    public bool IsNull => IsPlain && Value.Length == 0 && !IsExplicitString;

    public override string Describe() => IsNull ? "an empty value" : Shorten(Value);

    private static string Shorten(string value)
    {
        const int Max = 40;
        var oneLine = value.Replace("\r", " ").Replace("\n", " ");
        return "`" + (oneLine.Length <= Max ? oneLine : oneLine.Substring(0, Max) + "...") + "`";
    }
}

internal sealed class YamlMapping : YamlNode
{
    public YamlMapping(bool isFlow, int start) : base(start, start) => IsFlow = isFlow;

    public bool IsFlow { get; }

    public List<KeyValuePair<YamlNode, YamlNode>> Pairs { get; } = new();

    public override string Describe() => "a mapping";
}

internal sealed class YamlSequence : YamlNode
{
    public YamlSequence(bool isFlow, int start) : base(start, start) => IsFlow = isFlow;

    public bool IsFlow { get; }

    public List<YamlNode> Items { get; } = new();

    public override string Describe() => "a list";
}

/// <summary><c>*name</c>; reported by the loader (Atlas files don't use aliases).</summary>
internal sealed class YamlAlias : YamlNode
{
    public YamlAlias(string name, int start, int end) : base(start, end) => Name = name;

    public string Name { get; }

    public override string Describe() => $"the alias `*{Name}`";
}
