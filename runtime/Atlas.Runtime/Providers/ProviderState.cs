using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Polly;
using Polly.CircuitBreaker;

namespace Atlas.Runtime;

/// <summary>
/// A provider at run time: its client (or why there is none), its capabilities, its concurrency
/// limit, its circuit breaker and the latency it has shown. Thread-safe; one per provider name per runtime.
/// </summary>
internal sealed class ProviderState : IDisposable
{
    private readonly ConcurrencyLimiter? _limiter;
    private readonly bool _ownsClient;
    private readonly TimeProvider _timeProvider;
    private long _averageLatencyBits;
    private int _samples;
    private int _lastCallFailed;
    private CircuitSnapshot? _circuit;
    private AtlasRuntime.ModelPlan? _directPlan;

    public ProviderState(ProviderDescriptor descriptor, IChatClient? client, bool ownsClient, string? unavailableReason, CircuitBreakerSettings? circuit, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        Descriptor = descriptor;
        Client = client;
        _ownsClient = ownsClient;
        UnavailableReason = client is null ? unavailableReason ?? $"{ProviderKinds.Spelling(descriptor.Kind)} client not configured" : null;
        Capabilities = descriptor.Capabilities ?? ProviderKinds.DefaultCapabilities(descriptor.Kind);
        if (descriptor.MaxConcurrency is > 0)
        {
            _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = descriptor.MaxConcurrency.Value,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }

        // The built-in mock never fails; it needs no breaker.
        Breaker = circuit is null || client is null || descriptor.Kind == ProviderKind.Mock ? ResiliencePipeline.Empty : BuildBreaker(circuit);
    }

    /// <summary>The plan for an agent whose model is this provider, made once: it is the same for every call.</summary>
    public AtlasRuntime.ModelPlan DirectPlan => _directPlan ??= new AtlasRuntime.ModelPlan($"provider '{Name}'", [(this, "the agent's model")], [], StepPolicy.Default);

    /// <summary>This provider's circuit breaker (Polly), around each attempt of a call; <see cref="ResiliencePipeline.Empty"/> when off.</summary>
    public ResiliencePipeline Breaker { get; }

    public ProviderDescriptor Descriptor { get; }

    public string Name => Descriptor.Name;

    public IChatClient? Client { get; }

    public bool Available => Client is not null;

    public string? UnavailableReason { get; }

    public IReadOnlyList<string> Capabilities { get; }

    /// <summary>Input plus output price per million tokens (a side not declared is 0); see <see cref="CostKnown"/>.</summary>
    public double PricePerMillion => (Descriptor.InputCostPerMillion ?? 0) + (Descriptor.OutputCostPerMillion ?? 0);

    /// <summary>
    /// Whether this provider's price is known: it declares a cost, or it is the mock (free by definition).
    /// A provider without one is not free: <c>cheapest</c> ranks it after every provider whose price is known.
    /// </summary>
    public bool CostKnown => Descriptor.Kind == ProviderKind.Mock || Descriptor.InputCostPerMillion is not null || Descriptor.OutputCostPerMillion is not null;

    public double? AverageLatencyMs =>
        Volatile.Read(ref _samples) == 0 ? null : BitConverter.Int64BitsToDouble(Interlocked.Read(ref _averageLatencyBits));

    /// <summary>Whether this provider's latest call failed (a failure is no measure of speed).</summary>
    public bool LastCallFailed => Volatile.Read(ref _lastCallFailed) == 1;

    public ProviderStatus Status => new(Name, Descriptor.Kind, Available, UnavailableReason, Capabilities);

    /// <summary>Why a route must skip this provider now (its circuit is open), or null.</summary>
    /// <remarks>Every call reads the circuit's state, so it is one immutable snapshot read without a lock; null while closed.</remarks>
    public string? CircuitOpenReason()
    {
        if (Volatile.Read(ref _circuit) is not { HalfOpen: false } open)
        {
            return null;
        }

        var left = open.OpenUntil - _timeProvider.GetUtcNow();
        return left > TimeSpan.Zero
            ? $"circuit open for {Durations.Format(TimeSpan.FromSeconds(Math.Ceiling(left.TotalSeconds)))} more after repeated failures (last: {open.Because})"
            : null;
    }

    /// <summary>A note for the selection reason while the circuit is half-open (its break is over, a trial call decides).</summary>
    public string? CircuitNote() =>
        Volatile.Read(ref _circuit) is { } circuit && (circuit.HalfOpen || circuit.OpenUntil <= _timeProvider.GetUtcNow())
            ? "circuit half-open: a trial call after repeated failures"
            : null;

    public bool Supports(string capability)
    {
        foreach (var c in Capabilities)
        {
            if (string.Equals(c, capability, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Waits for a slot under <see cref="ProviderDescriptor.MaxConcurrency"/>; the lease frees it.</summary>
    public async ValueTask<IDisposable?> AcquireAsync(CancellationToken cancellationToken)
    {
        if (_limiter is null)
        {
            return null;
        }

        var lease = await _limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new InvalidOperationException($"Provider '{Name}' refused a call: its concurrency queue is full.");
        }

        return lease;
    }

    /// <summary>Exponential moving average (weight 0.3 for the newest), for the <c>fastest</c> strategy; <paramref name="succeeded"/> says whether the call answered.</summary>
    /// <remarks>Lock-free: every call of every run on this provider records here, so a lock would be the one point they all contend on.</remarks>
    public void RecordLatency(TimeSpan latency, bool succeeded)
    {
        Volatile.Write(ref _lastCallFailed, succeeded ? 0 : 1);
        var ms = latency.TotalMilliseconds;
        while (true)
        {
            var seen = Interlocked.Read(ref _averageLatencyBits);
            var next = Volatile.Read(ref _samples) == 0 ? ms : (0.7 * BitConverter.Int64BitsToDouble(seen)) + (0.3 * ms);
            if (Interlocked.CompareExchange(ref _averageLatencyBits, BitConverter.DoubleToInt64Bits(next), seen) == seen)
            {
                Interlocked.Increment(ref _samples);
                return;
            }
        }
    }

    private ResiliencePipeline BuildBreaker(CircuitBreakerSettings settings) =>
        new ResiliencePipelineBuilder { TimeProvider = _timeProvider }
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
                    Volatile.Write(ref _circuit, new CircuitSnapshot(_timeProvider.GetUtcNow() + args.BreakDuration, because, HalfOpen: false));
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    if (Volatile.Read(ref _circuit) is { } open)
                    {
                        Volatile.Write(ref _circuit, open with { HalfOpen = true });
                    }

                    return default;
                },
                OnClosed = _ =>
                {
                    Volatile.Write(ref _circuit, null);
                    return default;
                },
            })
            .Build();

    /// <summary>A failure that says the provider is unwell (not the caller's cancellation, not a fault of the request).</summary>
    private static bool CountsAgainstProvider(Exception error, CancellationToken cancellationToken) => error switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        ProviderException provider => provider.CountsAgainstProvider,
        _ => true,
    };

    /// <summary>An open (or half-open) circuit: until when, and the failure that opened it.</summary>
    private sealed record CircuitSnapshot(DateTimeOffset OpenUntil, string Because, bool HalfOpen);

    public Usage Price(long inputTokens, long outputTokens)
    {
        var cost = ((inputTokens * (Descriptor.InputCostPerMillion ?? 0)) + (outputTokens * (Descriptor.OutputCostPerMillion ?? 0))) / 1_000_000d;
        return new Usage(inputTokens, outputTokens, (decimal)cost);
    }

    public void Dispose()
    {
        _limiter?.Dispose();
        if (_ownsClient)
        {
            Client?.Dispose();
        }
    }
}
