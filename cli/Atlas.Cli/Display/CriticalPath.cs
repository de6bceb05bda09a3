using System;
using System.Collections.Generic;
using System.Linq;
using Atlas.Runtime;

namespace Atlas.Cli.Display;

/// <summary>
/// The chain of steps that decided how long a run took: from the step that ended last, back through the dependency
/// that ended last before it, to a step that waited for none. Shortening any other step would not end the run sooner.
/// Shared by <c>atlas run</c>'s closing line (<see cref="Bottleneck"/>) and the run viewer.
/// </summary>
internal static class CriticalPath
{
    /// <summary>The critical steps of recorded steps, in the order they ran.</summary>
    public static IReadOnlyList<string> Of(IReadOnlyList<StepRecord> steps, Func<string, IReadOnlyList<string>>? dependenciesOf) =>
        Of(steps.Select(s => new StepSpan(s.Step, s.StartedAt, s.StartedAt + s.Duration)).ToList(), dependenciesOf);

    /// <summary>The critical steps in the order they ran.</summary>
    /// <param name="steps">When each step ran (a step listed twice: its last).</param>
    /// <param name="dependenciesOf">What a step waits for (the plan's); with none known, the step that ended last before it started.</param>
    public static IReadOnlyList<string> Of(IReadOnlyList<StepSpan> steps, Func<string, IReadOnlyList<string>>? dependenciesOf)
    {
        var byName = steps.GroupBy(s => s.Step, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var path = new List<string>();
        StepSpan? current = steps.OrderByDescending(s => s.End).Cast<StepSpan?>().FirstOrDefault();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (current is { } step && seen.Add(step.Step))
        {
            path.Add(step.Step);
            var candidates = dependenciesOf is null
                ? steps.Where(s => s != step && s.End <= step.Start)
                : dependenciesOf(step.Step).Where(byName.ContainsKey).Select(d => byName[d]);
            current = candidates.OrderByDescending(s => s.End).Cast<StepSpan?>().FirstOrDefault();
        }

        path.Reverse();
        return path;
    }
}

/// <summary>When a step ran.</summary>
internal readonly record struct StepSpan(string Step, DateTimeOffset Start, DateTimeOffset End)
{
    public TimeSpan Duration => End - Start;
}
