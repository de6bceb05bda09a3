using System;
using System.Globalization;

namespace Atlas.Runtime;

/// <summary>
/// A provider refused a call for now (HTTP 429 or the like). Retries wait <see cref="RetryAfter"/>
/// when it is given instead of their own backoff. Throw it from a custom <c>IChatClient</c> to get that behavior.
/// </summary>
public sealed class ProviderRateLimitedException : Exception
{
    /// <summary>Creates the exception a rate-limited call throws.</summary>
    /// <param name="message">What the provider said, naming it.</param>
    /// <param name="retryAfter">How long the provider asked callers to wait; <see langword="null"/> to retry with the usual backoff.</param>
    /// <param name="inner">The exception that reported the refusal, if any.</param>
    public ProviderRateLimitedException(string message, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(message, inner) => RetryAfter = retryAfter;

    /// <summary>
    /// How long to wait before the next attempt; <see langword="null"/> for the retry's own backoff. A wait longer
    /// than what is left of the call's timeout is not retried: the call fails (or its route falls back) at once.
    /// </summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// The wait a <c>Retry-After</c> header asks for: delta-seconds (<c>2</c>, <c>0.5</c>) or an HTTP date (the time from
    /// now until then), for a custom client that reads the header itself.
    /// </summary>
    /// <param name="value">The header's value.</param>
    /// <returns>The wait; <see langword="null"/> for a value that is neither.</returns>
    public static TimeSpan? ParseRetryAfter(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date - DateTimeOffset.UtcNow
            : null;
    }
}
