using System.Globalization;
using Atlas.Runtime;

namespace Atlas.Equivalence.Tests.TestSupport;

/// <summary>
/// An event sequence with what may differ between two runs taken out (run ids, timestamps,
/// durations, retry delays), so that two sides can be compared: as a multiset of event
/// descriptions, per step, plus order constraints that each side must keep on its own.
/// </summary>
internal static class EventTrace
{
    /// <summary>
    /// One line per event: its type, its step, and what it says that must be equal — a token's text,
    /// a step's usage (tokens and cost), the chosen provider and why, a failure, the run's outcome.
    /// </summary>
    public static string Describe(AtlasEvent atlasEvent) => atlasEvent switch
    {
        RunStarted e => $"run_started {e.Workflow}",
        StepStarted e => $"step_started {e.Step}",
        TokenEmitted e => $"token {e.Step} {Quote(e.Text)}",
        StepCompleted e => $"step_completed {e.Step} {Describe(e.Usage)}",
        StepFailed e => $"step_failed {e.Step} {Quote(e.Error)}",
        RetryScheduled e => $"retry_scheduled {e.Step} attempt {e.Attempt} {Quote(e.Reason)}",
        ProviderSelected e => $"provider_selected {e.Step ?? "-"} {e.Provider} {Quote(e.Reason)}",
        RunCompleted e => $"run_completed {(e.Succeeded ? "succeeded" : "failed " + Quote(e.Error ?? ""))} {Describe(e.Usage)}",
        DelegationStarted e => $"delegation_started {e.Step} {e.From} -> {e.To} depth {e.Depth} {Quote(e.Arguments)}",
        DelegationCompleted e => $"delegation_completed {e.Step} {e.From} -> {e.To} depth {e.Depth} {(e.Succeeded ? "succeeded" : "failed " + Quote(e.Error ?? ""))} {Describe(e.Usage)}",
        HumanRequested e => $"human_requested {e.Step} {e.Human} {Quote(e.Prompt)}",
        HumanAnswered e => $"human_answered {e.Step} {e.Human} {e.Answer}",
        ToolCalled e => $"tool_called {e.Step} {e.Agent} {e.Tool} {Quote(e.Arguments)} {(e.Succeeded ? "succeeded" : "failed " + Quote(e.Error ?? ""))}",
        _ => atlasEvent.GetType().Name + " " + (atlasEvent.Step ?? "-"),
    };

    /// <summary>The events' descriptions in a fixed order (ordinal), so equal multisets give equal lists.</summary>
    public static List<string> Multiset(IEnumerable<AtlasEvent> events) =>
        events.Select(Describe).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// What every run must keep, whichever side ran it: <see cref="RunStarted"/> first and
    /// <see cref="RunCompleted"/> last, once each; each step started once and completed once (or
    /// failed), after the completion of every step it depends on; a step's own events between its
    /// start and its end. Returns the violations (none for a good run).
    /// </summary>
    public static List<string> OrderViolations(IReadOnlyList<AtlasEvent> events, IReadOnlyList<WorkflowNode> nodes)
    {
        var problems = new List<string>();
        if (events.Count == 0 || events[0] is not RunStarted) problems.Add("the first event is not run_started");
        if (events.Count == 0 || events[^1] is not RunCompleted) problems.Add("the last event is not run_completed");
        if (events.OfType<RunStarted>().Count() != 1) problems.Add("run_started is not there exactly once");
        if (events.OfType<RunCompleted>().Count() != 1) problems.Add("run_completed is not there exactly once");

        int IndexOf<T>(string step) where T : AtlasEvent
        {
            for (var i = 0; i < events.Count; i++)
            {
                if (events[i] is T && events[i].Step == step) return i;
            }

            return -1;
        }

        foreach (var node in nodes)
        {
            var started = events.Count(e => e is StepStarted && e.Step == node.Name);
            var ended = events.Count(e => e is StepCompleted or StepFailed && e.Step == node.Name);
            if (started > 1 || ended > 1 || started != ended) problems.Add($"step {node.Name}: started {started} times, ended {ended} times");
            var start = IndexOf<StepStarted>(node.Name);
            if (start < 0) continue;
            foreach (var dependency in node.DependsOn)
            {
                var done = IndexOf<StepCompleted>(dependency);
                if (done < 0 || done > start) problems.Add($"step {node.Name} started (event {start}) before {dependency} completed (event {done})");
            }

            var end = Math.Max(IndexOf<StepCompleted>(node.Name), IndexOf<StepFailed>(node.Name));
            for (var i = 0; i < events.Count; i++)
            {
                if (events[i] is TokenEmitted or ProviderSelected or RetryScheduled or DelegationStarted or DelegationCompleted or ToolCalled && events[i].Step == node.Name && (i < start || (end >= 0 && i > end)))
                    problems.Add($"event {i} ({Describe(events[i])}) of step {node.Name} is outside the step's start ({start}) and end ({end})");
            }
        }

        var known = nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var step in events.Select(e => e.Step).OfType<string>().Distinct(StringComparer.Ordinal).Where(s => !known.Contains(s)))
            problems.Add($"events name step '{step}', which the graph does not have");
        return problems;
    }

    /// <summary>What only one side has of two <see cref="Multiset"/>s, at most 20 lines each, for a failure message.</summary>
    public static string Difference(List<string> generated, List<string> interpreted)
    {
        var onlyGenerated = new List<string>(generated);
        var onlyInterpreted = new List<string>();
        foreach (var line in interpreted)
        {
            if (!onlyGenerated.Remove(line)) onlyInterpreted.Add(line);
        }

        return string.Join("\n", onlyGenerated.Take(20).Select(l => "generated only:   " + l).Concat(onlyInterpreted.Take(20).Select(l => "interpreted only: " + l)));
    }

    /// <summary>A node as text: name, dependencies, kind, arms and policy.</summary>
    public static string Describe(WorkflowNode node) =>
        $"{node.Name} <- [{string.Join(", ", node.DependsOn)}] {node.Kind} arms={node.Arms} retry={node.Policy.Retry} timeout={node.Policy.Timeout?.ToString() ?? "-"} parallelism={node.Policy.Parallelism}";

    private static string Describe(Usage usage) =>
        string.Create(CultureInfo.InvariantCulture, $"in={usage.InputTokens} out={usage.OutputTokens} cost={usage.CostUsd}");

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
