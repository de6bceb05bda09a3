using System;

namespace Atlas.Runtime;

/// <summary>
/// How much a remote provider may send and how long it may take (spec/language.md §6): every read
/// from the network has a size limit and every wait a timeout, so a broken or hostile server ends a
/// request with one clear error instead of a hang or an out-of-memory crash.
/// </summary>
internal static class ProviderLimits
{
    /// <summary>The most of an error response read for its message; the rest is never read.</summary>
    public const int MaxErrorBodyBytes = 64 * 1024;

    /// <summary>
    /// The largest reply, streamed (all its events together) or not: far above any model's output limit (128k tokens
    /// are about 0.5 MB of text, and 20 MB with the SSE framing of one event per token).
    /// </summary>
    public const long MaxReplyBytes = 32L * 1024 * 1024;

    /// <summary>The longest line of a streamed reply (an SSE line, an NDJSON object).</summary>
    public const int MaxStreamLineBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Without a declared <c>timeout</c>: how long a provider may take to start its reply (the status, the headers
    /// and its first byte). The default of .NET's HttpClient and of the OpenAI .NET SDK; a whole reply that is not
    /// streamed is produced in this time.
    /// </summary>
    public static readonly TimeSpan FirstByteTimeout = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Without a declared <c>timeout</c>: the longest silence once a reply has started. A provider that streams
    /// sends something every second or so (a token, a ping); half a minute of nothing is a stalled connection.
    /// </summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The longest timeout the runtime keeps (the compiler allows no longer, ATL2009): a host's longer one is cut to it.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(24);

    /// <summary>A size the way messages show it: 64 KB, 32 MB.</summary>
    public static string FormatBytes(long bytes) =>
        bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MB" : $"{bytes / 1024} KB";
}
