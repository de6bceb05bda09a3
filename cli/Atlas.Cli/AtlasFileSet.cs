using System;
using System.Collections.Generic;
using System.IO;

namespace Atlas.Cli;

/// <summary>One input file: the path to show in diagnostics (as the user gave it) and the full path.</summary>
public sealed record AtlasInput(string DisplayPath, string FullPath);

/// <summary>
/// Expands command-line arguments into Atlas source files. A file is taken as given, whatever its
/// extension; a directory means every <c>*.atlas</c>, <c>*.atlas.yaml</c> and <c>*.atlas.yml</c>
/// under it, recursively, sorted by path. Hidden directories, <c>bin/</c> and <c>obj/</c> are
/// skipped (build output may hold copies of the sources), and so are symbolic links to
/// directories (no loops). A file named twice is read once.
/// </summary>
public static class AtlasFileSet
{
    private static readonly string[] s_extensions = [".atlas", ".atlas.yaml", ".atlas.yml"];
    private static readonly string[] s_skippedDirectories = ["bin", "obj", "node_modules"];

    public static bool IsAtlasFileName(string fileName)
    {
        foreach (var extension in s_extensions)
        {
            if (fileName.EndsWith(extension, StringComparison.OrdinalIgnoreCase) && fileName.Length > extension.Length)
                return true;
        }
        return false;
    }

    /// <summary>Expands <paramref name="arguments"/>; reports every bad one (one line each) through <paramref name="problems"/>.</summary>
    public static IReadOnlyList<AtlasInput> Expand(IEnumerable<string> arguments, ICollection<string> problems, string commandName)
    {
        var inputs = new List<AtlasInput>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        foreach (var argument in arguments)
        {
            if (string.IsNullOrWhiteSpace(argument))
            {
                problems.Add($"{commandName}: an empty path was given");
                continue;
            }

            if (File.Exists(argument))
            {
                Add(argument);
            }
            else if (Directory.Exists(argument))
            {
                var found = new List<string>();
                Walk(argument, "", found);
                if (found.Count == 0)
                {
                    problems.Add($"{commandName}: '{argument}' has no .atlas, .atlas.yaml or .atlas.yml files");
                    continue;
                }
                found.Sort(StringComparer.Ordinal);
                foreach (var relative in found)
                    Add(IsCurrentDirectory(argument) ? relative : Path.Join(argument, relative));
            }
            else
            {
                problems.Add($"{commandName}: '{argument}' does not exist");
            }
        }

        return inputs;

        void Add(string displayPath)
        {
            var fullPath = Path.GetFullPath(displayPath);
            if (seen.Add(fullPath)) inputs.Add(new AtlasInput(displayPath, fullPath));
        }
    }

    private static bool IsCurrentDirectory(string argument) =>
        argument is "." or "./" || argument == "." + Path.DirectorySeparatorChar;

    /// <summary>Collects paths relative to <paramref name="root"/>, always with '/' so sorting is the same everywhere.</summary>
    private static void Walk(string root, string relative, List<string> found)
    {
        var directory = relative.Length == 0 ? root : Path.Join(root, relative);
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(file);
            if (IsAtlasFileName(name)) found.Add(relative.Length == 0 ? name : relative + "/" + name);
        }

        foreach (var sub in Directory.EnumerateDirectories(directory))
        {
            var info = new DirectoryInfo(sub);
            var name = info.Name;
            if (name.StartsWith('.') || Array.IndexOf(s_skippedDirectories, name) >= 0) continue;
            if (info.LinkTarget is not null) continue;
            Walk(root, relative.Length == 0 ? name : relative + "/" + name, found);
        }
    }
}
