using System;

namespace Atlas.Runtime;

/// <summary>
/// When a provider's circuit opens (Polly's circuit breaker, one per provider): once at least
/// <see cref="MinimumThroughput"/> calls in <see cref="SamplingDuration"/> failed at a ratio of
/// <see cref="FailureRatio"/> or more, the provider is taken out for <see cref="BreakDuration"/>
/// (routes skip it, a direct call fails at once), then one trial call is let through: success
/// closes the circuit, failure opens it again.
/// </summary>
/// <remarks>
/// Counted as failures: error statuses other than 400, 404, 413 and 422 (those are about the
/// request), timeouts, broken or malformed streams. A caller's cancellation is not counted.
/// Polly requires <see cref="SamplingDuration"/> and <see cref="BreakDuration"/> of at least 500 ms.
/// </remarks>
public sealed record CircuitBreakerSettings(
    double FailureRatio = 0.5,
    int MinimumThroughput = 5,
    TimeSpan? SamplingDuration = null,
    TimeSpan? BreakDuration = null)
{
    /// <summary>The default: half of at least 5 calls in 30 s failed → out for 30 s.</summary>
    public static readonly CircuitBreakerSettings Default = new();

    public TimeSpan Sampling => SamplingDuration ?? TimeSpan.FromSeconds(30);

    public TimeSpan Break => BreakDuration ?? TimeSpan.FromSeconds(30);
}
