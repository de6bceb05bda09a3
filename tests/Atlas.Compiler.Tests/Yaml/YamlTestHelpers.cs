using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;
using Atlas.Compiler.Yaml;

namespace Atlas.Compiler.Tests.Yaml;

internal static class YamlTestHelpers
{
    public const string Path = "test.atlas.yaml";

    public static (SyntaxTree Tree, IReadOnlyList<Diagnostic> Diagnostics) Load(string yaml)
    {
        var file = new SourceFile(Path, yaml);
        var diagnostics = new DiagnosticBag();
        var tree = YamlLoader.Load(file, diagnostics, CancellationToken.None);
        return (tree, diagnostics.ToSortedArray().ToList());
    }

    /// <summary>The value scalar of the first mapping entry whose key is <paramref name="key"/>, anywhere in the file.</summary>
    public static YamlScalar ScalarAt(string yaml, string key = "v")
    {
        var file = new SourceFile(Path, yaml);
        var roots = YamlNodeReader.Read(file, new DiagnosticBag(), CancellationToken.None);
        var found = roots.Select(r => Find(r, key)).FirstOrDefault(s => s is not null);
        Assert.NotNull(found);
        return found!;
    }

    public static SourceMap MapOf(string yaml, YamlScalar scalar) =>
        YamlScalarMap.Compute(yaml, scalar.Start, scalar.End, scalar.Style, scalar.Value);

    /// <summary>The 1-based (line, column) in <paramref name="yaml"/> of decoded character <paramref name="index"/>.</summary>
    public static LinePosition PositionOf(string yaml, SourceMap map, int index) =>
        new SourceFile(Path, yaml).GetLinePosition(map.ToFileOffset(index));

    public static LinePosition Position(this Diagnostic diagnostic) => diagnostic.Location.Start;

    private static YamlScalar? Find(YamlNode node, string key)
    {
        switch (node)
        {
            case YamlMapping mapping:
                foreach (var pair in mapping.Pairs)
                {
                    if (pair.Key is YamlScalar k && k.Value == key && pair.Value is YamlScalar v) return v;
                    var inner = Find(pair.Value, key);
                    if (inner is not null) return inner;
                }
                return null;
            case YamlSequence sequence:
                return sequence.Items.Select(i => Find(i, key)).FirstOrDefault(s => s is not null);
            default:
                return null;
        }
    }
}
