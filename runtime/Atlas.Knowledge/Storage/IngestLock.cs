using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Knowledge;

/// <summary>
/// The lock that lets one ingest at a time write a store, across processes and within one: a lock file held open with
/// <see cref="FileShare.None"/> (on Unix a <c>flock</c>, released by the kernel when the holder exits, so a killed ingest
/// never leaves it stuck). The file itself stays behind, empty; deleting it on release would let two processes each hold
/// a lock on a different file of the same name.
/// </summary>
internal sealed class IngestLock : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(50);
    private readonly FileStream _file;

    private IngestLock(FileStream file) => _file = file;

    /// <summary>The lock file of a SQLite store: beside the database, <c>handbook.db.lock</c>.</summary>
    public static string PathBeside(string database) => database + ".lock";

    /// <summary>The lock file of a store that has no file of its own (a Chroma collection): under the temp folder, named by a hash of <paramref name="key"/>.</summary>
    public static string PathInTemp(string key)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16].ToLowerInvariant();
        return System.IO.Path.Combine(System.IO.Path.GetTempPath(), "atlas-ingest-" + hash + ".lock");
    }

    /// <summary>Waits until no other ingest holds <paramref name="path"/>, then holds it until disposed.</summary>
    /// <exception cref="IOException">The lock file cannot be created (a read-only folder...).</exception>
    public static async Task<IngestLock> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return new IngestLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.None));
            }
            catch (IOException ex) when (IsHeldElsewhere(ex))
            {
                await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Another handle holds it: on Windows ERROR_SHARING_VIOLATION (32) or ERROR_LOCK_VIOLATION (33); on Unix .NET's flock
    // fails with EWOULDBLOCK, which it reports as the raw errno (11 on Linux, 35 on macOS).
    private static bool IsHeldElsewhere(IOException ex) =>
        OperatingSystem.IsWindows() ? (ex.HResult & 0xFFFF) is 32 or 33 : ex.HResult == (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 35 : 11);

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
