using System;
using System.Linq;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Tests.Binding;

/// <summary>Compiles .atlas text and asserts the whole set of diagnostics by id, line and column.</summary>
internal static class BindingAssert
{
    public static CompilationResult Compile(string source, string path = "t.atlas") =>
        AtlasCompiler.Compile(new SourceFile(path, source));

    /// <summary>Asserts that compiling <paramref name="source"/> reports exactly <paramref name="expected"/> (in any order).</summary>
    public static CompilationResult AssertDiagnostics(string source, params (string Id, int Line, int Column)[] expected)
    {
        var result = Compile(source);
        AssertDiagnostics(result, expected);
        return result;
    }

    public static void AssertDiagnostics(CompilationResult result, params (string Id, int Line, int Column)[] expected)
    {
        var actual = result.Diagnostics
            .Select(d => (d.Id, d.Location.Start.Line, d.Location.Start.Column))
            .OrderBy(d => d.Line).ThenBy(d => d.Column).ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToList();
        var wanted = expected
            .OrderBy(d => d.Line).ThenBy(d => d.Column).ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToList();
        if (!wanted.SequenceEqual(actual))
        {
            Assert.Fail(
                "Expected diagnostics:\n  " + string.Join("\n  ", wanted.Select(d => $"{d.Id} ({d.Line},{d.Column})")) +
                "\nActual diagnostics:\n  " + string.Join("\n  ", result.Diagnostics.Select(d => d.ToString())));
        }
    }

    /// <summary>Asserts that some diagnostic with <paramref name="id"/> has a message containing <paramref name="text"/>.</summary>
    public static void AssertMessage(CompilationResult result, string id, string text)
    {
        if (!result.Diagnostics.Any(d => d.Id == id && d.Message.Contains(text, StringComparison.Ordinal)))
        {
            Assert.Fail($"No {id} message contains \"{text}\". Diagnostics:\n  " + string.Join("\n  ", result.Diagnostics.Select(d => d.ToString())));
        }
    }

    public static Diagnostic Single(CompilationResult result, string id) => Assert.Single(result.Diagnostics, d => d.Id == id);
}
