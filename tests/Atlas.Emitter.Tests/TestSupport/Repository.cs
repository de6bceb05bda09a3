namespace Atlas.Emitter.Tests.TestSupport;

/// <summary>Paths in the source tree (snapshots are written beside the tests, examples read from <c>examples/</c>).</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string TestsDirectory => Path.Combine(Root, "tests", "Atlas.Emitter.Tests");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Atlas.Dsl.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("Atlas.Dsl.sln not found above " + AppContext.BaseDirectory);
    }
}
