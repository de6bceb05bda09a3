using System;
using System.IO;
using System.Linq;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Tests;

/// <summary>Shared helpers: test data files, parsing, and asserting diagnostics by id, line and column.</summary>
internal static class TestSupport
{
    public static string TestData(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", name));

    public static (SyntaxTree Tree, Diagnostic[] Diagnostics) ParseAtlas(string text, string path = "test.atlas")
    {
        var bag = new DiagnosticBag();
        var tree = AtlasParser.ParseFile(new SourceFile(path, text), bag);
        return (tree, bag.ToSortedArray().ToArray());
    }

    /// <summary>Asserts exactly these diagnostics (id, 1-based line, 1-based column), in position order.</summary>
    public static void AssertDiagnostics(Diagnostic[] actual, params (string Id, int Line, int Column)[] expected)
    {
        var got = actual.Select(d => (d.Id, d.Location.Start.Line, d.Location.Start.Column)).ToArray();
        Assert.True(expected.SequenceEqual(got),
            "Expected:\n  " + string.Join("\n  ", expected) + "\nActual:\n  " + string.Join("\n  ", actual.Select(d => d.ToString())));
    }
}
