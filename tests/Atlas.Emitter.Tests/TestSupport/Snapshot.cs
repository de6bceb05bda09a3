using System.Text;
using Atlas.Compiler.Emit;

namespace Atlas.Emitter.Tests.TestSupport;

/// <summary>
/// Verify-style snapshots: each generated file is compared with
/// <c>Snapshots/&lt;name&gt;/&lt;HintName&gt;.verified.cs</c> in the source tree (and the plan with
/// <c>.verified.txt</c>). A mismatch writes <c>*.received.*</c> beside it and fails with a diff; <c>ATLAS_ACCEPT=1</c> accepts what was
/// generated (and deletes snapshots of files no longer generated).
/// </summary>
internal static class Snapshot
{
    public static string Directory(string name) => Path.Combine(Repository.TestsDirectory, "Snapshots", name);

    /// <summary>Checks <paramref name="sources"/> against <c>*.verified</c> + <paramref name="extension"/>; other extensions' snapshots are left alone.</summary>
    public static void Verify(string name, IReadOnlyList<GeneratedSource> sources, string extension = ".cs")
    {
        bool accept = Environment.GetEnvironmentVariable("ATLAS_ACCEPT") == "1";
        var directory = Directory(name);
        System.IO.Directory.CreateDirectory(directory);
        var failures = new StringBuilder();
        var expectedFiles = new HashSet<string>(StringComparer.Ordinal);

        foreach (var source in sources)
        {
            var stem = Path.Combine(directory, Path.GetFileNameWithoutExtension(source.HintName));
            var verified = stem + ".verified" + extension;
            var received = stem + ".received" + extension;
            expectedFiles.Add(Path.GetFileName(verified));
            var existing = File.Exists(verified) ? File.ReadAllText(verified) : null;
            if (existing == source.Text)
            {
                if (File.Exists(received)) File.Delete(received);
                continue;
            }

            if (accept)
            {
                File.WriteAllText(verified, source.Text);
                if (File.Exists(received)) File.Delete(received);
                continue;
            }

            File.WriteAllText(received, source.Text);
            failures.Append(existing is null ? $"\nNew file {source.HintName} (no {Path.GetFileName(verified)}); see {received}\n" : $"\n{source.HintName} differs from {Path.GetFileName(verified)}:\n{TextDiff.Unified(existing, source.Text)}");
        }

        foreach (var stale in System.IO.Directory.GetFiles(directory, "*.verified" + extension).Where(f => !expectedFiles.Contains(Path.GetFileName(f))).OrderBy(f => f, StringComparer.Ordinal))
        {
            if (accept) File.Delete(stale);
            else failures.Append($"\n{Path.GetFileName(stale)} is no longer generated; delete it or run with ATLAS_ACCEPT=1\n");
        }

        Assert.True(failures.Length == 0, $"Snapshots of {name} do not match (run with ATLAS_ACCEPT=1 to accept):{failures}");
    }
}
