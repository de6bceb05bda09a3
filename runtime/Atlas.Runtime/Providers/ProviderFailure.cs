using System;

namespace Atlas.Runtime;

/// <summary>What a client library's failure means (<see cref="ProviderClientFactory.DescribeFailure"/>).</summary>
/// <param name="Kind">What went wrong.</param>
/// <param name="Detail">The library's own words for it, for the end of the message.</param>
public sealed record ProviderFailure(ProviderFailureKind Kind, string Detail)
{
    /// <summary>For <see cref="ProviderFailureKind.RateLimited"/>, how long the provider asked callers to wait (its <c>Retry-After</c>), if it said.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>What went wrong in a call to a provider, as the one-line error names it.</summary>
public enum ProviderFailureKind
{
    /// <summary>The reply could not be read: "sent a malformed reply".</summary>
    MalformedReply,

    /// <summary>The provider sent an error event inside a stream: "reported an error mid-stream".</summary>
    ErrorMidStream,

    /// <summary>The connection broke or could not be made: "connection failed".</summary>
    ConnectionFailed,

    /// <summary>The library's own timeout fired: "timed out".</summary>
    TimedOut,

    /// <summary>
    /// The provider refused the call for now (HTTP 429), as a host's own client of the library reports it (the runtime's
    /// own clients never see an error status): it becomes a <see cref="ProviderRateLimitedException"/>.
    /// </summary>
    RateLimited,
}
