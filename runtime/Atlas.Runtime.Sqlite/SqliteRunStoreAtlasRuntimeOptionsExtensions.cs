using System;

namespace Atlas.Runtime;

/// <summary>Records a runtime's runs in a SQLite file.</summary>
public static class SqliteRunStoreAtlasRuntimeOptionsExtensions
{
    /// <summary>
    /// Makes the runtime record its runs in the SQLite file at <paramref name="path"/> (a <see cref="SqliteRunStore"/>,
    /// created with its folder by the first run): history, resume, the response cache, replay and human answers read it.
    /// The runtime disposes the store.
    /// </summary>
    /// <param name="options">The runtime's options.</param>
    /// <param name="path">The database file; a relative path starts at <see cref="AtlasRuntimeOptions.BaseDirectory"/>.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is <see langword="null"/>, empty or white space.</exception>
    public static AtlasRuntimeOptions UseRunStore(this AtlasRuntimeOptions options, string path)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options.RunStore = new SqliteRunStore(System.IO.Path.GetFullPath(path, options.BaseDirectory));
        return options;
    }
}
