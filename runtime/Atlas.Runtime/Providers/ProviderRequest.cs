using System;

namespace Atlas.Runtime;

/// <summary>
/// One HTTP request to a remote provider, for the limits on it (<see cref="ProviderLimits"/>): when it was sent,
/// whether its reply has started, how long the next wait may be, and the errors naming the provider when a limit is
/// passed. Made by <see cref="ProviderHttpHandler"/> per request; read by one <see cref="ProviderResponseStream"/>.
/// </summary>
internal sealed class ProviderRequest
{
    private readonly string _provider;
    private readonly string _kind;
    private readonly SecretRedactor _secrets;
    private readonly TimeSpan? _timeout;
    private readonly long _sent;

    public ProviderRequest(string provider, string kind, SecretRedactor secrets, TimeProvider time, TimeSpan? timeout)
    {
        _provider = provider;
        _kind = kind;
        _secrets = secrets;
        _timeout = timeout;
        Time = time;
        _sent = time.GetTimestamp();
    }

    public TimeProvider Time { get; }

    /// <summary>Whether a byte of the reply's body has arrived (the idle limit applies from then on).</summary>
    public bool ReplyStarted { get; set; }

    /// <summary>
    /// How long the next wait (for the headers, or one read of the body) may take: what is left of the declared
    /// <c>timeout</c>; else, until the reply starts, what is left of <see cref="ProviderLimits.FirstByteTimeout"/>,
    /// then <see cref="ProviderLimits.IdleTimeout"/> per read.
    /// </summary>
    public TimeSpan ReadLimit() =>
        _timeout is { } timeout ? timeout - Time.GetElapsedTime(_sent)
        : ReplyStarted ? ProviderLimits.IdleTimeout
        : ProviderLimits.FirstByteTimeout - Time.GetElapsedTime(_sent);

    /// <summary>The failure for a wait that passed <see cref="ReadLimit"/>.</summary>
    public ProviderException Expired() =>
        _timeout is { } timeout ? Error($"did not finish its reply within its timeout of {Durations.Format(timeout)}")
        : ReplyStarted ? Error($"sent nothing for {Durations.Format(ProviderLimits.IdleTimeout)} in the middle of its reply")
        : Error($"did not start its reply within {Durations.Format(ProviderLimits.FirstByteTimeout)}");

    public ProviderException TooLarge() =>
        Error($"sent a reply larger than {ProviderLimits.FormatBytes(ProviderLimits.MaxReplyBytes)}");

    /// <summary>A failure of this provider: "<c>kind provider 'name' what</c>", any key blanked out.</summary>
    public ProviderException Error(string what, int? status = null) =>
        new(_provider, _secrets.Redact($"{_kind} provider '{_provider}' {what}"), status);
}
