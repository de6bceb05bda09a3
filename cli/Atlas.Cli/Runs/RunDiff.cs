using System.Collections.Generic;
using System.IO;
using System.Linq;
using Atlas.Cli.Display;
using Atlas.Runtime;

namespace Atlas.Cli.Runs;

/// <summary>
/// <c>atlas runs diff</c>: two runs compared as their records say, line by line: workflow, input, each step (same,
/// differs and how, or only in one), output. Results compare as JSON values, so spacing and key order do not count.
/// </summary>
internal static class RunDiff
{
    /// <summary>Writes the comparison; returns whether the runs are the same.</summary>
    public static bool Write(RunRecord a, IReadOnlyList<StepRecord> stepsA, RunRecord b, IReadOnlyList<StepRecord> stepsB, TextWriter output)
    {
        output.WriteLine($"run {a.RunId} ({a.Workflow}, {Spellings.Status(a.Status)}) against run {b.RunId} ({b.Workflow}, {Spellings.Status(b.Status)})");
        var lines = new List<(string Name, string Verdict)>();
        var differences = new List<string>();
        if (a.Workflow != b.Workflow)
        {
            lines.Add(("workflow", $"differs: {a.Workflow} → {b.Workflow}"));
            differences.Add("workflow");
        }

        lines.Add(("input", Compare(a.Input, b.Input, "input", differences)));
        var byName = stepsB.ToDictionary(s => s.Step, System.StringComparer.Ordinal);
        var steps = 0;
        foreach (var step in stepsA)
        {
            string verdict;
            if (!byName.Remove(step.Step, out var other)) verdict = "only in " + a.RunId;
            else if (step.Status != other.Status) verdict = $"differs: {Spellings.Status(step.Status)} → {Spellings.Status(other.Status)}";
            else if (!RunJson.SameJson(step.Result, other.Result)) verdict = "differs: result";
            else if (step.Error != other.Error) verdict = "differs: error";
            else verdict = "same";
            if (verdict != "same") steps++;
            lines.Add(("step " + step.Step, verdict));
        }

        foreach (var step in stepsB.Where(s => byName.ContainsKey(s.Step)))
        {
            steps++;
            lines.Add(("step " + step.Step, "only in " + b.RunId));
        }

        if (steps > 0) differences.Add(RunText.Count(steps, "step"));
        lines.Add(("output", Compare(a.Output, b.Output, "output", differences)));

        var width = lines.Max(l => l.Name.Length);
        foreach (var (name, verdict) in lines) output.WriteLine($"  {name.PadRight(width)}  {verdict}");
        output.WriteLine(differences.Count == 0 ? "the runs are the same" : "the runs differ: " + string.Join(", ", differences));
        return differences.Count == 0;
    }

    private static string Compare(string? a, string? b, string what, List<string> differences)
    {
        if (RunJson.SameJson(a, b)) return "same";
        differences.Add(what);
        return "differs";
    }
}
