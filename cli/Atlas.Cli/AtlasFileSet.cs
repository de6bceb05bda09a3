using System;
using System.Collections.Generic;
using System.IO;

namespace Atlas.Cli;

/// <summary>One input file: the path to show in diagnostics (as the user gave it) and the full path.</summary>
public sealed record AtlasInput(string DisplayPath, string FullPath);

/// <summary>
/// Expands command-line arguments into Atlas source files, grouped into projects: the files of
/// one project compile together as one namespace.
/// </summary>
/// <remarks>
/// <para>Files named on the command line, and directories that hold Atlas files themselves, form
/// one project (with every Atlas file under them). A directory that holds no Atlas files itself,
/// only subdirectories that do — a folder of projects, like <c>examples/</c> — stands for each of
/// those subdirectories as a project of its own, so two projects may declare the same names.</para>
/// <para>A file is taken as given, whatever its extension; under a directory the Atlas files are
/// <c>*.atlas</c>, <c>*.atlas.yaml</c> and <c>*.atlas.yml</c>, sorted by path. Hidden
/// directories, <c>bin/</c>, <c>obj/</c> and <c>node_modules/</c> are skipped (build output may
/// hold copies of the sources), and so are symbolic links to directories (no loops). A file named
/// twice is read once.</para>
/// </remarks>
public static class AtlasFileSet
{
    private static readonly string[] SkippedDirectories = ["bin", "obj", "node_modules"];

    public static bool IsAtlasFileName(string fileName) => Atlas.Compiler.Text.SourceFile.IsAtlasFileName(fileName);

    /// <summary>
    /// Expands <paramref name="arguments"/> into projects (none empty), in the order the arguments
    /// name them; reports every bad argument (one line each) through <paramref name="problems"/>.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<AtlasInput>> Expand(IEnumerable<string> arguments, ICollection<string> problems, string commandName)
    {
        var projects = new List<List<AtlasInput>>();
        List<AtlasInput>? named = null; // the project of named files and of directories with their own Atlas files
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
                Add(Named(), argument);
            }
            else if (Directory.Exists(argument))
            {
                var found = new List<List<string>>();
                try
                {
                    if (HasOwnAtlasFiles(argument)) found.Add(Walk(argument, ""));
                    else SplitProjects(argument, "", found);
                }
                catch (UnreadableDirectoryException ex)
                {
                    problems.Add($"{commandName}: cannot read directory '{ex.Directory}': {ex.Reason}");
                    continue;
                }

                if (found.Count == 0)
                {
                    problems.Add($"{commandName}: '{argument}' has no .atlas, .atlas.yaml or .atlas.yml files");
                    continue;
                }

                bool ownFiles = HasOwnAtlasFiles(argument);
                foreach (var relativePaths in found)
                {
                    var project = ownFiles ? Named() : NewProject();
                    foreach (var relative in relativePaths)
                        Add(project, IsCurrentDirectory(argument) ? relative : Path.Join(argument, relative));
                }
            }
            else
            {
                problems.Add($"{commandName}: '{argument}' does not exist");
            }
        }

        projects.RemoveAll(p => p.Count == 0);
        return projects;

        List<AtlasInput> Named() => named ??= NewProject();

        List<AtlasInput> NewProject()
        {
            var project = new List<AtlasInput>();
            projects.Add(project);
            return project;
        }

        void Add(List<AtlasInput> project, string displayPath)
        {
            var fullPath = Path.GetFullPath(displayPath);
            if (seen.Add(fullPath)) project.Add(new AtlasInput(displayPath, fullPath));
        }
    }

    private static bool IsCurrentDirectory(string argument) =>
        argument is "." or "./" || argument == "." + Path.DirectorySeparatorChar;

    private static bool HasOwnAtlasFiles(string directory)
    {
        foreach (var file in List(directory, files: true))
        {
            if (IsAtlasFileName(Path.GetFileName(file))) return true;
        }
        return false;
    }

    /// <summary>Under a folder of projects: each subdirectory with Atlas files of its own is a project; others are searched further.</summary>
    private static void SplitProjects(string root, string relative, List<List<string>> projects)
    {
        foreach (var name in Subdirectories(root, relative))
        {
            var childRelative = relative.Length == 0 ? name : relative + "/" + name;
            if (HasOwnAtlasFiles(Path.Join(root, childRelative)))
            {
                var files = Walk(root, childRelative);
                // Walk returns paths relative to the child; make them relative to root.
                for (int i = 0; i < files.Count; i++) files[i] = childRelative + "/" + files[i];
                projects.Add(files);
            }
            else
            {
                SplitProjects(root, childRelative, projects);
            }
        }
    }

    /// <summary>Every Atlas file under <paramref name="root"/>/<paramref name="relative"/>, relative to that directory, '/'-separated and sorted.</summary>
    private static List<string> Walk(string root, string relative)
    {
        var found = new List<string>();
        Collect(relative.Length == 0 ? root : Path.Join(root, relative), "", found);
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    private static void Collect(string directory, string relative, List<string> found)
    {
        var current = relative.Length == 0 ? directory : Path.Join(directory, relative);
        foreach (var file in List(current, files: true))
        {
            var name = Path.GetFileName(file);
            if (IsAtlasFileName(name)) found.Add(relative.Length == 0 ? name : relative + "/" + name);
        }

        foreach (var name in Subdirectories(directory, relative))
            Collect(directory, relative.Length == 0 ? name : relative + "/" + name, found);
    }

    /// <summary>The files or subdirectories of <paramref name="directory"/> (as the user would write its path).</summary>
    /// <exception cref="UnreadableDirectoryException">It cannot be listed (no permission, an I/O error).</exception>
    internal static string[] List(string directory, bool files)
    {
        try
        {
            return files ? Directory.GetFiles(directory) : Directory.GetDirectories(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UnreadableDirectoryException(directory, ex is UnauthorizedAccessException ? "permission denied" : JsonText.OneLine(ex.Message));
        }
    }

    /// <summary>Subdirectory names, sorted, without hidden ones, build output and symbolic links.</summary>
    private static List<string> Subdirectories(string root, string relative)
    {
        var names = new List<string>();
        foreach (var sub in List(relative.Length == 0 ? root : Path.Join(root, relative), files: false))
        {
            var info = new DirectoryInfo(sub);
            if (info.Name.StartsWith('.') || Array.IndexOf(SkippedDirectories, info.Name) >= 0) continue;
            if (info.LinkTarget is not null) continue;
            names.Add(info.Name);
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }
}

/// <summary>A directory under an argument could not be listed.</summary>
internal sealed class UnreadableDirectoryException(string directory, string reason) : Exception($"cannot read directory '{directory}': {reason}")
{
    public string Directory { get; } = directory;

    public string Reason { get; } = reason;
}
