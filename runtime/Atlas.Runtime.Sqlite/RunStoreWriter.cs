using System;
using System.Collections.Generic;
using Microsoft.Data.Sqlite;

namespace Atlas.Runtime;

/// <summary>
/// The one connection a <see cref="SqliteRunStore"/> writes with, and its prepared statements. Used by the store's
/// writer loop only (not thread-safe): it opens a transaction, applies a batch of writes, commits.
/// </summary>
internal sealed class RunStoreWriter : IDisposable
{
    private const int MaxCachedStrings = 10_000;
    private const int MaxInternedEventData = 200;
    private const int MaxCachedRuns = 10_000;

    private readonly SqliteConnection _connection;
    private readonly List<SqliteCommand> _commands = [];

    // Interned strings' ids, as committed or written in the open transaction; any rollback forgets them all.
    private readonly Dictionary<string, long> _strings = new(StringComparer.Ordinal);
    private readonly HashSet<string> _eventDataSeenOnce = new(StringComparer.Ordinal);

    // Runs' row ids and the last numbers of their steps, events and calls, as this connection wrote them: forgotten on a
    // rollback, a prune, and when another connection committed since (PRAGMA data_version), so they are never stale.
    private readonly Dictionary<string, long> _runIds = new(StringComparer.Ordinal);
    private readonly Dictionary<long, long[]> _sequences = [];
    private long _dataVersion = -1;

    private readonly SqliteCommand _begin, _commit, _rollback, _readDataVersion;
    private readonly SqliteCommand _findString, _insertString, _findRun, _upsertRun, _deleteEvents, _nextEvent, _insertEvent;
    private readonly SqliteCommand _deleteStep, _nextStep, _insertStep, _upsertItem, _nextModelCall, _insertModelCall, _nextToolCall, _insertToolCall;
    private readonly SqliteCommand _upsertHuman, _answerHuman;

    private RunStoreWriter(SqliteConnection connection)
    {
        _connection = connection;
        _begin = Prepare("BEGIN IMMEDIATE");
        _commit = Prepare("COMMIT");
        _rollback = Prepare("ROLLBACK");
        _readDataVersion = Prepare("PRAGMA data_version");
        _findString = Prepare("SELECT id FROM strings WHERE text = $text", "$text");
        // No RETURNING: Microsoft.Data.Sqlite runs a statement that returns rows several times slower.
        _insertString = Prepare("INSERT INTO strings (text) VALUES ($text)", "$text");
        _findRun = Prepare("SELECT id FROM runs WHERE run_id = $run_id", "$run_id");
        _upsertRun = Prepare(
            """
            INSERT INTO runs (run_id, workflow, fingerprint, status, started_at, ended_at, input_tokens, output_tokens, cost,
                source, batch, batch_line, parent, error, input, output)
            VALUES ($run_id, $workflow, $fingerprint, $status, $started_at, $ended_at, $input_tokens, $output_tokens, $cost,
                $source, $batch, $batch_line, $parent, $error, $input, $output)
            ON CONFLICT (run_id) DO UPDATE SET workflow = excluded.workflow, fingerprint = excluded.fingerprint,
                status = excluded.status, started_at = excluded.started_at, ended_at = excluded.ended_at,
                input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, cost = excluded.cost,
                source = excluded.source, batch = excluded.batch, batch_line = excluded.batch_line, parent = excluded.parent,
                error = excluded.error, input = excluded.input, output = excluded.output
            """,
            "$run_id", "$workflow", "$fingerprint", "$status", "$started_at", "$ended_at", "$input_tokens", "$output_tokens", "$cost",
            "$source", "$batch", "$batch_line", "$parent", "$error", "$input", "$output");
        _deleteEvents = Prepare("DELETE FROM events WHERE run = $run AND grp = $grp", "$run", "$grp");
        _nextEvent = Prepare("SELECT coalesce(max(seq), 0) + 1 FROM events WHERE run = $run", "$run");
        _insertEvent = Prepare(
            "INSERT INTO events (run, seq, grp, kind, step, at, duration, data) VALUES ($run, $seq, $grp, $kind, $step, $at, $duration, $data)",
            "$run", "$seq", "$grp", "$kind", "$step", "$at", "$duration", "$data");
        // A step completed again (a resume) is deleted and inserted anew, last in the order of completion.
        _deleteStep = Prepare("DELETE FROM steps WHERE run = $run AND step = $step", "$run", "$step");
        _nextStep = Prepare("SELECT coalesce(max(seq), 0) + 1 FROM steps WHERE run = $run", "$run");
        _insertStep = Prepare(
            """
            INSERT INTO steps (run, step, seq, fingerprint, status, reused, attempts, started_at, duration, input_tokens, output_tokens, cost, error, result)
            VALUES ($run, $step, $seq, $fingerprint, $status, $reused, $attempts, $started_at, $duration, $input_tokens, $output_tokens, $cost, $error, $result)
            """,
            "$run", "$step", "$seq", "$fingerprint", "$status", "$reused", "$attempts", "$started_at", "$duration", "$input_tokens", "$output_tokens", "$cost", "$error", "$result");
        _upsertItem = Prepare(
            "INSERT INTO items (run, step, item, result) VALUES ($run, $step, $item, $result) ON CONFLICT (run, step, item) DO UPDATE SET result = excluded.result",
            "$run", "$step", "$item", "$result");
        _nextModelCall = Prepare("SELECT coalesce(max(seq), 0) + 1 FROM model_calls WHERE run = $run", "$run");
        _insertModelCall = Prepare(
            """
            INSERT INTO model_calls (run, seq, step, agent, model, provider, model_id, cache_hit, at, latency, input_tokens, output_tokens, cost, key_prefix, request_key, request, response)
            VALUES ($run, $seq, $step, $agent, $model, $provider, $model_id, $cache_hit, $at, $latency, $input_tokens, $output_tokens, $cost, $key_prefix, $request_key, $request, $response)
            """,
            "$run", "$seq", "$step", "$agent", "$model", "$provider", "$model_id", "$cache_hit", "$at", "$latency", "$input_tokens", "$output_tokens", "$cost", "$key_prefix", "$request_key", "$request", "$response");
        _nextToolCall = Prepare("SELECT coalesce(max(seq), 0) + 1 FROM tool_calls WHERE run = $run", "$run");
        _insertToolCall = Prepare(
            """
            INSERT INTO tool_calls (run, seq, step, agent, tool, at, duration, error, arguments, result)
            VALUES ($run, $seq, $step, $agent, $tool, $at, $duration, $error, $arguments, $result)
            """,
            "$run", "$seq", "$step", "$agent", "$tool", "$at", "$duration", "$error", "$arguments", "$result");
        // A question asked again (a resume) replaces the earlier one but keeps its answer.
        _upsertHuman = Prepare(
            """
            INSERT INTO humans (run, step, human, result_type, result_schema, requested_at, expires_at, answered_at, prompt, answer)
            VALUES ($run, $step, $human, $result_type, $result_schema, $requested_at, $expires_at, $answered_at, $prompt, $answer)
            ON CONFLICT (run, step) DO UPDATE SET human = excluded.human, result_type = excluded.result_type,
                result_schema = excluded.result_schema, requested_at = excluded.requested_at, expires_at = excluded.expires_at,
                prompt = excluded.prompt,
                answered_at = CASE WHEN humans.answer IS NULL THEN excluded.answered_at ELSE humans.answered_at END,
                answer = coalesce(humans.answer, excluded.answer)
            """,
            "$run", "$step", "$human", "$result_type", "$result_schema", "$requested_at", "$expires_at", "$answered_at", "$prompt", "$answer");
        _answerHuman = Prepare(
            "UPDATE humans SET answer = $answer, answered_at = $answered_at WHERE run = (SELECT id FROM runs WHERE run_id = $run_id) AND step = $step",
            "$answer", "$answered_at", "$run_id", "$step");
    }

    /// <summary>Opens the file (creating it and its folder), makes it a run store of this schema, prepares the statements.</summary>
    public static RunStoreWriter Open(string path)
    {
        RunStoreFile.ThrowIfDirectory(path);
        var directory = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory)) System.IO.Directory.CreateDirectory(directory);
        var connection = RunStoreFile.Open(RunStoreFile.ConnectionString(path, create: true));
        try
        {
            RunStoreFile.Prepare(connection, path);
            return new RunStoreWriter(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Begin()
    {
        _begin.ExecuteNonQuery();
        var version = (long)_readDataVersion.ExecuteScalar()!;
        if (version != _dataVersion) ForgetRuns();
        _dataVersion = version;
    }

    public void Commit() => _commit.ExecuteNonQuery();

    /// <summary>Rolls the transaction back if one is open (after a failed commit SQLite may have rolled it back already).</summary>
    public void Rollback()
    {
        _strings.Clear();
        ForgetRuns();
        if (_connection.State == System.Data.ConnectionState.Open && !IsAutocommit()) _rollback.ExecuteNonQuery();
    }

    /// <summary>Gives the pages a prune freed back to the file system (the file shrinks), in a transaction of its own.</summary>
    public void ReleaseFreePages()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "PRAGMA incremental_vacuum";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            // Each step of the pragma frees one page.
        }
    }

    public void StartRun(RunRecord run)
    {
        var id = UpsertRun(run);
        // The run goes on: the events of its previous end (if any) no longer describe it; its next end records its own.
        Execute(_deleteEvents, id, 0L);
    }

    public void EndRun(RunRecord run, IReadOnlyList<EncodedEvent> events)
    {
        var id = UpsertRun(run);
        Execute(_deleteEvents, id, 0L);
        InsertEvents(id, 0, events);
    }

    public void CompleteStep(StepRecord step, IReadOnlyList<EncodedEvent> events)
    {
        var run = RunRowId(step.RunId);
        var name = Intern(step.Step);
        Execute(_deleteStep, run, name);
        Execute(
            _insertStep,
            run, name, NextSequence(_nextStep, run, Counter.Step), Intern(step.Fingerprint), (long)step.Status, step.Reused ? 1L : 0L, (long)step.Attempts, step.StartedAt.UtcTicks,
            step.Duration.Ticks, step.Usage.InputTokens, step.Usage.OutputTokens, Cost(step.Usage.CostUsd), step.Error, step.Result);
        Execute(_deleteEvents, run, name);
        InsertEvents(run, name, events);
    }

    public void CompleteItem(StepItemRecord item) =>
        Execute(_upsertItem, RunRowId(item.RunId), Intern(item.Step), (long)item.Item, item.Result);

    public ModelCallRecord RecordModelCall(ModelCallRecord call, (object? Prefix, object Key) key)
    {
        var run = RunRowId(call.RunId);
        var sequence = NextSequence(_nextModelCall, run, Counter.ModelCall);
        Execute(
            _insertModelCall,
            run, sequence, InternOrNull(call.Step), Intern(call.Agent), Intern(call.Model), InternOrNull(call.Provider), InternOrNull(call.ModelId),
            call.CacheHit ? 1L : 0L, call.At.UtcTicks, call.Latency.Ticks, call.Usage.InputTokens, call.Usage.OutputTokens, Cost(call.Usage.CostUsd),
            key.Prefix, key.Key, call.Request, call.Response);
        return call with { Sequence = sequence };
    }

    public ToolCallRecord RecordToolCall(ToolCallRecord call)
    {
        var run = RunRowId(call.RunId);
        var sequence = NextSequence(_nextToolCall, run, Counter.ToolCall);
        Execute(
            _insertToolCall,
            run, sequence, InternOrNull(call.Step), Intern(call.Agent), Intern(call.Tool), call.At.UtcTicks, call.Duration.Ticks,
            call.Error, call.Arguments, call.Result);
        return call with { Sequence = sequence };
    }

    public void RequestHuman(HumanRequestRecord request) =>
        Execute(
            _upsertHuman,
            RunRowId(request.RunId), request.Step, Intern(request.Human), Intern(request.ResultTypeName), InternOrNull(request.ResultSchema),
            request.RequestedAt.UtcTicks, request.ExpiresAt?.UtcTicks, request.AnsweredAt?.UtcTicks, request.Prompt, request.Answer);

    public bool AnswerHuman(string runId, string step, string answer, DateTimeOffset answeredAt) =>
        Execute(_answerHuman, answer, answeredAt.UtcTicks, runId, step) > 0;

    /// <summary>Deletes the runs that ended before <paramref name="endedBefore"/> with every row that refers to them.</summary>
    public int Prune(DateTimeOffset endedBefore)
    {
        using var command = _connection.CreateCommand();
        command.Parameters.AddWithValue("$before", endedBefore.UtcTicks);
        const string Ended = "(SELECT id FROM runs WHERE ended_at < $before)";
        command.CommandText = $"""
            DELETE FROM events WHERE run IN {Ended};
            DELETE FROM steps WHERE run IN {Ended};
            DELETE FROM items WHERE run IN {Ended};
            DELETE FROM model_calls WHERE run IN {Ended};
            DELETE FROM tool_calls WHERE run IN {Ended};
            DELETE FROM humans WHERE run IN {Ended};
            """;
        command.ExecuteNonQuery();
        // Interned strings stay: other processes hold their ids, and a project has few.
        command.CommandText = "DELETE FROM runs WHERE ended_at < $before";
        ForgetRuns();
        return command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        foreach (var command in _commands) command.Dispose();
        _connection.Dispose();
    }

    private long UpsertRun(RunRecord run)
    {
        Execute(
            _upsertRun,
            run.RunId, Intern(run.Workflow), Intern(run.Fingerprint), (long)run.Status, run.StartedAt.UtcTicks, run.EndedAt?.UtcTicks,
            run.Usage.InputTokens, run.Usage.OutputTokens, Cost(run.Usage.CostUsd), InternOrNull(run.Source), InternOrNull(run.BatchId),
            run.BatchLine, run.ParentRunId, run.Error, run.Input, run.Output);
        return RunRowId(run.RunId);
    }

    private void InsertEvents(long run, long group, IReadOnlyList<EncodedEvent> events)
    {
        foreach (var stored in events)
        {
            var sequence = NextSequence(_nextEvent, run, Counter.Event);
            // step: NULL when it is the group's, 0 when the event has none, else the name's id (never 0).
            long? step = stored.StepImplied ? null : stored.Step is null ? 0L : Intern(stored.Step);
            Execute(_insertEvent, run, sequence, group, Intern(stored.Type), step, stored.At, stored.Duration, EventData(stored.Data));
        }
    }

    /// <summary>
    /// What an event's row holds of its difference from its record: a short difference seen before (a provider chosen
    /// for the same reason, run after run) as the id of its interned text, any other as its text.
    /// </summary>
    private object? EventData(string? data)
    {
        if (data is null || data.Length > MaxInternedEventData) return data;
        if (_strings.ContainsKey(data) || !_eventDataSeenOnce.Add(data)) return Intern(data);
        if (_eventDataSeenOnce.Count > MaxCachedStrings) _eventDataSeenOnce.Clear();
        return data;
    }

    private long RunRowId(string runId)
    {
        if (_runIds.TryGetValue(runId, out var id)) return id;
        id = _findRun.Bind(runId).ExecuteScalar() is long found
            ? found
            : throw new InvalidOperationException($"run {runId} is not recorded: StartRunAsync must record it before its steps and calls");
        if (_runIds.Count >= MaxCachedRuns) _runIds.Clear();
        _runIds[runId] = id;
        return id;
    }

    /// <summary>The next number of a run's steps, events or calls: counted here after the first is read from the file.</summary>
    private long NextSequence(SqliteCommand next, long run, Counter counter)
    {
        if (!_sequences.TryGetValue(run, out var numbers))
        {
            if (_sequences.Count >= MaxCachedRuns) _sequences.Clear();
            _sequences[run] = numbers = new long[(int)Counter.Count];
        }

        ref var last = ref numbers[(int)counter];
        last = last == 0 ? (long)next.Bind(run).ExecuteScalar()! : last + 1;
        return last;
    }

    private enum Counter
    {
        Step,
        Event,
        ModelCall,
        ToolCall,
        Count,
    }

    private long Intern(string text)
    {
        if (_strings.TryGetValue(text, out var id)) return id;
        if (_findString.Bind(text).ExecuteScalar() is long found)
        {
            id = found;
        }
        else
        {
            Execute(_insertString, text);
            id = SQLitePCL.raw.sqlite3_last_insert_rowid(_connection.Handle);
        }

        if (_strings.Count >= MaxCachedStrings) _strings.Clear();
        _strings[text] = id;
        return id;
    }

    private void ForgetRuns()
    {
        _runIds.Clear();
        _sequences.Clear();
    }

    private long? InternOrNull(string? text) => text is null ? null : Intern(text);

    /// <summary>A cost as stored: exact (the decimal's text), and 0 as the integer 0, which a row stores in no bytes.</summary>
    internal static object Cost(decimal cost) => cost == 0 ? 0L : cost.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A request key as stored: its 32 bytes when it is lowercase hex (a SHA-256), else its text.</summary>
    internal static object RequestKey(string key)
    {
        if (key.Length % 2 != 0 || key.Length == 0) return key;
        foreach (var c in key)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))) return key;
        }

        return Convert.FromHexString(key);
    }

    /// <summary>The SHA-256 of a request's UTF-8 text: the key a request gets (ModelRequests).</summary>
    internal static byte[] HashOf(string request) => System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(request));

    /// <summary>The first 8 bytes of a request key (of its SHA-256 when it is no hex), as the cache's index holds it.</summary>
    internal static long KeyPrefix(string key) => KeyPrefix(key, RequestKey(key));

    private static long KeyPrefix(string key, object stored) =>
        System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(stored is byte[] { Length: >= 8 } bytes ? bytes : HashOf(key));

    /// <summary>
    /// A model call's key as its row stores it (made by the caller, off the writer loop): the index prefix for a
    /// cacheable reply (else NULL), and the key itself only when it is not the SHA-256 of the request as stored, which
    /// it almost always is (a reader hashes the request again: <see cref="RunStoreReads"/>).
    /// </summary>
    internal static (object? Prefix, object Key) StoredKey(ModelCallRecord call)
    {
        var stored = RequestKey(call.RequestKey);
        var prefix = call.Cacheable && !call.CacheHit ? (object)KeyPrefix(call.RequestKey, stored) : null;
        return (prefix, stored is byte[] { Length: 32 } bytes && bytes.AsSpan().SequenceEqual(HashOf(call.Request)) ? DBNull.Value : stored);
    }

    private bool IsAutocommit() => SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) != 0;

    private static int Execute(SqliteCommand command, params object?[] values) => command.Bind(values).ExecuteNonQuery();

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        command.Prepare();
        _commands.Add(command);
        return command;
    }
}

/// <summary>Binds a prepared command's parameters in the order they were declared.</summary>
internal static class SqliteCommandBinding
{
    public static SqliteCommand Bind(this SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
        return command;
    }
}
