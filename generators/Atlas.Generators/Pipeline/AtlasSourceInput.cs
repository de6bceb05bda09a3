using System;
using System.Collections.Immutable;
using System.Threading;
using Atlas.Compiler;
using Atlas.Compiler.Text;
using Microsoft.CodeAnalysis;

namespace Atlas.Generators.Pipeline;

/// <summary>
/// One .atlas / .atlas.yaml file as the pipeline sees it: its path and text, nothing else, so the
/// per-file step compares by value. <see cref="ReadError"/> is set when reading it failed.
/// </summary>
internal sealed record AtlasSourceInput(string Path, string? Text, string? ReadError)
{
    public static bool IsAtlasFile(string path) => SourceFile.IsAtlasFileName(path);

    /// <summary>
    /// The folder holding every one of <paramref name="paths"/> (the deepest common one), as <c>atlas run</c> takes a
    /// project's folder; <see langword="null"/> for no paths or paths that are not absolute. String work only: no file system.
    /// </summary>
    public static string? CommonFolder(ImmutableArray<string> paths)
    {
        string? common = null;
        foreach (var path in paths)
        {
            var folder = System.IO.Path.GetDirectoryName(path);
            if (string.IsNullOrEmpty(folder) || !System.IO.Path.IsPathRooted(folder)) return null;
            common = common is null ? folder : CommonPrefix(common, folder!);
            if (common is null) return null;
        }

        return common;
    }

    private static string? CommonPrefix(string a, string b)
    {
        while (!IsSameOrInside(b, a))
        {
            var parent = System.IO.Path.GetDirectoryName(a);
            if (string.IsNullOrEmpty(parent)) return null;
            a = parent!;
        }

        return a;
    }

    private static bool IsSameOrInside(string path, string folder) =>
        string.Equals(path, folder, StringComparison.Ordinal)
        || (path.StartsWith(folder, StringComparison.Ordinal) && (folder.EndsWith("/", StringComparison.Ordinal) || folder.EndsWith("\\", StringComparison.Ordinal) || path[folder.Length] is '/' or '\\'));

    /// <summary>Reads the text through <see cref="AdditionalText.GetText"/>, the only sanctioned way.</summary>
    public static AtlasSourceInput Read(AdditionalText file, CancellationToken cancellationToken)
    {
        try
        {
            // null: the host could not read the file; there is nothing of it to compile.
            return new AtlasSourceInput(file.Path, file.GetText(cancellationToken)?.ToString(), null);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            return new AtlasSourceInput(file.Path, null, ex.GetType().Name + ": " + ex.Message);
        }
    }
}

/// <summary>
/// One file after parsing, on its own: editing one .atlas file re-parses only that file. A parse
/// failure inside Atlas is already an ATL9001 in <see cref="ParsedFile.Diagnostics"/>.
/// </summary>
internal sealed record ParsedSource(string Path, ParsedFile? File, string? ReadError)
{
    public static ParsedSource Parse(AtlasSourceInput input, CancellationToken cancellationToken) =>
        input.Text is null
            ? new ParsedSource(input.Path, null, input.ReadError)
            : new ParsedSource(input.Path, AtlasCompiler.ParseFile(new SourceFile(input.Path, input.Text), cancellationToken), null);
}
