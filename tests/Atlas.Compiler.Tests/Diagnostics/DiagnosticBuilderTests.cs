using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Model;
using Atlas.Compiler.Tests.Fuzzing;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Tests.Diagnostics;

/// <summary>
/// Diagnostics come from one source (issue 12, item 5): <see cref="DiagnosticBuilder"/> has exactly one
/// method per descriptor of the catalog, named as it, building that descriptor; and no front-end code
/// outside Diagnostics/ reaches past it to a descriptor.
/// </summary>
public class DiagnosticBuilderTests
{
    private static readonly FieldInfo[] Descriptors = typeof(DiagnosticDescriptors)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .ToArray();

    private static readonly MethodInfo[] BuilderMethods = typeof(DiagnosticBuilder)
        .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly);

    [Fact]
    public void Builder_HasExactlyOneMethodPerDescriptor_NamedAsIt()
    {
        var descriptors = Descriptors.Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
        var methods = BuilderMethods.Select(m => m.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();

        Assert.Equal(descriptors, methods.Distinct(StringComparer.Ordinal));
        Assert.Equal(methods.Count, methods.Distinct(StringComparer.Ordinal).Count());
        Assert.All(BuilderMethods, m => Assert.True(m.ReturnType == typeof(Diagnostic), $"{m.Name} returns {m.ReturnType.Name}, not a Diagnostic"));
    }

    [Fact]
    public void EveryBuilderMethod_BuildsItsOwnDescriptor_AtTheGivenLocation()
    {
        var location = new SourceFile("b.atlas", "provider p { kind = mock }").GetLocation(new TextSpan(9, 1));
        var builder = DiagnosticBuilder.At(location);
        foreach (var field in Descriptors)
        {
            var descriptor = (DiagnosticDescriptor)field.GetValue(null)!;
            var method = BuilderMethods.Single(m => m.Name == field.Name);

            // Too few arguments for the format would throw here (a FormatException).
            var diagnostic = (Diagnostic)method.Invoke(builder, method.GetParameters().Select(p => Sample(p.ParameterType)).ToArray())!;

            Assert.True(descriptor.Id == diagnostic.Id, $"{method.Name} builds {diagnostic.Id}, not {descriptor.Id}");
            Assert.Equal(descriptor.Severity, diagnostic.Severity);
            Assert.Equal(location, diagnostic.Location);
            Assert.DoesNotMatch(@"\{\d+\}", diagnostic.Message);
        }
    }

    [Fact]
    public void MoreDiagnostics_HidingOnlyWarnings_IsAWarning()
    {
        var location = new SourceFile("b.atlas", "x").GetLocation(new TextSpan(0, 1));

        var warning = DiagnosticBuilder.At(location).MoreDiagnostics(hiddenErrors: 0, hiddenWarnings: 1234, shown: 100);
        var error = DiagnosticBuilder.At(location).MoreDiagnostics(hiddenErrors: 1, hiddenWarnings: 2, shown: 100);

        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal("1,234 more diagnostics in this file are not shown (1,234 warnings), only the first 100; fix these and check again", warning.Message);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Equal("3 more diagnostics in this file are not shown (1 error and 2 warnings), only the first 100; fix these and check again", error.Message);
    }

    /// <summary>The catalog's descriptors are reached through the builder only, in the front-end, the generator and the CLI.</summary>
    [Fact]
    public void NoSourceOutsideDiagnostics_ReferencesTheCatalogOrBuildsADiagnosticItself()
    {
        string root = FrontEndFuzzTests.RepositoryRoot();
        string diagnosticsFolder = Path.Combine(root, "generators", "Atlas.Compiler", "Diagnostics") + Path.DirectorySeparatorChar;
        var sources = new[] { Path.Combine(root, "generators"), Path.Combine(root, "cli") }
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            .Where(path => !IsBuildOutput(path) && !path.StartsWith(diagnosticsFolder, StringComparison.Ordinal))
            .ToList();
        Assert.Contains(sources, path => path.EndsWith(Path.Combine("Binding", "Binder.Expressions.cs"), StringComparison.Ordinal));

        // A member of the catalog (not the file name DiagnosticDescriptors.cs in a comment), or a Diagnostic made by hand.
        var reach = new Regex(@"\bDiagnosticDescriptors\s*\.\s*\p{Lu}|new\s+(Atlas\.Compiler\.Diagnostics\.)?Diagnostic\s*\(");
        var offenders = sources
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (path, line, number: i + 1)))
            .Where(l => reach.IsMatch(l.line))
            .Select(l => $"{Path.GetRelativePath(root, l.path)}({l.number}): {l.line.Trim()}")
            .ToList();

        Assert.True(offenders.Count == 0, "Build diagnostics with DiagnosticBuilder.At(...).<Code>(...), not from the catalog:\n" + string.Join("\n", offenders));
    }

    private static bool IsBuildOutput(string path) =>
        path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        || path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    /// <summary>A value for a builder parameter; a new parameter type fails here until it gets one.</summary>
    private static object? Sample(Type type)
    {
        if (type == typeof(string)) return "name";
        if (type == typeof(int)) return 2;
        if (type == typeof(bool)) return true;
        if (type == typeof(TypeRef)) return TypeRef.String;
        if (type == typeof(Location)) return new SourceFile("first.atlas", "x").GetLocation(new TextSpan(0, 1));
        if (type == typeof(LinePosition)) return new LinePosition(3, 4);
        if (type.IsEnum) return Enum.GetValues(type).GetValue(0);
        if (type.IsAssignableFrom(typeof(string[]))) return new[] { "a", "b" };
        if (type.IsAssignableFrom(typeof((string, IEnumerable<string>)[])))
            return new (string, IEnumerable<string>)[] { ("p", new[] { "chat", "json" }) };
        throw new InvalidOperationException($"No sample value for a builder parameter of type {type}; add one to {nameof(Sample)}.");
    }
}
