using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Atlas.Compiler.Binding;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Model;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;
using Atlas.Compiler.Yaml;

namespace Atlas.Compiler;

/// <summary>The result of compiling a set of Atlas files: the bound model and every diagnostic, sorted.</summary>
public sealed record CompilationResult(AtlasModel Model, EquatableArray<Diagnostic> Diagnostics)
{
    public bool HasErrors
    {
        get
        {
            foreach (var d in Diagnostics) if (d.IsError) return true;
            return false;
        }
    }
}

/// <summary>One file parsed on its own: its syntax tree and the syntax errors found in it.</summary>
public sealed record ParsedFile(SyntaxTree Tree, EquatableArray<Diagnostic> Diagnostics)
{
    public string Path => Tree.File.Path;
}

/// <summary>
/// The front-end's entry point: parse each file (.atlas or YAML), bind them together as one
/// namespace, and run every check in one pass. Never throws for bad input: failures inside
/// Atlas itself become ATL9001 diagnostics. Thread-safe (no shared state).
/// </summary>
public static class AtlasCompiler
{
    public static SyntaxTree Parse(SourceFile file, DiagnosticBag diagnostics, CancellationToken cancellationToken = default)
    {
        try
        {
            return file.IsYaml ? YamlLoader.Load(file, diagnostics, cancellationToken) : AtlasParser.ParseFile(file, diagnostics, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            diagnostics.Add(DiagnosticBuilder.At(file, new TextSpan(0, 0)).InternalError(Describe(ex)));
            return new SyntaxTree(file, ImmutableArray<DeclarationSyntax>.Empty);
        }
    }

    /// <summary>Parses one file (.atlas or YAML by its extension). A host that caches per file (the generator) calls this, then <see cref="Compile(IReadOnlyList{ParsedFile}, CancellationToken)"/>.</summary>
    public static ParsedFile ParseFile(SourceFile file, CancellationToken cancellationToken = default)
    {
        var diagnostics = new DiagnosticBag();
        var tree = Parse(file, diagnostics, cancellationToken);
        return new ParsedFile(tree, diagnostics.ToSortedArray());
    }

    /// <summary>Binds and checks files parsed with <see cref="ParseFile"/> as one namespace.</summary>
    public static CompilationResult Compile(IReadOnlyList<ParsedFile> files, CancellationToken cancellationToken = default) =>
        Compile(files, null, cancellationToken);

    /// <summary>As <see cref="Compile(IReadOnlyList{ParsedFile}, CancellationToken)"/>, with the checks <paramref name="host"/> can answer (references, files).</summary>
    public static CompilationResult Compile(IReadOnlyList<ParsedFile> files, CompilationHost? host, CancellationToken cancellationToken = default)
    {
        var diagnostics = new DiagnosticBag();
        var trees = new List<SyntaxTree>(files.Count);
        foreach (var file in files)
        {
            diagnostics.AddRange(file.Diagnostics);
            trees.Add(file.Tree);
        }
        var model = Bind(trees, diagnostics, cancellationToken, host: host);
        return new CompilationResult(model, diagnostics.ToReportedArray());
    }

    public static CompilationResult Compile(IEnumerable<SourceFile> files, CancellationToken cancellationToken = default) =>
        Compile(files, null, cancellationToken);

    /// <summary>Parses and compiles <paramref name="files"/>, with the checks <paramref name="host"/> can answer.</summary>
    public static CompilationResult Compile(IEnumerable<SourceFile> files, CompilationHost? host, CancellationToken cancellationToken = default)
    {
        var parsed = new List<ParsedFile>();
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            parsed.Add(ParseFile(file, cancellationToken));
        }
        return Compile(parsed, host, cancellationToken);
    }

    /// <summary>
    /// Binds parsed trees; a failure inside the binder becomes ATL9001 instead of an exception.
    /// <paramref name="bind"/> replaces the binder (tests use it to prove the safety net).
    /// </summary>
    internal static AtlasModel Bind(
        IReadOnlyList<SyntaxTree> trees,
        DiagnosticBag diagnostics,
        CancellationToken cancellationToken,
        Func<IReadOnlyList<SyntaxTree>, DiagnosticBag, CancellationToken, AtlasModel>? bind = null,
        CompilationHost? host = null)
    {
        try
        {
            return bind is null ? Binder.Bind(trees, diagnostics, cancellationToken, host) : bind(trees, diagnostics, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            var first = trees.Count > 0 ? trees[0].File : new SourceFile("<none>", "");
            diagnostics.Add(DiagnosticBuilder.At(first, new TextSpan(0, 0)).InternalError(Describe(ex)));
            return AtlasModel.Empty;
        }
    }

    public static CompilationResult Compile(params SourceFile[] files) => Compile((IEnumerable<SourceFile>)files);

    private static string Describe(Exception ex) => ex.GetType().Name + ": " + ex.Message;
}
