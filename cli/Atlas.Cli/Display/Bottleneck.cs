using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Atlas.Runtime;

namespace Atlas.Cli.Display;

/// <summary>
/// The steps' times as a run's events give them, and at the end its bottleneck: the slowest step on the critical path
/// (from the step that ended last, back through the step each waited for that ended last). Events come from one thread at a time.
/// </summary>
internal sealed class Bottleneck(IReadOnlyList<WorkflowNode> nodes)
{
    private readonly Dictionary<string, IReadOnlyList<string>> _dependsOn = nodes.ToDictionary(n => n.Name, n => n.DependsOn, StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset Start, DateTimeOffset End)> _steps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _started = new(StringComparer.Ordinal);

    public void OnEvent(AtlasEvent atlasEvent)
    {
        switch (atlasEvent)
        {
            case StepStarted { Step: { } step } started:
                _started[step] = started.Timestamp;
                break;
            case StepCompleted { Step: { } step, Reused: false } completed:
                _steps[step] = (_started.GetValueOrDefault(step, completed.Timestamp - completed.Duration), completed.Timestamp);
                break;
            case StepFailed { Step: { } step } failed when _started.TryGetValue(step, out var start):
                _steps[step] = (start, failed.Timestamp);
                break;
        }
    }

    /// <summary><c>bottleneck: draft 3.1 s, 72% of the run (critical path: triage → draft → final)</c>; null for a run of fewer than two steps that ran.</summary>
    public string? Describe(TimeSpan run)
    {
        if (_steps.Count < 2) return null;
        var path = new List<string>();
        for (string? step = _steps.MaxBy(s => s.Value.End).Key; step is not null;)
        {
            path.Add(step);
            step = _dependsOn.GetValueOrDefault(step, [])
                .Where(_steps.ContainsKey)
                .Select(d => (string?)d)
                .MaxBy(d => _steps[d!].End);
        }

        path.Reverse();
        var slowest = path.MaxBy(Length)!;
        var share = run > TimeSpan.Zero ? Math.Min(100, (int)Math.Round(100 * Length(slowest).TotalSeconds / run.TotalSeconds)) : 0;
        var critical = path.Count > 1 ? $" (critical path: {string.Join(" → ", path)})" : "";
        return string.Create(CultureInfo.InvariantCulture, $"bottleneck: {slowest} {RunProgress.Duration(Length(slowest))}, {share}% of the run{critical}");
    }

    private TimeSpan Length(string step) => _steps[step].End - _steps[step].Start;
}
