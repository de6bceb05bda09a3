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
        var total = await CountLinesAsync(options.InputPath, cancellationToken).ConfigureAwait(false);
        using var events = EventSink.Open(options.Events, environment, commandName, append: options.Resume);
        var store = options.Store is null ? null : RunStores.Open(options.Store, commandName);
        var batchId = BatchId(options, workflow);
        await using var output = options.Resume ? BatchOutput.Continue(options.OutputPath!, commandName) : BatchOutput.Open(options.OutputPath, environment, commandName);
        var done = output.WholeLines;
        if (done > total) throw new UsageException($"{commandName}: --resume: '{options.OutputPath}' holds {done:N0} lines, more than the {total:N0} inputs of '{options.InputPath}'; is it this batch's output?");
        var earlier = store is null || !options.Resume ? new Dictionary<long, RunRecord>() : await EarlierRunsAsync(store, batchId, cancellationToken).ConfigureAwait(false);
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
            return stats.Failed == 0 ? ExitCodes.Success : ExitCodes.Errors;

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
                    writer.Complete(current, JsonText.Format(JsonNode.Parse(recorded), indented: false), succeeded: true);
                    continue;
                }

                // A run that finished under another version of the workflow is not this one's result: the line runs anew
                // (a succeeded run cannot be resumed); an unfinished one goes on, its changed steps run again.
                var item = Prepare(reader, current, workflow, out var error);
                if (item is not null && run is { Status: not RunStatus.Succeeded }) item = item with { Resume = run.RunId };
                if (item is null)
                {
                    writer.Complete(current, ErrorRecord(reader.LineNumber, error!), succeeded: false);
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
                writer.Complete(
                    item.Sequence,
                    result.Succeeded ? JsonText.Format(result.Value, indented: false) : ErrorRecord(item.Line, result.Error!),
                    result.Succeeded);
            }
        }

        await block.Completion.ConfigureAwait(false);
    }

    private static string ErrorRecord(long line, string error) =>
        new JsonObject { ["line"] = line, ["error"] = error }.ToJsonString(JsonText.Compact);

    private static async Task<long> CountLinesAsync(string path, CancellationToken cancellationToken)
    {
        using var reader = new JsonLineReader(InputFiles.OpenRead(path, $"--batch file '{path}'", RunCommand.CommandName), InputFiles.MaxBytes);
        long count = 0;
        try
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!reader.IsBlank) count++;
            }
        }
        catch (IOException ex)
        {
            throw new UsageException($"{RunCommand.CommandName}: cannot read '{path}': {JsonText.OneLine(ex.Message)}");
        }

        return count;
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
        private readonly Dictionary<long, (string Text, bool Succeeded)> _pending = new();
        private readonly StringBuilder _ready = new();
        private long _next = first;
        private bool _stopped;

        public Task WaitForRoomAsync(CancellationToken cancellationToken) => _room.WaitAsync(cancellationToken);

        public void Stop()
        {
            lock (_pending) _stopped = true;
        }

        public void Complete(long sequence, string text, bool succeeded)
        {
            lock (_pending)
            {
                if (_stopped) return;
                _pending.Add(sequence, (text, succeeded));
                var first = _next;
                var succeededCount = 0;
                while (_pending.Remove(_next, out var ready))
                {
                    _ready.Append(ready.Text).Append('\n');
                    if (ready.Succeeded) succeededCount++;
                    _next++;
                }

                if (_next == first) return;
                output.Write(_ready);
                _ready.Clear();
                stats.Written(succeededCount, (int)(_next - first) - succeededCount);
                _room.Release((int)(_next - first));
            }
        }
    }
}

/// <summary>A batch's counters, updated from many threads.</summary>
internal sealed class BatchStats(long total)
{
    private readonly object _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _succeeded;
    private long _failed;
    private Usage _usage;

    public long Total { get; } = total;

    public long Succeeded => Interlocked.Read(ref _succeeded);

    public long Failed => Interlocked.Read(ref _failed);

    public long Done => Succeeded + Failed;

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

    /// <summary>Lines written: <paramref name="succeeded"/> results and <paramref name="failed"/> error records.</summary>
    public void Written(int succeeded, int failed)
    {
        Interlocked.Add(ref _succeeded, succeeded);
        Interlocked.Add(ref _failed, failed);
    }

    /// <summary><c>batch: 1,000/4,000 lines · 998 ok · 2 failed · 850/s · ETA 4s</c></summary>
    public string Line()
    {
        var rate = Rate;
        var eta = rate > 0 && Total > Done ? " · ETA " + RunProgress.Duration(TimeSpan.FromSeconds((Total - Done) / rate)) : "";
        return string.Create(CultureInfo.InvariantCulture, $"batch: {Done:N0}/{Total:N0} lines · {Succeeded:N0} ok · {Failed:N0} failed · {rate:N0}/s{eta}");
    }

    /// <summary>The closing line: counts, tokens, cost, wall time, rate and the process's peak memory.</summary>
    public string Summary()
    {
        using var process = Process.GetCurrentProcess();
        var peak = process.PeakWorkingSet64 / (1024.0 * 1024.0);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"batch done: {Done:N0} lines · {Succeeded:N0} ok · {Failed:N0} failed · {RunProgress.Usage(Usage)} · {RunProgress.Duration(Elapsed)} ({Rate:N0} lines/s) · peak memory {peak:N0} MB");
    }
}
