using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Atlas.Runtime;

namespace Atlas.Cli.Display;

/// <summary>
/// The steps' times as a run's events give them, and at the end its bottleneck: the slowest step on the critical path
/// (<see cref="CriticalPath"/>). Events come from one thread at a time.
/// </summary>
internal sealed class Bottleneck(IReadOnlyList<WorkflowNode> nodes)
{
    private readonly Dictionary<string, IReadOnlyList<string>> _dependsOn = nodes.ToDictionary(n => n.Name, n => n.DependsOn, StringComparer.Ordinal);
    private readonly Dictionary<string, StepSpan> _steps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _started = new(StringComparer.Ordinal);

    public void OnEvent(AtlasEvent atlasEvent)
    {
        switch (atlasEvent)
        {
            case StepStarted { Step: { } step } started:
                _started[step] = started.Timestamp;
                break;
            case StepCompleted { Step: { } step, Reused: false } completed:
                _steps[step] = new StepSpan(step, _started.GetValueOrDefault(step, completed.Timestamp - completed.Duration), completed.Timestamp);
                break;
            case StepFailed { Step: { } step } failed when _started.TryGetValue(step, out var start):
                _steps[step] = new StepSpan(step, start, failed.Timestamp);
                break;
        }
    }

    /// <summary><c>bottleneck: draft 3.1 s, 72% of the run (critical path: triage → draft → final)</c>; null for a run of fewer than two steps that ran.</summary>
    public string? Describe(TimeSpan run)
    {
        if (_steps.Count < 2) return null;
        var path = CriticalPath.Of(_steps.Values.ToList(), step => _dependsOn.GetValueOrDefault(step, []));
        var slowest = path.Select(step => _steps[step]).MaxBy(s => s.Duration);
        var share = run > TimeSpan.Zero ? Math.Min(100, (int)Math.Round(100 * slowest.Duration.TotalSeconds / run.TotalSeconds)) : 0;
        var critical = path.Count > 1 ? $" (critical path: {string.Join(" → ", path)})" : "";
        return string.Create(CultureInfo.InvariantCulture, $"bottleneck: {slowest.Step} {RunProgress.Duration(slowest.Duration)}, {share}% of the run{critical}");
    }
}
