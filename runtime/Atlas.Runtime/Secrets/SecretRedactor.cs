using System;
using System.Collections.Generic;
using System.Threading;

namespace Atlas.Runtime;

/// <summary>
/// The API key values a runtime handed to its clients, kept only to blank them out of any text that
/// leaves the runtime (error messages, event fields). Never enumerable, never printed. Thread-safe.
/// </summary>
internal sealed class SecretRedactor
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "[redacted]";

    // Shorter values would blank ordinary words; real keys are far longer.
    private const int MinimumLength = 6;

    private readonly object _gate = new();
    private string[] _secrets = [];

    public bool IsEmpty => Volatile.Read(ref _secrets).Length == 0;

    public void Add(string? secret)
    {
        if (secret is null || secret.Trim().Length < MinimumLength)
        {
            return;
        }

        lock (_gate)
        {
            var current = _secrets;
            if (Array.IndexOf(current, secret) >= 0)
            {
                return;
            }

            // Longest first, so a key that contains another is blanked whole.
            var next = new List<string>(current) { secret };
            next.Sort(static (a, b) => b.Length.CompareTo(a.Length));
            Volatile.Write(ref _secrets, next.ToArray());
        }
    }

    public bool Contains(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        foreach (var secret in Volatile.Read(ref _secrets))
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
        foreach (var secret in Volatile.Read(ref _secrets))
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    public string? RedactOrNull(string? text) => text is null ? null : Redact(text);
}
