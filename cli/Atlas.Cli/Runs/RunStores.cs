using System.IO;
using Atlas.Runtime;

namespace Atlas.Cli.Runs;

/// <summary>Where the CLI records runs: <c>.atlas/runs.db</c> in the folder of the Atlas files, or the <c>--store</c> given.</summary>
internal static class RunStores
{
    /// <summary>The default store of a project's folder.</summary>
    public static string DefaultPath(string folder) => Path.Combine(folder, ".atlas", "runs.db");

    /// <summary>
    /// What a run of <paramref name="fileOrDirectory"/> (the path given to <c>atlas run</c>) records as its
    /// <see cref="RunRecord.Source"/>: its full path, the same from any folder, which <c>atlas runs list FILE</c> selects by
    /// and <c>atlas runs answer</c> names in the command that resumes the run.
    /// </summary>
    public static string SourceOf(string fileOrDirectory) => Path.GetFullPath(fileOrDirectory);

    /// <summary><paramref name="store"/> when given, else the project's default store.</summary>
    public static string PathFor(AtlasProject project, string? store) => store ?? DefaultPath(project.BaseDirectory);

    /// <summary>Opens (and creates) the store to record in.</summary>
    /// <exception cref="UsageException">The file cannot be a run store (a folder, unwritable, newer, corrupt): one line naming it.</exception>
    public static IRunStore Open(string path, string commandName)
    {
        try
        {
            return new SqliteRunStore(path);
        }
        catch (RunStoreException ex)
        {
            throw new UsageException($"{commandName}: {ex.Message}");
        }
    }
}
