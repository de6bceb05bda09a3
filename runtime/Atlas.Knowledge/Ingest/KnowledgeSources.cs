using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Extensions.FileSystemGlobbing;

namespace Atlas.Knowledge;

/// <summary>
/// The files a knowledge base's <c>sources</c> globs match under its base directory (case-insensitive, <c>**</c> for any
/// depth): what an ingest reads, and what <c>atlas check</c> looks at to warn about a glob that matches nothing (ATL2025).
/// </summary>
public static class KnowledgeSources
{
    /// <summary>The files any of <paramref name="globs"/> match, full paths in ordinal order; none when the folder is not there.</summary>
    /// <param name="baseDirectory">The folder the globs are relative to.</param>
    /// <param name="globs">The <c>sources</c> globs.</param>
    /// <returns>The matched files' full paths.</returns>
    public static IReadOnlyList<string> Match(string baseDirectory, IEnumerable<string> globs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseDirectory);
        ArgumentNullException.ThrowIfNull(globs);
        var matcher = new Matcher(StringComparison.OrdinalIgnoreCase);
        var any = false;
        foreach (var glob in globs)
        {
            matcher.AddInclude(glob.Replace('\\', '/'));
            any = true;
        }

        return any && Directory.Exists(baseDirectory)
            ? matcher.GetResultsInFullPath(baseDirectory).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    /// <summary>Whether <paramref name="glob"/> matches a file under <paramref name="baseDirectory"/>; <see langword="null"/> when the folder is not there.</summary>
    /// <param name="baseDirectory">The folder the glob is relative to.</param>
    /// <param name="glob">One <c>sources</c> glob.</param>
    /// <returns>Whether it matches at least one file, or <see langword="null"/>.</returns>
    public static bool? MatchesAny(string baseDirectory, string glob)
    {
        ArgumentNullException.ThrowIfNull(glob);
        return Directory.Exists(baseDirectory) ? Match(baseDirectory, [glob]).Count > 0 : null;
    }

    /// <summary>The globs of <paramref name="globs"/> that match no file, in their order (all of them when the folder is not there).</summary>
    /// <param name="baseDirectory">The folder the globs are relative to.</param>
    /// <param name="globs">The <c>sources</c> globs.</param>
    /// <returns>The globs that match nothing.</returns>
    public static IReadOnlyList<string> Unmatched(string baseDirectory, IEnumerable<string> globs)
    {
        ArgumentNullException.ThrowIfNull(globs);
        return globs.Where(g => MatchesAny(baseDirectory, g) != true).ToList();
    }

    /// <summary>The one-line warning of ingest and <c>atlas run</c>: <c>sources of 'handbook' matched no files: dosc/*.md</c>.</summary>
    /// <param name="knowledge">The knowledge base's name.</param>
    /// <param name="unmatched">The globs that matched nothing (from <see cref="Unmatched"/>).</param>
    /// <returns>The warning, without a trailing period.</returns>
    public static string Warning(string knowledge, IEnumerable<string> unmatched) =>
        $"sources of '{knowledge}' matched no files: {string.Join(", ", unmatched)}";
}
