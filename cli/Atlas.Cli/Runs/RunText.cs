using System;
using System.Collections.Generic;
using System.Globalization;
using Atlas.Runtime;

namespace Atlas.Cli.Runs;

/// <summary>How the <c>atlas runs</c> commands write times, counts and where a run comes from.</summary>
internal static class RunText
{
    /// <summary>A recorded time: <c>2026-12-01 09:30:00Z</c>.</summary>
    public static string When(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z";

    /// <summary><c>1 run</c>, <c>3 runs</c>.</summary>
    public static string Count(long count, string noun) => count.ToString(CultureInfo.InvariantCulture) + " " + noun + (count == 1 ? "" : "s");

    /// <summary>Where a run comes from: <c>re-run of 3f2a…</c>, <c>batch 9a8b line 3</c>, or nothing.</summary>
    public static string Origin(RunRecord run)
    {
        var parts = new List<string>();
        if (run.ParentRunId is { } parent) parts.Add("re-run of " + parent);
        if (run.BatchId is { } batch) parts.Add($"batch {batch}" + (run.BatchLine is { } line ? " line " + line.ToString(CultureInfo.InvariantCulture) : ""));
        return string.Join(", ", parts);
    }
}
