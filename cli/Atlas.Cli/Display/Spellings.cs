using System;
using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler.Model;

namespace Atlas.Cli.Display;

/// <summary>
/// How the CLI shows the model's enums, and reads them in options: their .atlas spelling (<c>openai_compatible</c>,
/// <c>round_robin</c>, <c>keyword</c>). The CLI's only spellings: the runtime gets enum members, never these strings.
/// </summary>
internal static class Spellings
{
    /// <summary>The provider kind's .atlas spelling.</summary>
    public static string Kind(ProviderKind kind) => kind switch
    {
        ProviderKind.OpenAI => "openai",
        ProviderKind.Anthropic => "anthropic",
        ProviderKind.Ollama => "ollama",
        ProviderKind.OpenAICompatible => "openai_compatible",
        _ => "mock",
    };

    /// <summary>The search modes as <c>--mode</c> takes them (the .atlas spelling), the default first.</summary>
    public static readonly IReadOnlyList<(string Spelling, Atlas.Runtime.SearchMode Mode)> SearchModes =
    [
        ("hybrid", Atlas.Runtime.SearchMode.Hybrid),
        ("vector", Atlas.Runtime.SearchMode.Vector),
        ("keyword", Atlas.Runtime.SearchMode.Keyword),
    ];

    /// <summary>The search mode a <c>--mode</c> spelling names.</summary>
    /// <exception cref="ArgumentException">Not one of <see cref="SearchModes"/> (the option accepts no other).</exception>
    public static Atlas.Runtime.SearchMode SearchMode(string spelling) =>
        SearchModes.FirstOrDefault(m => string.Equals(m.Spelling, spelling, StringComparison.Ordinal)) is { Spelling: not null } found
            ? found.Mode
            : throw new ArgumentException($"'{spelling}' is not a search mode.", nameof(spelling));

    /// <summary>The route strategy's .atlas spelling.</summary>
    public static string Strategy(RouteStrategy strategy) => strategy switch
    {
        RouteStrategy.RoundRobin => "round_robin",
        RouteStrategy.Cheapest => "cheapest",
        RouteStrategy.Fastest => "fastest",
        _ => "fallback",
    };

    /// <summary>The run statuses as <c>atlas runs</c> shows them and <c>--status</c> takes them.</summary>
    public static readonly IReadOnlyList<(string Spelling, Atlas.Runtime.RunStatus Status)> RunStatuses =
    [
        ("running", Atlas.Runtime.RunStatus.Running),
        ("succeeded", Atlas.Runtime.RunStatus.Succeeded),
        ("failed", Atlas.Runtime.RunStatus.Failed),
        ("waiting", Atlas.Runtime.RunStatus.Waiting),
        ("cancelled", Atlas.Runtime.RunStatus.Cancelled),
    ];

    /// <summary>A run status's spelling.</summary>
    public static string Status(Atlas.Runtime.RunStatus status) => RunStatuses.First(s => s.Status == status).Spelling;

    /// <summary>The run status a <c>--status</c> spelling names.</summary>
    /// <exception cref="ArgumentException">Not one of <see cref="RunStatuses"/> (the option accepts no other).</exception>
    public static Atlas.Runtime.RunStatus RunStatus(string spelling) =>
        RunStatuses.FirstOrDefault(s => string.Equals(s.Spelling, spelling, StringComparison.Ordinal)) is { Spelling: not null } found
            ? found.Status
            : throw new ArgumentException($"'{spelling}' is not a run status.", nameof(spelling));

    /// <summary>A step status's spelling.</summary>
    public static string Status(Atlas.Runtime.StepStatus status) => status switch
    {
        Atlas.Runtime.StepStatus.Failed => "failed",
        Atlas.Runtime.StepStatus.Waiting => "waiting",
        _ => "succeeded",
    };
}
