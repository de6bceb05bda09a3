using System;

namespace Atlas.Runtime;

/// <summary>
/// A provider refused a call for now (HTTP 429 or the like). Retries wait <see cref="RetryAfter"/>
/// when it is given instead of their own backoff. Throw it from a custom <c>IChatClient</c> to get that behavior.
/// </summary>
public sealed class ProviderRateLimitedException : Exception
{
    public ProviderRateLimitedException(string message, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(message, inner) => RetryAfter = retryAfter;

    public TimeSpan? RetryAfter { get; }
}
