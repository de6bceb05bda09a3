using System;

namespace Atlas.Runtime;

/// <summary>
/// Provider endpoints as they may be shown: a URL's user and password (<c>http://admin:secret@host/</c>)
/// are credentials, so every place that prints an endpoint prints <see cref="Display"/> instead, and the
/// runtime blanks the credentials out of any error text that quotes the URL (see <see cref="SecretRedactor.AddEndpoint"/>).
/// </summary>
public static class EndpointDisplay
{
    /// <summary>What replaces a URL's user information.</summary>
    public const string Mask = "***";

    /// <summary><c>http://admin:secret@host:8080/v1</c> → <c>http://***@host:8080/v1</c>; an endpoint without credentials is returned as it is.</summary>
    /// <param name="endpoint">An endpoint URL as declared, which need not parse.</param>
    /// <returns>The endpoint with its user information masked, safe to print.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> is <see langword="null"/>.</exception>
    public static string Display(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return UserInfo(endpoint) is { } userInfo ? endpoint.Replace(userInfo + "@", Mask + "@", StringComparison.Ordinal) : endpoint;
    }

    /// <summary>
    /// The <c>user:password</c> between <c>scheme://</c> and the first <c>@</c> of the authority, or null. Read from the
    /// text itself, not through <see cref="Uri"/>, so an endpoint that does not parse is covered too.
    /// </summary>
    internal static string? UserInfo(string endpoint)
    {
        var scheme = endpoint.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return null;
        }

        var start = scheme + 3;
        var end = endpoint.IndexOfAny(['/', '?', '#'], start);
        var authority = end < 0 ? endpoint[start..] : endpoint[start..end];
        var at = authority.LastIndexOf('@');
        return at <= 0 ? null : authority[..at];
    }
}
