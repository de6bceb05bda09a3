using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// A provider at run time: its pipeline (the chat client with the runtime's and the host's middleware around it) or why
/// there is none, its capabilities, its circuit and the latency it has shown. Thread-safe; one per provider name per runtime.
/// </summary>
internal sealed class Provider : IDisposable
{
    private long _averageLatencyBits;
    private int _samples;
    private int _lastCallFailed;

    public Provider(ProviderDescriptor descriptor, IChatClient? pipeline, string? unavailableReason, ProviderCircuit? circuit)
    {
        Descriptor = descriptor;
        Pipeline = pipeline;
        UnavailableReason = pipeline is null ? unavailableReason ?? $"{ProviderKinds.Spelling(descriptor.Kind)} client not configured" : null;
        Capabilities = descriptor.Capabilities ?? ProviderKinds.DefaultCapabilities(descriptor.Kind);
        Circuit = circuit;
    }

    public ProviderDescriptor Descriptor { get; }

    public string Name => Descriptor.Name;

    /// <summary>
    /// What a call goes through, outermost first: usage accounting, token events, the host's middleware, the concurrency
    /// limit, error normalisation (remote kinds), and the client. <see langword="null"/> when the provider is unavailable.
    /// </summary>
    public IChatClient? Pipeline { get; }

    public bool Available => Pipeline is not null;

    public string? UnavailableReason { get; }

    public IReadOnlyList<string> Capabilities { get; }

    /// <summary>The provider's circuit breaker; <see langword="null"/> when off (the mock, an unavailable provider, or no settings).</summary>
    public ProviderCircuit? Circuit { get; }

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

    /// <summary>Disposes the pipeline: the runtime's middleware and a client the runtime made (a host's client is only borrowed).</summary>
    public void Dispose() => Pipeline?.Dispose();
}
