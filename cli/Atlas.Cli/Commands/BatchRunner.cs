using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;
using Atlas.Cli.Display;
using Atlas.Cli.Runs;
using Atlas.Interpreter;
using Atlas.Runtime;

namespace Atlas.Cli.Commands;

/// <summary>A batch: <paramref name="OutputPath"/> null writes the results to stdout.</summary>
internal sealed record BatchOptions(string InputPath, string? OutputPath, int Parallel, string? Events)
{
    /// <summary>The run store each line's run is recorded in; null for <c>--no-record</c>.</summary>
    public string? Store { get; init; }

    /// <summary><c>--resume</c>: keep the lines the output holds and continue after them.</summary>
    public bool Resume { get; init; }

    /// <summary>The Atlas file or folder, kept with each run.</summary>
    public string? Source { get; init; }
}

/// <summary>
/// <c>atlas run FILE --batch in.jsonl [--output out.jsonl] [--parallel N]</c>: every line of the
/// input through one long-lived workflow block, with bounded memory however long the file.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Lines are read lazily and pushed with <c>SendAsync</c> into the runtime's block, whose
/// bounded capacity holds the reader back when the workflow is slower than the file.</item>
/// <item>The block gives results in completion order; they are written in input order through a
/// reorder buffer keyed by line. The reader may run at most <see cref="Window"/> lines ahead of
/// the writer, so a slow line cannot make the buffer grow without bound.</item>
/// <item>A line that is not valid JSON or not the workflow's input, or whose run fails, becomes
/// <c>{"line": N, "error": "..."}</c> and the batch goes on. Blank lines are skipped. A line is read as UTF-8
/// bytes of at most <see cref="InputFiles.MaxBytes"/>; a longer one is skipped unread (an error record).</item>
/// <item>Results are written whole lines at a time, each write straight to the file (or stdout), so a stopped
/// run leaves only whole lines. When cancelled (Ctrl+C, SIGTERM) it stops reading, cancels the runs in flight,
/// writes nothing more and reports how many lines it wrote: those are the results of the first lines, in order.</item>
/// </list>
/// </remarks>
internal static class BatchRunner
{
    [ThreadStatic]
    private static string? t_startedRunId;

    public static async Task<int> RunAsync(AtlasProject project, WorkflowInterpreter workflow, BatchOptions options, CliEnvironment environment, CancellationToken cancellationToken)
    {
        const string commandName = RunCommand.CommandName;
        using var events = EventSink.Open(options.Events, environment, commandName, append: options.Resume);
        var store = options.Store is null ? null : RunStores.Open(options.Store, commandName);
        var batchId = BatchId(options, workflow);
        var earlier = store is null || !options.Resume ? new Dictionary<long, RunRecord>() : await EarlierRunsAsync(store, batchId, cancellationToken).ConfigureAwait(false);
        var (total, firstWaiting) = await CountLinesAsync(options.InputPath, line => earlier.TryGetValue(line, out var run) && run.Status == RunStatus.Waiting, cancellationToken).ConfigureAwait(false);
        // A resume keeps the lines written before the first that waited for a person: from there on, the lines whose run
        // succeeded are written again from the store, and the waiting ones go on (with their answers, or wait again).
        await using var output = options.Resume ? BatchOutput.Continue(options.OutputPath!, commandName, keepAtMost: firstWaiting) : BatchOutput.Open(options.OutputPath, environment, commandName);
        var done = output.WholeLines;
        if (done > total) throw new UsageException($"{commandName}: --resume: '{options.OutputPath}' holds {done:N0} lines, more than the {total:N0} inputs of '{options.InputPath}'; is it this batch's output?");
        await using (var runtime = project.CreateRuntime(environment, store))
        {
            // One token for the blocks, the reader and the writer: if one of them fails, the others stop.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var stats = new BatchStats(total);
            stats.Written((int)done, 0);
            var writer = new OrderedWriter(output, Window(options.Parallel), stats, first: done);
            // From the moment of cancelling, nothing more is written: the output holds exactly the first lines' results.
            using var stopWriting = cancellationToken.Register(writer.Stop);
            var lines = new RunLines();
            var block = runtime.CreateBlock<BatchItem, JsonState, JsonNode?>(
                workflow.Graph,
                item =>
                {
                    // The runtime reports RunStarted on this thread just before it makes the state:
                    // that is how a result (which carries only its run id) finds its line.
                    var runId = t_startedRunId ?? throw new InvalidOperationException("The workflow block made a state before reporting RunStarted.");
                    t_startedRunId = null;
                    lines.Add(runId, item);
                    return item.State;
                },
                workflow.GetResult,
                new WorkflowBlockOptions(
                    BoundedCapacity: options.Parallel * 2,
                    MaxConcurrentRuns: options.Parallel,
                    OnEvent: atlasEvent =>
                    {
                        if (atlasEvent is RunStarted started) t_startedRunId = started.RunId;
                        else if (atlasEvent is RunCompleted completed) stats.Add(completed.Usage);
                        events?.Write(atlasEvent);
                    },
                    CancellationToken: stop.Token),
                item => new RunOptions
                {
                    Record = store is not null,
                    BatchId = batchId,
                    BatchLine = item.Line,
                    ResumeRunId = item.Resume,
                    Source = options.Source,
                });

            var progress = BatchProgress.Create(environment, stats);
            try
            {
                await progress.RunAsync(async () =>
                {
                    var reading = StopOnFaultAsync(ReadAsync(options.InputPath, workflow, block, writer, done, earlier, stop.Token), stop);
                    var consuming = StopOnFaultAsync(ConsumeAsync(block, lines, writer, stop.Token), stop);
                    try
                    {
                        await Task.WhenAll(reading, consuming).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        // One side stopped the other: report the failure that started it.
                        var cause = new[] { reading, consuming }.Where(t => t.IsFaulted).Select(t => t.Exception!.GetBaseException()).FirstOrDefault(e => e is not OperationCanceledException);
                        if (cause is not null) ExceptionDispatchInfo.Throw(cause);
                        throw;
                    }
                }).ConfigureAwait(false);
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or AggregateException)
            {
                throw Cancelled();
            }

            // Cancelled as the last results came in: the writer may have stopped short of them.
            if (cancellationToken.IsCancellationRequested && stats.Done < stats.Total) throw Cancelled();
            environment.Error.WriteLine(stats.Summary());
            if (stats.Waiting > 0)
            {
                environment.Error.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"waiting: {stats.Waiting:N0} line{(stats.Waiting == 1 ? "" : "s")} wait for a human step (each record names its run and step); answer with `atlas runs answer RUN STEP --value JSON`, then continue the batch with --resume"));
            }

            return stats.Failed > 0 ? ExitCodes.Errors : stats.Waiting > 0 ? ExitCodes.Waiting : ExitCodes.Success;

            CommandCancelledException Cancelled()
            {
                writer.Stop();
                var written = stats.Done;
                var where = options.OutputPath is null ? "stdout has" : $"'{options.OutputPath}' holds";
                return new CommandCancelledException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{commandName}: cancelled after {written:N0} line{(written == 1 ? "" : "s")}; {where} the results of the first {written:N0} input{(written == 1 ? "" : "s")}, in order"));
            }
        }
    }

    private static async Task StopOnFaultAsync(Task task, CancellationTokenSource stop)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>How far the reader may run ahead of the writer, in lines.</summary>
    internal static int Window(int parallel) => Math.Max(64, parallel * 8);

    /// <summary>
    /// Sends the input lines into the block: after the first <paramref name="skip"/> (written before a resume); a line whose
    /// earlier run succeeded with this workflow (the same plan fingerprint) is written from the store, one whose earlier run
    /// did not finish resumes that run.
    /// </summary>
    private static async Task ReadAsync(string path, WorkflowInterpreter workflow, ITargetBlock<BatchItem> block, OrderedWriter writer, long skip, IReadOnlyDictionary<long, RunRecord> earlier, CancellationToken cancellationToken)
    {
        try
        {
            using var reader = new JsonLineReader(InputFiles.OpenRead(path, $"--batch file '{path}'", RunCommand.CommandName), InputFiles.MaxBytes);
            long sequence = 0;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (reader.IsBlank) continue;
                if (sequence < skip)
                {
                    sequence++;
                    continue;
                }

                await writer.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
                var current = sequence++;
                earlier.TryGetValue(reader.LineNumber, out var run);
                if (run is { Status: RunStatus.Succeeded, Output: { } recorded } && run.Fingerprint == workflow.Fingerprint)
                {
                    writer.Complete(current, JsonText.Format(JsonNode.Parse(recorded), indented: false), LineOutcome.Succeeded);
                    continue;
                }

                // A run that finished under another version of the workflow is not this one's result: the line runs anew
                // (a succeeded run cannot be resumed); an unfinished one goes on, its changed steps run again.
                var item = Prepare(reader, current, workflow, out var error);
                if (item is not null && run is { Status: not RunStatus.Succeeded }) item = item with { Resume = run.RunId };
                if (item is null)
                {
                    writer.Complete(current, ErrorRecord(reader.LineNumber, error!), LineOutcome.Failed);
                    continue;
                }

                if (!await block.SendAsync(item, cancellationToken).ConfigureAwait(false))
                {
                    break; // the block faulted; the consumer reports why
                }
            }
        }
        finally
        {
            block.Complete();
        }
    }

    private static BatchItem? Prepare(JsonLineReader reader, long sequence, WorkflowInterpreter workflow, out string? error)
    {
        error = null;
        if (reader.IsTooLong)
        {
            error = $"the line is longer than {InputFiles.MaxText}, the limit for a batch line";
            return null;
        }

        var line = reader.Line.Span;
        if (InputFiles.FindInvalidUtf8(line) is { } bad)
        {
            error = $"{InputFiles.InvalidByte(line, bad)} at column {InputFiles.Position(line, bad).Column}";
            return null;
        }

        try
        {
            var input = workflow.ConformInput(JsonText.Parse(line));
            return new BatchItem(sequence, reader.LineNumber, workflow.CreateState(input));
        }
        catch (JsonException ex)
        {
            error = "not valid JSON: " + JsonText.OneLine(ex.Message);
        }
        catch (JsonShapeException ex)
        {
            error = "input: " + ex.Message;
        }

        return null;
    }

    private static async Task ConsumeAsync(IPropagatorBlock<BatchItem, WorkflowResult<JsonNode?>> block, RunLines lines, OrderedWriter writer, CancellationToken cancellationToken)
    {
        var receivable = (IReceivableSourceBlock<WorkflowResult<JsonNode?>>)block;
        while (await receivable.OutputAvailableAsync(cancellationToken).ConfigureAwait(false))
        {
            while (receivable.TryReceive(null, out var result))
            {
                var item = lines.Take(result.RunId);
                if (result.Succeeded) writer.Complete(item.Sequence, JsonText.Format(result.Value, indented: false), LineOutcome.Succeeded);
                else if (result.Waiting is { } waiting) writer.Complete(item.Sequence, WaitingRecord(item.Line, waiting), LineOutcome.Waiting);
                else writer.Complete(item.Sequence, ErrorRecord(item.Line, result.Error!), LineOutcome.Failed);
            }
        }

        await block.Completion.ConfigureAwait(false);
    }

    private static string ErrorRecord(long line, string error) =>
        new JsonObject { ["line"] = line, ["error"] = error }.ToJsonString(JsonText.Compact);

    /// <summary><c>{"line":3,"waiting":"approver","step":"ok","run":"c7a3a59b91e14a62"}</c>: the line's run waits for a person's answer.</summary>
    private static string WaitingRecord(long line, HumanInputRequiredException waiting) =>
        new JsonObject { ["line"] = line, ["waiting"] = waiting.Human, ["step"] = waiting.Step, ["run"] = waiting.RunId }.ToJsonString(JsonText.Compact);

    /// <summary>The input's lines (not counting blank ones), and how many come before the first for which <paramref name="waits"/> holds (by line number).</summary>
    private static async Task<(long Count, long FirstWaiting)> CountLinesAsync(string path, Func<long, bool> waits, CancellationToken cancellationToken)
    {
        using var reader = new JsonLineReader(InputFiles.OpenRead(path, $"--batch file '{path}'", RunCommand.CommandName), InputFiles.MaxBytes);
        long count = 0, firstWaiting = long.MaxValue;
        try
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (reader.IsBlank) continue;
                if (firstWaiting == long.MaxValue && waits(reader.LineNumber)) firstWaiting = count;
                count++;
            }
        }
        catch (IOException ex)
        {
            throw new UsageException($"{RunCommand.CommandName}: cannot read '{path}': {JsonText.OneLine(ex.Message)}");
        }

        return (count, firstWaiting);
    }

    private sealed record BatchItem(long Sequence, long Line, JsonState State)
    {
        /// <summary>The run of this line that a killed batch left unfinished, to continue; null for a new run.</summary>
        public string? Resume { get; init; }
    }

    /// <summary>The same batch (input, output, workflow) has the same id, so that <c>--resume</c> finds its runs.</summary>
    private static string BatchId(BatchOptions options, WorkflowInterpreter workflow)
    {
        var key = string.Join('\n', Path.GetFullPath(options.InputPath), options.OutputPath is null ? "-" : Path.GetFullPath(options.OutputPath), workflow.Name);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];
    }

    /// <summary>The runs an earlier attempt of the batch recorded, by input line (the last for a line run twice).</summary>
    private static async Task<Dictionary<long, RunRecord>> EarlierRunsAsync(IRunStore store, string batchId, CancellationToken cancellationToken)
    {
        var runs = new Dictionary<long, RunRecord>();
        foreach (var run in await store.ListRunsAsync(new RunQuery(BatchId: batchId, Limit: int.MaxValue), cancellationToken).ConfigureAwait(false))
        {
            if (run.BatchLine is { } line && (!runs.TryGetValue(line, out var known) || known.StartedAt <= run.StartedAt)) runs[line] = run;
        }

        return runs;
    }

    /// <summary>The line of each run inside the block, by run id (at most the block's capacity at a time).</summary>
    private sealed class RunLines
    {
        private readonly Dictionary<string, BatchItem> _items = new(StringComparer.Ordinal);

        public void Add(string runId, BatchItem item)
        {
            lock (_items) _items.Add(runId, item);
        }

        public BatchItem Take(string runId)
        {
            lock (_items)
            {
                return _items.Remove(runId, out var item)
                    ? item
                    : throw new InvalidOperationException($"The workflow block returned run {runId}, which it was never given.");
            }
        }
    }

    /// <summary>
    /// Writes results in input order as they become contiguous, every run of ready lines in one write; holds at most a
    /// window of lines. After <see cref="Stop"/> it writes nothing more.
    /// </summary>
    private sealed class OrderedWriter(BatchOutput output, int window, BatchStats stats, long first)
    {
        private readonly SemaphoreSlim _room = new(window, window);
        private readonly Dictionary<long, (string Text, LineOutcome Outcome)> _pending = new();
        private readonly StringBuilder _ready = new();
        private long _next = first;
        private bool _stopped;

        public Task WaitForRoomAsync(CancellationToken cancellationToken) => _room.WaitAsync(cancellationToken);

        public void Stop()
        {
            lock (_pending) _stopped = true;
        }

        public void Complete(long sequence, string text, LineOutcome outcome)
        {
            lock (_pending)
            {
                if (_stopped) return;
                _pending.Add(sequence, (text, outcome));
                var first = _next;
                int succeeded = 0, waiting = 0;
                while (_pending.Remove(_next, out var ready))
                {
                    _ready.Append(ready.Text).Append('\n');
                    if (ready.Outcome == LineOutcome.Succeeded) succeeded++;
                    else if (ready.Outcome == LineOutcome.Waiting) waiting++;
                    _next++;
                }

                if (_next == first) return;
                output.Write(_ready);
                _ready.Clear();
                stats.Written(succeeded, (int)(_next - first) - succeeded - waiting, waiting);
                _room.Release((int)(_next - first));
            }
        }
    }
}

/// <summary>A batch's counters, updated from many threads.</summary>
/// <summary>What became of a batch line.</summary>
internal enum LineOutcome
{
    Succeeded,
    Failed,

    /// <summary>Its run waits for a human step's answer.</summary>
    Waiting,
}

internal sealed class BatchStats(long total)
{
    private readonly object _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _succeeded;
    private long _failed;
    private long _waiting;
    private Usage _usage;

    public long Total { get; } = total;

    public long Succeeded => Interlocked.Read(ref _succeeded);

    public long Failed => Interlocked.Read(ref _failed);

    public long Done => Succeeded + Failed + Waiting;

    public TimeSpan Elapsed => _clock.Elapsed;

    public Usage Usage
    {
        get
        {
            lock (_gate) return _usage;
        }
    }

    public double Rate => Elapsed.TotalSeconds > 0 ? Done / Elapsed.TotalSeconds : 0;

    public void Add(Usage usage)
    {
        lock (_gate) _usage += usage;
    }

    /// <summary>Lines whose run waits for a human step's answer (their records say which).</summary>
    public long Waiting => Interlocked.Read(ref _waiting);

    /// <summary>Lines written: <paramref name="succeeded"/> results, <paramref name="failed"/> error records and <paramref name="waiting"/> waiting records.</summary>
    public void Written(int succeeded, int failed, int waiting = 0)
    {
        Interlocked.Add(ref _succeeded, succeeded);
        Interlocked.Add(ref _failed, failed);
        Interlocked.Add(ref _waiting, waiting);
    }

    /// <summary><c>batch: 1,000/4,000 lines · 998 ok · 2 failed · 850/s · ETA 4s</c></summary>
    public string Line()
    {
        var rate = Rate;
        var eta = rate > 0 && Total > Done ? " · ETA " + RunProgress.Duration(TimeSpan.FromSeconds((Total - Done) / rate)) : "";
        return string.Create(CultureInfo.InvariantCulture, $"batch: {Done:N0}/{Total:N0} lines · {Succeeded:N0} ok · {Failed:N0} failed{WaitingText()} · {rate:N0}/s{eta}");
    }

    /// <summary>The closing line: counts, tokens, cost, wall time, rate and the process's peak memory.</summary>
    public string Summary()
    {
        using var process = Process.GetCurrentProcess();
        var peak = process.PeakWorkingSet64 / (1024.0 * 1024.0);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"batch done: {Done:N0} lines · {Succeeded:N0} ok · {Failed:N0} failed{WaitingText()} · {RunProgress.Usage(Usage)} · {RunProgress.Duration(Elapsed)} ({Rate:N0} lines/s) · peak memory {peak:N0} MB");
    }

    private string WaitingText() => Waiting == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" · {Waiting:N0} waiting");
}
