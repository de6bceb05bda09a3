using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>
/// The model and tool calls a run recorded, to answer the same requests from: a replay (strict: a request that was not
/// recorded fails) or a resumed run (a request its earlier attempt did not send goes to the model). Each recorded reply
/// answers once, in the order recorded, so a request sent twice gets the two replies it got then.
/// </summary>
/// <remarks>Thread-safe: steps of a run ask concurrently.</remarks>
internal sealed class RecordedCalls
{
    private readonly Dictionary<string, Queue<ModelCallRecord>> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Tool, string Arguments), Queue<ToolCallRecord>> _tools = new();

    private RecordedCalls(string runId, bool strict)
    {
        RunId = runId;
        Strict = strict;
    }

    /// <summary>The run whose calls these are.</summary>
    public string RunId { get; }

    /// <summary>Whether a request that was not recorded fails (replay) rather than goes to the model (resume).</summary>
    public bool Strict { get; }

    public static async Task<RecordedCalls> LoadAsync(IRunStore store, string runId, bool strict, CancellationToken cancellationToken)
    {
        var calls = new RecordedCalls(runId, strict);
        foreach (var call in await store.GetModelCallsAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            if (!calls._models.TryGetValue(call.RequestKey, out var queue)) calls._models[call.RequestKey] = queue = new Queue<ModelCallRecord>();
            queue.Enqueue(call);
        }

        foreach (var call in await store.GetToolCallsAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            var key = (call.Tool, call.Arguments);
            if (!calls._tools.TryGetValue(key, out var queue)) calls._tools[key] = queue = new Queue<ToolCallRecord>();
            queue.Enqueue(call);
        }

        return calls;
    }

    /// <summary>The next recorded reply to the request with <paramref name="requestKey"/>, or null.</summary>
    public ModelCallRecord? TakeModelCall(string requestKey)
    {
        lock (_models)
        {
            return _models.TryGetValue(requestKey, out var queue) && queue.TryDequeue(out var call) ? call : null;
        }
    }

    /// <summary>The next recorded result of <paramref name="tool"/> called with <paramref name="arguments"/>, or null.</summary>
    public ToolCallRecord? TakeToolCall(string tool, string arguments)
    {
        lock (_tools)
        {
            return _tools.TryGetValue((tool, arguments), out var queue) && queue.TryDequeue(out var call) ? call : null;
        }
    }
}
