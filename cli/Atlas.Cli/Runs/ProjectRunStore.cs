using System.IO;

namespace Atlas.Cli.Runs;

/// <summary>
/// Where a project's runs are recorded, one fact for every command: <c>.atlas/runs.db</c> in the folder of its .atlas
/// file, or in the directory given (<c>--store PATH</c> names another); and what a run records as its source.
/// </summary>
internal static class ProjectRunStore
{
    /// <summary>The folder, beside a project's files, that holds what Atlas records for it.</summary>
    public const string Folder = ".atlas";

    /// <summary>The store's file in <see cref="Folder"/>.</summary>
    public const string FileName = "runs.db";

    /// <summary>The store of the project whose files are in <paramref name="baseDirectory"/> (<see cref="AtlasProject.BaseDirectory"/>).</summary>
    public static string PathFor(string baseDirectory) => Path.Combine(Path.GetFullPath(baseDirectory), Folder, FileName);

    /// <summary>
    /// What a run of <paramref name="fileOrDirectory"/> (as given to <c>atlas run</c>) records as its
    /// <see cref="Atlas.Runtime.RunRecord.Source"/>: its full path, which <c>atlas runs list FILE</c> selects by.
    /// </summary>
    public static string SourceOf(string fileOrDirectory) => Path.GetFullPath(fileOrDirectory);
}
