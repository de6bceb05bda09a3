using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Atlas.Runtime;

/// <summary>The queries of a <see cref="SqliteRunStore"/>, each on a connection of its own (see <c>RunStoreFile.Schema</c>).</summary>
internal static class RunStoreReads
{
    private const string RunColumns = """
        r.id, r.run_id, w.text, f.text, r.status, r.started_at, r.ended_at, r.input_tokens, r.output_tokens, r.cost,
        s.text, b.text, r.batch_line, r.parent, r.error, r.input, r.output
        FROM runs r
        JOIN strings w ON w.id = r.workflow
        JOIN strings f ON f.id = r.fingerprint
        LEFT JOIN strings s ON s.id = r.source
        LEFT JOIN strings b ON b.id = r.batch
        """;

    // A range on the id's index: every id that starts with the prefix sorts between it and it followed by U+10FFFF.
    private const string PrefixRange = "run_id >= $prefix AND run_id < $prefix || char(1114111)";

    /// <summary>The run with this id, else the only run whose id starts with it; <see langword="null"/> when none or several.</summary>
    public static RunRecord? FindRun(SqliteConnection connection, string idOrPrefix)
    {
        if (idOrPrefix.Length == 0) return null;
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {RunColumns} WHERE {PrefixRange} ORDER BY r.run_id LIMIT 2";
        command.Parameters.AddWithValue("$prefix", idOrPrefix);
        var runs = ReadRuns(command);
        return runs.Count == 1 || (runs.Count == 2 && runs[0].RunId == idOrPrefix) ? runs[0] : null;
    }

    public static IReadOnlyList<string> MatchRunIds(SqliteConnection connection, string prefix, int limit)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT run_id FROM runs WHERE {PrefixRange} ORDER BY run_id LIMIT $limit";
        command.Parameters.AddWithValue("$prefix", prefix);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read()) ids.Add(reader.GetString(0));
        return ids;
    }

    public static IReadOnlyList<RunRecord> ListRuns(SqliteConnection connection, RunQuery query)
    {
        if (query.Limit == 0) return [];
        using var command = connection.CreateCommand();
        var where = new List<string>();
        if (query.Workflow is not null) where.Add(Filter(command, "r.workflow = (SELECT id FROM strings WHERE text = $workflow)", "$workflow", query.Workflow));
        if (query.Status is { } status) where.Add(Filter(command, "r.status = $status", "$status", (long)status));
        if (query.Since is { } since) where.Add(Filter(command, "r.started_at >= $since", "$since", since.UtcTicks));
        if (query.Source is not null) where.Add(Filter(command, "r.source = (SELECT id FROM strings WHERE text = $source)", "$source", query.Source));
        if (query.BatchId is not null) where.Add(Filter(command, "r.batch = (SELECT id FROM strings WHERE text = $batch)", "$batch", query.BatchId));
        var sql = new StringBuilder("SELECT ").Append(RunColumns);
        if (where.Count > 0) sql.Append(" WHERE ").AppendJoin(" AND ", where);
        sql.Append(query.BatchId is null ? " ORDER BY r.started_at DESC, r.id DESC" : " ORDER BY r.batch_line, r.id");
        sql.Append(" LIMIT $limit");
        command.Parameters.AddWithValue("$limit", query.Limit);
        command.CommandText = sql.ToString();
        return ReadRuns(command);
    }

    public static IReadOnlyList<StepRecord> GetSteps(SqliteConnection connection, string runId) =>
        RunRowId(connection, runId) is { } run ? ReadSteps(connection, run, runId).Select(s => s.Record).ToList() : [];

    public static IReadOnlyList<StepItemRecord> GetItems(SqliteConnection connection, string runId, string step)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT i.item, i.result FROM items i JOIN runs r ON r.id = i.run
            WHERE r.run_id = $run_id AND i.step = (SELECT id FROM strings WHERE text = $step) ORDER BY i.item
            """;
        command.Parameters.AddWithValue("$run_id", runId);
        command.Parameters.AddWithValue("$step", step);
        using var reader = command.ExecuteReader();
        var items = new List<StepItemRecord>();
        while (reader.Read()) items.Add(new StepItemRecord(runId, step, reader.GetInt32(0), reader.GetString(1)));
        return items;
    }

    public static IReadOnlyList<ModelCallRecord> GetModelCalls(SqliteConnection connection, string runId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ModelCallColumns} WHERE r.run_id = $run_id ORDER BY m.seq";
        command.Parameters.AddWithValue("$run_id", runId);
        return ReadModelCalls(command);
    }

    public static ModelCallRecord? FindModelCall(SqliteConnection connection, string requestKey, DateTimeOffset notBefore)
    {
        using var command = connection.CreateCommand();
        // The index holds 8 bytes of the key: the rows it finds are checked against the whole key (newest first).
        command.CommandText = $"""
            SELECT {ModelCallColumns} WHERE m.key_prefix = $prefix AND m.at >= $not_before ORDER BY m.at DESC, m.id DESC
            """;
        command.Parameters.AddWithValue("$prefix", RunStoreWriter.KeyPrefix(requestKey));
        command.Parameters.AddWithValue("$not_before", notBefore.UtcTicks);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var call = ReadModelCall(reader);
            if (string.Equals(call.RequestKey, requestKey, StringComparison.Ordinal)) return call;
        }

        return null;
    }

    public static IReadOnlyList<ToolCallRecord> GetToolCalls(SqliteConnection connection, string runId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT t.seq, s.text, a.text, n.text, t.at, t.duration, t.error, t.arguments, t.result
            FROM tool_calls t
            JOIN runs r ON r.id = t.run
            LEFT JOIN strings s ON s.id = t.step
            JOIN strings a ON a.id = t.agent
            JOIN strings n ON n.id = t.tool
            WHERE r.run_id = $run_id ORDER BY t.seq
            """;
        command.Parameters.AddWithValue("$run_id", runId);
        using var reader = command.ExecuteReader();
        var calls = new List<ToolCallRecord>();
        while (reader.Read())
        {
            calls.Add(new ToolCallRecord(
                runId, TextOrNull(reader, 1), reader.GetString(2), reader.GetString(3), reader.GetString(7), TextOrNull(reader, 8),
                TextOrNull(reader, 6), TimeSpan.FromTicks(reader.GetInt64(5)), Time(reader.GetInt64(4)))
            {
                Sequence = reader.GetInt64(0),
            });
        }

        return calls;
    }

    public static IReadOnlyList<HumanRequestRecord> GetHumanRequests(SqliteConnection connection, string runId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT h.step, n.text, t.text, s.text, h.requested_at, h.expires_at, h.answered_at, h.prompt, h.answer
            FROM humans h
            JOIN runs r ON r.id = h.run
            JOIN strings n ON n.id = h.human
            JOIN strings t ON t.id = h.result_type
            LEFT JOIN strings s ON s.id = h.result_schema
            WHERE r.run_id = $run_id ORDER BY h.id
            """;
        command.Parameters.AddWithValue("$run_id", runId);
        using var reader = command.ExecuteReader();
        var requests = new List<HumanRequestRecord>();
        while (reader.Read())
        {
            requests.Add(new HumanRequestRecord(
                runId, reader.GetString(0), reader.GetString(1), reader.GetString(7), reader.GetString(2), TextOrNull(reader, 3), Time(reader.GetInt64(4)))
            {
                ExpiresAt = TimeOrNull(reader, 5),
                AnsweredAt = TimeOrNull(reader, 6),
                Answer = TextOrNull(reader, 8),
            });
        }

        return requests;
    }

    /// <summary>
    /// The run's events rebuilt from their rows (<see cref="EventGroup"/>), in the order they happened: <c>run_started</c>
    /// first, <c>run_completed</c> last, the others by timestamp, each step's in the order it emitted them, ties in the
    /// order they were recorded.
    /// </summary>
    public static IReadOnlyList<AtlasEvent> GetEvents(SqliteConnection connection, string runId)
    {
        using var runCommand = connection.CreateCommand();
        runCommand.CommandText = $"SELECT {RunColumns} WHERE r.run_id = $run_id";
        runCommand.Parameters.AddWithValue("$run_id", runId);
        var (run, runRow) = ReadRunsWithRowIds(runCommand).FirstOrDefault();
        if (run is null) return [];

        var groups = new Dictionary<long, EventGroup> { [0] = EventGroup.ForRun(run) };
        foreach (var (name, step) in ReadSteps(connection, runRow, runId)) groups[name] = EventGroup.ForStep(step);

        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT e.seq, e.grp, k.text, e.step, s.text, e.at, e.duration,
                CASE typeof(e.data) WHEN 'integer' THEN (SELECT text FROM strings WHERE id = e.data) ELSE e.data END
            FROM events e
            JOIN strings k ON k.id = e.kind
            LEFT JOIN strings s ON s.id = e.step
            WHERE e.run = $run ORDER BY e.seq
            """;
        command.Parameters.AddWithValue("$run", runRow);
        using var reader = command.ExecuteReader();
        var events = new List<(int Rank, long Time, long Sequence, AtlasEvent Event)>();
        var latest = new Dictionary<long, long>();
        while (reader.Read())
        {
            var group = reader.GetInt64(1);
            if (!groups.TryGetValue(group, out var context))
            {
                throw new InvalidOperationException($"run {runId} has events of a step it has no record of");
            }

            var stored = new EncodedEvent(
                reader.GetString(2),
                reader.IsDBNull(3),
                TextOrNull(reader, 4),
                reader.IsDBNull(5) ? null : reader.GetInt64(5),
                reader.IsDBNull(6) ? null : reader.GetInt64(6),
                TextOrNull(reader, 7));
            var atlasEvent = context.Decode(stored);
            // A group's events keep their order: each sorts at the latest timestamp of its group so far.
            var time = Math.Max(atlasEvent.Timestamp.UtcTicks, latest.GetValueOrDefault(group, long.MinValue));
            latest[group] = time;
            var rank = atlasEvent switch { RunStarted => 0, RunCompleted => 2, _ => 1 };
            events.Add((rank, time, reader.GetInt64(0), atlasEvent));
        }

        return events.OrderBy(e => e.Rank).ThenBy(e => e.Time).ThenBy(e => e.Sequence).Select(e => e.Event).ToList();
    }

    private const string ModelCallColumns = """
        r.run_id, m.seq, s.text, a.text, mo.text, p.text, mi.text, m.cache_hit, m.at, m.latency, m.input_tokens, m.output_tokens, m.cost,
        m.request_key, m.request, m.response, m.key_prefix IS NOT NULL
        FROM model_calls m
        JOIN runs r ON r.id = m.run
        LEFT JOIN strings s ON s.id = m.step
        JOIN strings a ON a.id = m.agent
        JOIN strings mo ON mo.id = m.model
        LEFT JOIN strings p ON p.id = m.provider
        LEFT JOIN strings mi ON mi.id = m.model_id
        """;

    private static List<ModelCallRecord> ReadModelCalls(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var calls = new List<ModelCallRecord>();
        while (reader.Read()) calls.Add(ReadModelCall(reader));
        return calls;
    }

    private static ModelCallRecord ReadModelCall(SqliteDataReader reader)
    {
        var request = reader.GetString(14);
        var key = reader.GetValue(13) switch
        {
            byte[] bytes => Convert.ToHexStringLower(bytes),
            string text => text,
            _ => Convert.ToHexStringLower(RunStoreWriter.HashOf(request)),
        };
        return new ModelCallRecord(
            reader.GetString(0), TextOrNull(reader, 2), reader.GetString(3), reader.GetString(4), TextOrNull(reader, 5), TextOrNull(reader, 6),
            key, request, reader.GetString(15), Usage(reader, 10), TimeSpan.FromTicks(reader.GetInt64(9)), Time(reader.GetInt64(8)))
        {
            Sequence = reader.GetInt64(1),
            CacheHit = reader.GetInt64(7) != 0,
            Cacheable = reader.GetInt64(16) != 0,
        };
    }

    private static List<(long Name, StepRecord Record)> ReadSteps(SqliteConnection connection, long run, string runId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT st.step, n.text, f.text, st.status, st.reused, st.attempts, st.started_at, st.duration, st.input_tokens, st.output_tokens, st.cost,
                st.error, st.result
            FROM steps st
            JOIN strings n ON n.id = st.step
            JOIN strings f ON f.id = st.fingerprint
            WHERE st.run = $run ORDER BY st.seq
            """;
        command.Parameters.AddWithValue("$run", run);
        using var reader = command.ExecuteReader();
        var steps = new List<(long, StepRecord)>();
        while (reader.Read())
        {
            var step = new StepRecord(
                runId, reader.GetString(1), reader.GetString(2), (StepStatus)reader.GetInt64(3), TextOrNull(reader, 12), reader.GetInt32(5),
                Time(reader.GetInt64(6)), TimeSpan.FromTicks(reader.GetInt64(7)), Usage(reader, 8), TextOrNull(reader, 11))
            {
                Reused = reader.GetInt64(4) != 0,
            };
            steps.Add((reader.GetInt64(0), step));
        }

        return steps;
    }

    private static long? RunRowId(SqliteConnection connection, string runId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM runs WHERE run_id = $run_id";
        command.Parameters.AddWithValue("$run_id", runId);
        return command.ExecuteScalar() as long?;
    }

    private static List<RunRecord> ReadRuns(SqliteCommand command) => ReadRunsWithRowIds(command).Select(r => r.Run).ToList();

    private static List<(RunRecord Run, long RowId)> ReadRunsWithRowIds(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var runs = new List<(RunRecord, long)>();
        while (reader.Read())
        {
            var run = new RunRecord(
                reader.GetString(1), reader.GetString(2), reader.GetString(3), TextOrNull(reader, 15), (RunStatus)reader.GetInt64(4),
                Time(reader.GetInt64(5)), TimeOrNull(reader, 6), Usage(reader, 7), TextOrNull(reader, 14))
            {
                Output = TextOrNull(reader, 16),
                ParentRunId = TextOrNull(reader, 13),
                Source = TextOrNull(reader, 10),
                BatchId = TextOrNull(reader, 11),
                BatchLine = reader.IsDBNull(12) ? null : reader.GetInt64(12),
            };
            runs.Add((run, reader.GetInt64(0)));
        }

        return runs;
    }

    private static string Filter(SqliteCommand command, string condition, string parameter, object value)
    {
        command.Parameters.AddWithValue(parameter, value);
        return condition;
    }

    /// <summary>Input tokens, output tokens and cost in three columns from <paramref name="first"/>.</summary>
    private static Usage Usage(SqliteDataReader reader, int first) =>
        new(reader.GetInt64(first), reader.GetInt64(first + 1), reader.GetValue(first + 2) switch
        {
            long whole => whole,
            string text => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
            double real => (decimal)real,
            var other => throw new InvalidOperationException($"a stored cost is {other}"),
        });

    private static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    private static DateTimeOffset? TimeOrNull(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : Time(reader.GetInt64(column));

    private static string? TextOrNull(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
}
