using System;
using System.Collections.Generic;
using System.Linq;
using Atlas.Runtime;

namespace Atlas.Cli.Viewer;

/// <summary>
/// The chain of steps that decided how long a run took: from the step that ended last, back through the dependency
/// that ended last before it, to a step that waited for none. Shortening any other step would not end the run sooner.
/// </summary>
internal static class CriticalPath
{
    /// <summary>The critical steps in the order they ran.</summary>
    /// <param name="steps">The recorded steps.</param>
    /// <param name="dependenciesOf">What a step waits for (the plan's); with none known, the step that ended last before it started.</param>
    public static IReadOnlyList<string> Of(IReadOnlyList<StepRecord> steps, Func<string, IReadOnlyList<string>>? dependenciesOf)
    {
        var byName = steps.GroupBy(s => s.Step, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var path = new List<string>();
        var current = steps.OrderByDescending(End).FirstOrDefault();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (current is not null && seen.Add(current.Step))
        {
            path.Add(current.Step);
            var step = current;
            var candidates = dependenciesOf is null
                ? steps.Where(s => s != step && End(s) <= step.StartedAt)
                : dependenciesOf(step.Step).Select(d => byName.GetValueOrDefault(d)).OfType<StepRecord>();
            current = candidates.OrderByDescending(End).FirstOrDefault();
        }

        path.Reverse();
        return path;
    }

    private static DateTimeOffset End(StepRecord step) => step.StartedAt + step.Duration;
}
