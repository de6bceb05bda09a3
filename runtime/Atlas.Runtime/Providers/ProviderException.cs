using System;

namespace Atlas.Runtime;

/// <summary>
/// A provider reached over the network failed: an HTTP error status, an error event inside a stream,
/// a broken or malformed stream, a reply that ended early, took too long or was too large. The message names the provider and says what went wrong; it never
/// holds an API key (a key echoed back by a server is redacted).
/// </summary>
public sealed class ProviderException : Exception
{
    /// <summary>Creates the exception for a failed call to <paramref name="provider"/>.</summary>
    /// <param name="provider">The provider's name as declared.</param>
    /// <param name="message">What went wrong, naming the provider; it must hold no API key.</param>
    /// <param name="statusCode">The HTTP status of the reply, or the status an error event stands for; <see langword="null"/> if there was no reply.</param>
    /// <param name="retryAfter">How long the provider asked callers to wait; <see langword="null"/> if it did not say.</param>
    /// <param name="inner">The library's or the network's exception, if any.</param>
    public ProviderException(string provider, string message, int? statusCode = null, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(message, inner)
    {
        Provider = provider;
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    /// <summary>The provider's name as declared.</summary>
    public string Provider { get; }

    /// <summary>
    /// The HTTP status of the reply, when the provider answered with an error status; for an error event inside a
    /// 200 stream, the status it stands for (429 rate limit, 529 overloaded, 500 server error, 400 bad request, ...),
    /// so it is retried and falls back exactly as that status would.
    /// </summary>
    public int? StatusCode { get; }

    /// <summary>How long the provider asked us to wait (its <c>Retry-After</c> header), if it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// False for errors that repeating the same request cannot fix (400, 401, 403, 404, 413, 422):
    /// they are not retried and fall back to the next provider at once.
    /// </summary>
    public bool IsTransient => StatusCode is not (400 or 401 or 403 or 404 or 413 or 422);

    /// <summary>
    /// False for errors about the request rather than the provider's health (400, 404, 413, 422):
    /// they do not count towards opening the provider's circuit.
    /// </summary>
    internal bool CountsAgainstProvider => StatusCode is not (400 or 404 or 413 or 422);
}
