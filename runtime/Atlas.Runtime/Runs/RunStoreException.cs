using System;

namespace Atlas.Runtime;

/// <summary>
/// A run store cannot read or write its runs: its file cannot be created or opened, is no run store, was written by a
/// newer Atlas, is corrupt, or the disk is full. The message is one line naming the store's <see cref="Location"/>, fit to
/// show a user as it is.
/// </summary>
/// <param name="location">Where the store keeps its runs (a file's full path).</param>
/// <param name="message">What is wrong, naming <paramref name="location"/>.</param>
/// <param name="inner">The exception that reported it, if any.</param>
public sealed class RunStoreException(string location, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Where the store keeps its runs (a file's full path).</summary>
    public string Location { get; } = location;
}
