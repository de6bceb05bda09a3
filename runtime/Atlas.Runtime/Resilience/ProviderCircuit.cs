using System;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.CircuitBreaker;

namespace Atlas.Runtime;

/// <summary>
/// One provider's circuit (Polly's circuit breaker, <see cref="CircuitBreakerSettings"/>): the pipeline every attempt of
/// a call to the provider goes through (<see cref="CircuitBreakerChatClient"/>), and its state as routes read it to skip
/// the provider while it is open. Thread-safe; one per provider per runtime, shared by every route that uses it.
/// </summary>
internal sealed class ProviderCircuit
{
    private readonly TimeProvider _timeProvider;
    private CircuitSnapshot? _state;

    public ProviderCircuit(CircuitBreakerSettings settings, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        Pipeline = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = settings.FailureRatio,
                MinimumThroughput = settings.MinimumThroughput,
                SamplingDuration = settings.Sampling,
                BreakDuration = settings.Break,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is { } error && CountsAgainstProvider(error, args.Context.CancellationToken)),
                // Polly calls these under its own lock, one transition at a time.
                OnOpened = args =>
                {
                    var because = args.Outcome.Exception is { } error ? RunContext.Describe(error) : "no result";
                    Volatile.Write(ref _state, new CircuitSnapshot(_timeProvider.GetUtcNow() + args.BreakDuration, because, HalfOpen: false));
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    if (Volatile.Read(ref _state) is { } open)
                    {
                        Volatile.Write(ref _state, open with { HalfOpen = true });
                    }

                    return default;
                },
                OnClosed = _ =>
                {
                    Volatile.Write(ref _state, null);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>The breaker, around each attempt of a call to the provider.</summary>
    public ResiliencePipeline Pipeline { get; }

    /// <summary>Why a route must skip this provider now (its circuit is open), or null.</summary>
    /// <remarks>Every call reads the circuit's state, so it is one immutable snapshot read without a lock; null while closed.</remarks>
    public string? OpenReason()
    {
        if (Volatile.Read(ref _state) is not { HalfOpen: false } open)
        {
            return null;
        }

        var left = open.OpenUntil - _timeProvider.GetUtcNow();
        return left > TimeSpan.Zero
            ? $"circuit open for {Durations.Format(TimeSpan.FromSeconds(Math.Ceiling(left.TotalSeconds)))} more after repeated failures (last: {open.Because})"
            : null;
    }

    /// <summary>A note for the selection reason while the circuit is half-open (its break is over, a trial call decides).</summary>
    public string? Note() =>
        Volatile.Read(ref _state) is { } circuit && (circuit.HalfOpen || circuit.OpenUntil <= _timeProvider.GetUtcNow())
            ? "circuit half-open: a trial call after repeated failures"
            : null;

    /// <summary>A failure that says the provider is unwell (not the caller's cancellation, not a fault of the request).</summary>
    private static bool CountsAgainstProvider(Exception error, CancellationToken cancellationToken) => error switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        ProviderException provider => provider.CountsAgainstProvider,
        _ => true,
    };

    /// <summary>An open (or half-open) circuit: until when, and the failure that opened it.</summary>
    private sealed record CircuitSnapshot(DateTimeOffset OpenUntil, string Because, bool HalfOpen);
}
