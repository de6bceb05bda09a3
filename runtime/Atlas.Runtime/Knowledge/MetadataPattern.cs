using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;

namespace Atlas.Runtime;

/// <summary>
/// A metadata filter's value: a literal (equality) or, when it holds <c>*</c> or <c>?</c>, a glob where <c>*</c> matches any
/// run of characters (<c>/</c> included, so <c>docs/*</c> takes sub-folders too) and <c>?</c> one character. Case-sensitive,
/// as SQLite's <c>GLOB</c>.
/// </summary>
public static class MetadataPattern
{
    /// <summary>Whether <paramref name="pattern"/> is a glob rather than a literal.</summary>
    /// <param name="pattern">A filter's value.</param>
    /// <returns><see langword="true"/> if it holds <c>*</c> or <c>?</c>.</returns>
    public static bool IsGlob(string pattern) => pattern.AsSpan().IndexOfAny('*', '?') >= 0;

    /// <summary>Whether <paramref name="value"/> matches <paramref name="pattern"/>.</summary>
    /// <param name="pattern">A filter's value: a literal or a glob.</param>
    /// <param name="value">The metadata value; <see langword="null"/> (the key is absent) matches nothing.</param>
    /// <returns>Whether it equals the literal, or matches the whole glob.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pattern"/> is <see langword="null"/>.</exception>
    public static bool Matches(string pattern, string? value)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (value is null)
        {
            return false;
        }

        return IsGlob(pattern) ? ToRegex(pattern).IsMatch(value) : string.Equals(pattern, value, StringComparison.Ordinal);
    }

    /// <summary>Whether every filter matches <paramref name="metadata"/>.</summary>
    /// <param name="filters">Metadata keys and their patterns; <see langword="null"/> matches everything.</param>
    /// <param name="metadata">A chunk's metadata.</param>
    /// <returns><see langword="true"/> if, for each filter, the chunk has the key and its value matches.</returns>
    public static bool MatchesAll(IReadOnlyDictionary<string, string>? filters, IReadOnlyDictionary<string, string> metadata)
    {
        if (filters is null)
        {
            return true;
        }

        foreach (var (key, pattern) in filters)
        {
            if (!Matches(pattern, metadata.TryGetValue(key, out var value) ? value : null))
            {
                return false;
            }
        }

        return true;
    }

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        foreach (var c in pattern)
        {
            regex.Append(c switch
            {
                '*' => ".*",
                '?' => ".",
                _ => Regex.Escape(c.ToString()),
            });
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }
}
