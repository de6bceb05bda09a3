using System;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime.Benchmarks;

/// <summary>
/// The tools of <c>shapes.atlas</c>, implemented as the generated partial methods. Each is a trivial string
/// transform; with no <see cref="Latency"/> it returns a completed task, so a benchmark times only the engine
/// that calls it. Every engine under comparison calls these same methods. Thread-safe.
/// </summary>
public sealed partial class AtlasTools
{
    /// <summary>How long each tool waits (<see cref="Task.Delay(TimeSpan, CancellationToken)"/>) before answering; zero: at once.</summary>
    public TimeSpan Latency { get; init; }

    public partial Task<string> TagAAsync(string text, CancellationToken cancellationToken) => Answer(string.Concat(text, "|a"), cancellationToken);

    public partial Task<string> TagBAsync(string text, CancellationToken cancellationToken) => Answer(string.Concat(text, "|b"), cancellationToken);

    public partial Task<string> TagCAsync(string text, CancellationToken cancellationToken) => Answer(string.Concat(text, "|c"), cancellationToken);

    public partial Task<string> JoinAsync(string a, string b, string c, CancellationToken cancellationToken) => Answer($"{a}+{b}+{c}", cancellationToken);

    public partial Task<string> FinishAsync(string joined, CancellationToken cancellationToken) => Answer(string.Concat("[", joined, "]"), cancellationToken);

    private Task<string> Answer(string value, CancellationToken cancellationToken) =>
        Latency == TimeSpan.Zero ? Task.FromResult(value) : AnswerLaterAsync(value, cancellationToken);

    private async Task<string> AnswerLaterAsync(string value, CancellationToken cancellationToken)
    {
        await Task.Delay(Latency, cancellationToken).ConfigureAwait(false);
        return value;
    }
}
