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

    /// <summary>A redactor for one stream of text pieces, where a secret may be split across two pieces; null when there are no secrets.</summary>
    public SecretStreamRedactor? StartStream()
    {
        var secrets = Volatile.Read(ref _secrets);
        return secrets.Length == 0 ? null : new SecretStreamRedactor(this, Array.ConvertAll(secrets, static s => s.Secret));
    }

    /// <summary>
    /// The length of the longest end of <paramref name="text"/> that is the start of a secret (but not all of one):
    /// text a stream must hold back until the next piece shows whether a secret follows.
    /// </summary>
    internal static int PartialSecretAtEnd(string text, string[] secrets)
    {
        var longest = 0;
        foreach (var secret in secrets)
        {
            // Only ends shorter than the secret, and longer than what another secret already holds back, matter.
            for (var length = Math.Min(secret.Length - 1, text.Length); length > longest; length--)
            {
                var start = text.Length - length;
                if (text[start] == secret[0] && string.CompareOrdinal(text, start, secret, 0, length) == 0)
                {
                    longest = length;
                    break;
                }
            }
        }

        return longest;
    }
}

/// <summary>
/// Blanks secrets out of a stream of text pieces (a model reply's tokens) even when one is split across
/// pieces: the end of a piece that could be the start of a secret is held back until the next piece (at
/// most a secret's length less one character), and <see cref="Flush"/> gives what is left when the stream
/// ends. One per stream; not thread-safe.
/// </summary>
internal sealed class SecretStreamRedactor
{
    private readonly SecretRedactor _redactor;
    private readonly string[] _secrets;
    private string _pending = string.Empty;

    public SecretStreamRedactor(SecretRedactor redactor, string[] secrets)
    {
        _redactor = redactor;
        _secrets = secrets;
    }

    /// <summary>The text that may leave now (possibly empty), secrets blanked; the rest waits for the next piece.</summary>
    public string Push(string piece)
    {
        var text = _redactor.Redact(_pending + piece);
        var held = SecretRedactor.PartialSecretAtEnd(text, _secrets);
        _pending = text[(text.Length - held)..];
        return text[..(text.Length - held)];
    }

    /// <summary>What was held back, at the end of the stream.</summary>
    public string Flush()
    {
        var rest = _redactor.Redact(_pending);
        _pending = string.Empty;
        return rest;
    }
}
