using System;
using System.Globalization;

namespace Atlas.Runtime;

internal static class Durations
{
    /// <summary>A duration the way .atlas files write it: 500ms, 20s, 2m.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration.TotalSeconds < 1)
        {
            return duration.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
        }

        if (duration.TotalMinutes < 1 || duration.TotalSeconds % 60 != 0)
        {
            return duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        }

        return duration.TotalMinutes.ToString("0.###", CultureInfo.InvariantCulture) + "m";
    }
}
