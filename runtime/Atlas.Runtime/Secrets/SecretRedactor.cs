using System;
using System.Collections.Generic;
using System.Threading;

namespace Atlas.Runtime;

/// <summary>
/// The API key values a runtime handed to its clients (and the credentials in endpoint URLs), kept only
/// to blank them out of any text that leaves the runtime (error messages, event fields). Never enumerable, never printed. Thread-safe.
/// </summary>
internal sealed class SecretRedactor
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "[redacted]";

    // Shorter values would blank ordinary words; real keys are far longer.
    private const int MinimumLength = 6;

    private readonly object _gate = new();
    private (string Secret, string Replacement)[] _secrets = [];

    public bool IsEmpty => Volatile.Read(ref _secrets).Length == 0;

    public void Add(string? secret)
    {
        if (secret is null || secret.Trim().Length < MinimumLength)
        {
            return;
        }

        Add(secret, Mask);
    }

    /// <summary>
    /// The credentials of an endpoint URL (<c>http://user:password@host/</c>): <c>user:password@</c> becomes
    /// <c>***@</c> wherever the URL is quoted, whatever their length, and the password alone is blanked like a key.
    /// </summary>
    public void AddEndpoint(string? endpoint)
    {
        if (endpoint is null || EndpointDisplay.UserInfo(endpoint) is not { } userInfo)
        {
            return;
        }

        Add(userInfo + "@", EndpointDisplay.Mask + "@");
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        Add(colon >= 0 ? userInfo[(colon + 1)..] : null);
        Add(Uri.UnescapeDataString(userInfo) is var unescaped && unescaped != userInfo ? unescaped : null);
    }

    private void Add(string secret, string replacement)
    {
        lock (_gate)
        {
            var current = _secrets;
            if (Array.FindIndex(current, s => s.Secret == secret) >= 0)
            {
                return;
            }

            // Longest first, so a key that contains another is blanked whole.
            var next = new List<(string Secret, string Replacement)>(current) { (secret, replacement) };
            next.Sort(static (a, b) => b.Secret.Length.CompareTo(a.Secret.Length));
            Volatile.Write(ref _secrets, next.ToArray());
        }
    }

    public bool Contains(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        foreach (var (secret, _) in Volatile.Read(ref _secrets))
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var (secret, replacement) in Volatile.Read(ref _secrets))
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, replacement, StringComparison.Ordinal);
            }
        }

        return text;
    }

    public string? RedactOrNull(string? text) => text is null ? null : Redact(text);
}
