using System;
using System.Collections.Generic;

namespace Atlas.Compiler.Diagnostics;

/// <summary>"Did you mean ...?" by edit distance, for messages that say what would be right.</summary>
public static class Suggestions
{
    /// <summary>
    /// Names other tools use for what Atlas calls otherwise (too far apart for edit distance):
    /// suggested whenever the Atlas name is one of the candidates.
    /// </summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["system"] = "instructions",
        ["system_prompt"] = "instructions",
        ["system_message"] = "instructions",
        ["retries"] = "retry",
        ["max_retries"] = "retry",
        ["retry_count"] = "retry",
    };

    /// <summary>Whether other tools' <paramref name="name"/> has an Atlas spelling (see <see cref="Alias"/>).</summary>
    public static bool HasAlias(string name) => Aliases.ContainsKey(name);

    /// <summary>The Atlas name for <paramref name="name"/> as other tools spell it, when it is one of <paramref name="candidates"/>; else null.</summary>
    public static string? Alias(string name, IEnumerable<string> candidates)
    {
        if (!Aliases.TryGetValue(name, out var alias)) return null;
        foreach (var candidate in candidates)
        {
            if (string.Equals(candidate, alias, StringComparison.Ordinal)) return alias;
        }
        return null;
    }

    /// <summary>The Atlas spelling of an alias among the candidates, else the closest candidate within a third of the name's length (at least 1, at most 3 edits), or null.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        if (HasAlias(name))
        {
            var list = new List<string>(candidates);
            if (Alias(name, list) is { } alias) return alias;
            candidates = list;
        }
        string? best = null;
        int bestDistance = int.MaxValue;
        int limit = Math.Min(3, Math.Max(1, name.Length / 3));
        foreach (var candidate in candidates)
        {
            int d = Distance(name, candidate);
            if (d < bestDistance || (d == bestDistance && best is not null && string.CompareOrdinal(candidate, best) < 0))
            {
                bestDistance = d;
                best = candidate;
            }
        }
        return bestDistance <= limit ? best : null;
    }

    /// <summary>"; did you mean `x`?" or "" when nothing is close.</summary>
    public static string DidYouMean(string name, IEnumerable<string> candidates) => DidYouMean(Closest(name, candidates));

    /// <summary>"; did you mean `<paramref name="suggestion"/>`?", or "" for none: how every message offers a suggestion.</summary>
    public static string DidYouMean(string? suggestion) => suggestion is null ? "" : $"; did you mean `{suggestion}`?";

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive.</summary>
    public static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
