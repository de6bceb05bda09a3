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
/// <param name="FailureRatio">The share of failed calls, from 0 to 1, at or above which the circuit opens.</param>
/// <param name="MinimumThroughput">How many calls the sampling window must hold before the ratio counts.</param>
/// <param name="SamplingDuration">The window the ratio is measured over; <see langword="null"/> for 30 seconds.</param>
/// <param name="BreakDuration">How long an open circuit keeps the provider out; <see langword="null"/> for 30 seconds.</param>
public sealed record CircuitBreakerSettings(
    double FailureRatio = 0.5,
    int MinimumThroughput = 5,
    TimeSpan? SamplingDuration = null,
    TimeSpan? BreakDuration = null)
{
    /// <summary>The default: half of at least 5 calls in 30 s failed → out for 30 s.</summary>
    public static readonly CircuitBreakerSettings Default = new();

    /// <summary>The sampling window in effect: <see cref="SamplingDuration"/>, or 30 seconds.</summary>
    public TimeSpan Sampling => SamplingDuration ?? TimeSpan.FromSeconds(30);

    /// <summary>The break in effect: <see cref="BreakDuration"/>, or 30 seconds.</summary>
    public TimeSpan Break => BreakDuration ?? TimeSpan.FromSeconds(30);
}
