using System.Collections.Generic;

namespace Atlas.Runtime;

/// <summary>
/// The model requests of one agent call's tool loop, or of a structured agent's call and its repair (see
/// <see cref="RouteChatClient"/>): the plan its first request made, and which of its candidates answered the
/// last request (-1 before any did). Not thread-safe: a session sends one request at a time.
/// </summary>
internal sealed class ModelSession
{
    private List<string>? _failures;

    public ModelPlan? Plan { get; set; }

    public int Current { get; set; } = -1;

    /// <summary>The provider given up on and why, until the next request falls back from it.</summary>
    public (string Provider, string Error)? Abandoned { get; set; }

    /// <summary>"provider: why" for each provider given up on, for the error when none is left.</summary>
    public IReadOnlyList<string> Failures => _failures ?? (IReadOnlyList<string>)[];

    /// <summary>
    /// Gives up on the provider that answered the last request, although it answered (its replies were no use):
    /// the next request goes to the plan's next candidate. False when there is none left to go to.
    /// </summary>
    public bool Abandon(string error)
    {
        if (Plan is null || Current < 0 || Current + 1 >= Plan.Candidates.Count)
        {
            return false;
        }

        var provider = Plan.Candidates[Current].Member.Provider.Name;
        (_failures ??= []).Add($"{provider}: {error}");
        Abandoned = (provider, error);
        return true;
    }
}
