using System.Threading;
using Atlas.Runtime;

namespace Atlas.Equivalence.Tests.TestSupport;

/// <summary>
/// The person who answers the unhappy-path sources' <c>human</c> steps, the same on both sides: a question that says
/// <c>never</c> is never answered (it waits until the human's <c>timeout</c> cancels it), one that says <c>wrong</c> gets
/// <c>maybe</c> first (not a valid answer, so it is asked again, with the problem) and <c>yes</c> then, one that starts with
/// <c>json:</c> gets the rest of it verbatim; any other gets <c>yes</c> when it says <c>yes</c>, <c>no</c> otherwise.
/// </summary>
/// <remarks>Stateless (what it answers depends on the question alone), so both sides' runs see the same answers.</remarks>
internal sealed class ScriptedHumanInput : IHumanInput
{
    public async Task<string?> AskAsync(HumanQuestion question, CancellationToken cancellationToken)
    {
        var prompt = question.Prompt;
        if (prompt.Contains("never", StringComparison.Ordinal))
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (prompt.Contains("wrong", StringComparison.Ordinal)) return question.Problem is null ? "maybe" : "yes";
        var json = prompt.IndexOf("json:", StringComparison.Ordinal);
        if (json >= 0) return prompt[(json + "json:".Length)..];
        return prompt.Contains("yes", StringComparison.Ordinal) ? "yes" : "no";
    }
}
