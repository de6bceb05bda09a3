using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;

namespace Atlas.Runtime;

/// <summary>
/// A run store in one SQLite file (Microsoft.Data.Sqlite), shared safely by the threads of a process and by processes.
/// </summary>
/// <remarks>
/// <para>
/// Writes are group-committed: each write is queued, and one writer loop per store commits whatever is queued in one
/// <c>BEGIN IMMEDIATE</c> transaction (a write that fails by itself is left out and the others applied again), completing
/// each caller's task only after that commit. So a write is durable when its task completes, and a batch of 100,000
/// runs costs a few thousand commits, not a million. The file is in WAL mode with <c>synchronous = NORMAL</c>: a
/// committed write is in the operating system's cache, so a killed process loses nothing (a power cut may lose the
/// last commits, never the file). Another process's lock is waited for (SQLite's busy timeout, then retries with
/// backoff), so processes writing one file take turns and never fail with "database is locked".
/// </para>
/// <para>
/// Reads open connections of their own (WAL lets them read while a write commits) and never create the file: reading
/// a store whose file does not exist finds nothing. Nothing is opened before the first call.
/// </para>
/// <para>
/// Every failure a user can meet (a path that cannot be created, a folder, another kind of file, a newer schema, a
/// damaged file, a full disk) is a <see cref="RunStoreException"/> whose message is one line naming the file.
/// </para>
/// <para>
/// What is stored is compact (the schema is in <c>RunStoreFile.cs</c>): under 1 KB a run of three steps, three
/// model calls and eleven events beyond the inputs, outputs and messages themselves (SqliteRunStoreTests checks it;
/// run-store-size.sh measures a 100,000-line batch). Events are stored as their difference from the
/// step or run record they were checkpointed with, and <see cref="GetEventsAsync"/> rebuilds them equal to the ones
/// recorded, in the order they happened: <c>run_started</c> first, <c>run_completed</c> last, the rest by timestamp
/// (each step's in the order it emitted them). A run that starts again (<see cref="StartRunAsync"/> with its id)
/// loses the run-level events of its previous end; its steps' events stay until each step is checkpointed again, when
/// the new checkpoint's events replace them (a step reused by a resume keeps only the events the resume gives it).
/// <see cref="PruneAsync"/> gives the freed pages back to the file system (incremental vacuum), so the file shrinks.
/// </para>
/// </remarks>
public sealed class SqliteRunStore : IRunStore
{
    private const int MaxWritesPerCommit = 1024;
    private const int MaxIdleReaders = 4;
    private static readonly TimeSpan BusyDeadline = TimeSpan.FromMinutes(2);

    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writeLoop;
    private readonly string _readConnectionString;
    private readonly ConcurrentBag<SqliteConnection> _idleReaders = [];
    private RunStoreWriter? _writer;
    private volatile bool _checked;
    private int _disposed;

    /// <summary>A store in the SQLite file at <paramref name="path"/>; the file (and its folder) is created by the first write.</summary>
    /// <param name="path">The database file; relative to the current directory unless rooted.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is <see langword="null"/>, empty or white space.</exception>
    public SqliteRunStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _readConnectionString = RunStoreFile.ConnectionString(Path, create: false);
        _writeLoop = Task.Run(WriteLoopAsync);
    }

    /// <summary>The database file's full path.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public Task StartRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        return WriteAsync(w => { w.StartRun(run); return null; }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task CompleteStepAsync(StepRecord step, IReadOnlyList<AtlasEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(events);
        var encoded = EventGroup.ForStep(step).EncodeAll(events); // on the caller's thread: the writer loop is the one shared by all
        return WriteAsync(w => { w.CompleteStep(step, encoded); return null; }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task CompleteItemAsync(StepItemRecord item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        return WriteAsync(w => { w.CompleteItem(item); return null; }, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<ModelCallRecord> RecordModelCallAsync(ModelCallRecord call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        var key = RunStoreWriter.StoredKey(call); // a hash on the caller's thread: the writer loop is the one shared by all
        return (ModelCallRecord)(await WriteAsync(w => w.RecordModelCall(call, key), cancellationToken).ConfigureAwait(false))!;
    }

    /// <inheritdoc/>
    public async Task<ToolCallRecord> RecordToolCallAsync(ToolCallRecord call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return (ToolCallRecord)(await WriteAsync(w => w.RecordToolCall(call), cancellationToken).ConfigureAwait(false))!;
    }

    /// <inheritdoc/>
    public Task RequestHumanAsync(HumanRequestRecord request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return WriteAsync(w => { w.RequestHuman(request); return null; }, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<bool> AnswerHumanAsync(string runId, string step, string answer, DateTimeOffset answeredAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(answer);
        return (bool)(await WriteAsync(w => w.AnswerHuman(runId, step, answer, answeredAt), cancellationToken).ConfigureAwait(false))!;
    }

    /// <inheritdoc/>
    public Task EndRunAsync(RunRecord run, IReadOnlyList<AtlasEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(events);
        var encoded = EventGroup.ForRun(run).EncodeAll(events);
        return WriteAsync(w => { w.EndRun(run, encoded); return null; }, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<int> PruneAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken = default) =>
        (int)(await WriteAsync(w => w.Prune(endedBefore), cancellationToken, releasesPages: true).ConfigureAwait(false))!;

    /// <inheritdoc/>
    public Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return ReadAsync(null, c => RunStoreReads.FindRun(c, runId), cancellationToken);
    }

    /// <summary>The ids of the runs whose id starts with <paramref name="prefix"/>, in order, at most <paramref name="limit"/>: what an ambiguous prefix could mean.</summary>
    /// <param name="prefix">The start of an id.</param>
    /// <param name="limit">At most so many ids.</param>
    /// <param name="cancellationToken">Stops the read before it starts.</param>
    /// <returns>The ids, in ordinal order; none when the file does not exist.</returns>
    /// <exception cref="RunStoreException">The file cannot be read as a run store.</exception>
    public Task<IReadOnlyList<string>> MatchRunIdsAsync(string prefix, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return ReadAsync([], c => RunStoreReads.MatchRunIds(c, prefix, limit), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit, nameof(query));
        return ReadAsync([], c => RunStoreReads.ListRuns(c, query), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<StepRecord>> GetStepsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return ReadAsync([], c => RunStoreReads.GetSteps(c, runId), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<StepItemRecord>> GetItemsAsync(string runId, string step, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(step);
        return ReadAsync([], c => RunStoreReads.GetItems(c, runId, step), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ModelCallRecord>> GetModelCallsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return ReadAsync([], c => RunStoreReads.GetModelCalls(c, runId), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ToolCallRecord>> GetToolCallsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return ReadAsync([], c => RunStoreReads.GetToolCalls(c, runId), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<HumanRequestRecord>> GetHumanRequestsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return ReadAsync([], c => RunStoreReads.GetHumanRequests(c, runId), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<AtlasEvent>> GetEventsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return ReadAsync([], c => RunStoreReads.GetEvents(c, runId), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ModelCallRecord?> FindModelCallAsync(string requestKey, DateTimeOffset notBefore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requestKey);
        return ReadAsync(null, c => RunStoreReads.FindModelCall(c, requestKey, notBefore), cancellationToken);
    }

    /// <summary>Commits the writes still queued, then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _writes.Writer.TryComplete();
        await _writeLoop.ConfigureAwait(false);
        while (_idleReaders.TryTake(out var reader)) reader.Dispose();
    }

    private async Task<object?> WriteAsync(Func<RunStoreWriter, object?> apply, CancellationToken cancellationToken, bool releasesPages = false)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var write = new PendingWrite(apply, releasesPages, cancellationToken);
        using var registration = cancellationToken.CanBeCanceled ? cancellationToken.Register(static w => ((PendingWrite)w!).Cancel(), write) : default;
        if (!_writes.Writer.TryWrite(write)) throw new ObjectDisposedException(nameof(SqliteRunStore));
        return await write.Completion.Task.ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>(MaxWritesPerCommit);
        var reader = _writes.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (batch.Count < MaxWritesPerCommit && reader.TryRead(out var write))
                {
                    if (write.TryTake()) batch.Add(write);
                }

                if (batch.Count > 0) await CommitAsync(batch).ConfigureAwait(false);
                batch.Clear();
            }
        }
        finally
        {
            _writer?.Dispose();
            _writer = null;
        }
    }

    /// <summary>
    /// Applies <paramref name="batch"/> in one transaction, retrying while another process holds the lock, then completes
    /// each write. A write that fails by itself (a run that was never started) is taken out and the rest applied again:
    /// cheaper than a savepoint around every write, since such failures are bugs of the caller, and rare.
    /// </summary>
    private async Task CommitAsync(List<PendingWrite> batch)
    {
        var started = Environment.TickCount64;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                _writer ??= RunStoreWriter.Open(Path);
                _writer.Begin();
                foreach (var write in batch)
                {
                    if (write.Error is not null) continue;
                    try
                    {
                        write.Result = write.Apply(_writer);
                    }
                    catch (Exception ex) when (RunStoreFile.ConcernsOneWrite(ex))
                    {
                        write.Error = RunStoreFile.Describe(Path, ex);
                        throw new FailedWriteException();
                    }
                }

                _writer.Commit();
                break;
            }
            catch (FailedWriteException)
            {
                RollBack();
                attempt--;
            }
            catch (Exception ex) when (RunStoreFile.IsBusy(ex) && Environment.TickCount64 - started < BusyDeadline.TotalMilliseconds)
            {
                RollBack();
                // Exponential backoff with jitter, 10 ms to 1 s: processes that met on the lock do not meet again.
                var delay = Math.Min(1000, 10 << Math.Min(attempt, 7));
                await Task.Delay(delay / 2 + Random.Shared.Next(delay / 2 + 1)).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                RollBack();
                // The next batch opens the file again: it may have been fixed (space freed, permissions) or replaced.
                _writer?.Dispose();
                _writer = null;
                var error = RunStoreFile.Describe(Path, ex);
                foreach (var write in batch) write.Completion.TrySetException(write.Error ?? error);
                return;
            }
        }

        var releasePages = false;
        foreach (var write in batch)
        {
            if (write.Error is { } error)
            {
                write.Completion.TrySetException(error);
            }
            else
            {
                write.Completion.TrySetResult(write.Result);
                releasePages |= write.ReleasesPages;
            }
        }

        if (releasePages)
        {
            try
            {
                _writer!.ReleaseFreePages();
            }
            catch (SqliteException)
            {
                // The prune is committed; if another process holds the lock (or the file cannot shrink now), the free
                // pages stay in the file and later writes reuse them.
            }
        }
    }

    private void RollBack()
    {
        try
        {
            _writer?.Rollback();
        }
        catch (SqliteException)
        {
            // The connection is unusable: the writer is opened again below or by the next batch.
            _writer?.Dispose();
            _writer = null;
        }
    }

    private Task<T> ReadAsync<T>(T none, Func<SqliteConnection, T> read, CancellationToken cancellationToken)
    {
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(Read(none, read));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        catch (Exception ex)
        {
            return Task.FromException<T>(RunStoreFile.Describe(Path, ex));
        }
    }

    private T Read<T>(T none, Func<SqliteConnection, T> read)
    {
        if (!File.Exists(Path))
        {
            RunStoreFile.ThrowIfDirectory(Path);
            return none;
        }

        var started = Environment.TickCount64;
        while (true)
        {
            var connection = _idleReaders.TryTake(out var idle) ? idle : RunStoreFile.Open(_readConnectionString);
            var reusable = false;
            try
            {
                if (!_checked)
                {
                    if (RunStoreFile.Check(connection, Path) == 0) return none;
                    _checked = true;
                }

                var result = read(connection);
                reusable = true;
                return result;
            }
            catch (Exception ex) when (RunStoreFile.IsBusy(ex) && Environment.TickCount64 - started < BusyDeadline.TotalMilliseconds)
            {
                // Rare in WAL mode (a reader waits only while another connection recovers the log).
                Thread.Sleep(Random.Shared.Next(5, 50));
            }
            finally
            {
                if (reusable && _idleReaders.Count < MaxIdleReaders && Volatile.Read(ref _disposed) == 0) _idleReaders.Add(connection);
                else connection.Dispose();
            }
        }
    }

    /// <summary>A write of the batch failed by itself: the batch is rolled back and applied again without it.</summary>
    private sealed class FailedWriteException : Exception;

    /// <summary>A write waiting for the writer loop: taken once, or cancelled before it is taken (never after).</summary>
    private sealed class PendingWrite(Func<RunStoreWriter, object?> apply, bool releasesPages, CancellationToken cancellationToken)
    {
        private int _state; // 0 queued, 1 taken by the writer, 2 cancelled

        public Func<RunStoreWriter, object?> Apply { get; } = apply;

        public bool ReleasesPages { get; } = releasesPages;

        public TaskCompletionSource<object?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public object? Result { get; set; }

        /// <summary>Why the write failed by itself; it is then left out when its batch is applied again.</summary>
        public Exception? Error { get; set; }

        public bool TryTake() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public void Cancel()
        {
            if (Interlocked.CompareExchange(ref _state, 2, 0) == 0) Completion.TrySetCanceled(cancellationToken);
        }
    }
}
