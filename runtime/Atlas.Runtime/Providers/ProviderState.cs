using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// A provider at run time: its client (or why there is none), its capabilities, its concurrency
/// limit and the latency it has shown. Thread-safe; one per provider name per runtime.
/// </summary>
internal sealed class ProviderState : IDisposable
{
    private readonly ConcurrencyLimiter? _limiter;
    private readonly bool _ownsClient;
    private readonly object _gate = new();
    private readonly Lazy<IChatClient>? _withTools;
    private double _averageLatencyMs;
    private int _samples;

    public ProviderState(ProviderDescriptor descriptor, IChatClient? client, bool ownsClient, string? unavailableReason)
    {
        Descriptor = descriptor;
        Client = client;
        _ownsClient = ownsClient;
        UnavailableReason = client is null ? unavailableReason ?? $"{descriptor.Kind} client not configured" : null;
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

        if (client is not null)
        {
            // Tool calls are driven by M.E.AI's FunctionInvokingChatClient over the provider's client.
            _withTools = new Lazy<IChatClient>(() => new FunctionInvokingChatClient(client));
        }
    }

    public ProviderDescriptor Descriptor { get; }

    public string Name => Descriptor.Name;

    public IChatClient? Client { get; }

    public IChatClient? ClientWithTools => _withTools?.Value;

    public bool Available => Client is not null;

    public string? UnavailableReason { get; }

    public IReadOnlyList<string> Capabilities { get; }

    /// <summary>Input plus output price per million tokens; a provider without a cost table is free.</summary>
    public double PricePerMillion => (Descriptor.InputCostPerMillion ?? 0) + (Descriptor.OutputCostPerMillion ?? 0);

    public double? AverageLatencyMs
    {
        get
        {
            lock (_gate)
            {
                return _samples == 0 ? null : _averageLatencyMs;
            }
        }
    }

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

    /// <summary>Exponential moving average (weight 0.3 for the newest), for the <c>fastest</c> strategy.</summary>
    public void RecordLatency(TimeSpan latency)
    {
        lock (_gate)
        {
            _averageLatencyMs = _samples == 0 ? latency.TotalMilliseconds : (0.7 * _averageLatencyMs) + (0.3 * latency.TotalMilliseconds);
            _samples++;
        }
    }

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
