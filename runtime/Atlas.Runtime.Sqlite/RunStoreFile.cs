using System;
using System.IO;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Atlas.Runtime;

/// <summary>
/// The run store's file: its schema, how a connection to it is opened and checked, and what each way of failing means
/// to a user (one line naming the file).
/// </summary>
internal static partial class RunStoreFile
{
    /// <summary>The schema this build writes (<c>PRAGMA user_version</c>); a file with a higher one is refused.</summary>
    public const int SchemaVersion = 2;

    /// <summary><c>PRAGMA application_id</c> of a run store ("Atlr"): how another SQLite file is told apart.</summary>
    public const int ApplicationId = 0x41746c72;

    // Compact by design (issue 14: < 1 KB a run beyond its payloads): runs get an integer rowid that every other table
    // refers to (the 16-hex id is stored once); names that repeat (workflows, steps, fingerprints, agents, models, event
    // types) are interned in `strings`; timestamps and durations are integer ticks (UTC, 100 ns, as recorded); statuses
    // are small integers; costs are exact decimals as text (0 as the integer 0, which takes no bytes); a request key
    // (SHA-256 hex) is indexed by its first 8 bytes when its reply is cacheable (key_prefix, else NULL) and stored only when it is not the hash of the request text (which a
    // reader computes again). Columns without a type (cost, data) keep what
    // they are given. Events are stored as their difference from what the step's or run's row implies (EventGroup), a
    // difference seen before as the id of its interned text. Steps and events, small rows looked up by run, are WITHOUT
    // ROWID tables keyed by run; tables whose rows hold large payloads (runs, model and tool calls) keep rowids, large
    // texts last in each row. Indexes only where a query needs one: list (started_at, workflow, batch), the cache
    // (key_prefix), each child table by run.
    public const string Schema = $"""
        CREATE TABLE strings (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL UNIQUE,
            workflow INTEGER NOT NULL,
            fingerprint INTEGER NOT NULL,
            status INTEGER NOT NULL,
            started_at INTEGER NOT NULL,
            ended_at INTEGER,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            cost,
            source INTEGER,
            batch INTEGER,
            batch_line INTEGER,
            parent TEXT,
            error TEXT,
            input TEXT,
            output TEXT);
        CREATE INDEX runs_started ON runs (started_at);
        CREATE INDEX runs_workflow ON runs (workflow, started_at);
        CREATE INDEX runs_batch ON runs (batch, batch_line) WHERE batch IS NOT NULL;
        CREATE TABLE steps (
            run INTEGER NOT NULL,
            step INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            fingerprint INTEGER NOT NULL,
            status INTEGER NOT NULL,
            reused INTEGER NOT NULL,
            attempts INTEGER NOT NULL,
            started_at INTEGER NOT NULL,
            duration INTEGER NOT NULL,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            cost,
            error TEXT,
            result TEXT,
            PRIMARY KEY (run, step)) WITHOUT ROWID;
        CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            run INTEGER NOT NULL,
            step INTEGER NOT NULL,
            item INTEGER NOT NULL,
            result TEXT NOT NULL,
            UNIQUE (run, step, item));
        {ModelCalls}
        CREATE TABLE tool_calls (
            id INTEGER PRIMARY KEY,
            run INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            step INTEGER,
            agent INTEGER NOT NULL,
            tool INTEGER NOT NULL,
            at INTEGER NOT NULL,
            duration INTEGER NOT NULL,
            error TEXT,
            arguments TEXT NOT NULL,
            result TEXT,
            UNIQUE (run, seq));
        CREATE TABLE humans (
            id INTEGER PRIMARY KEY,
            run INTEGER NOT NULL,
            step TEXT NOT NULL,
            human INTEGER NOT NULL,
            result_type INTEGER NOT NULL,
            result_schema INTEGER,
            requested_at INTEGER NOT NULL,
            expires_at INTEGER,
            answered_at INTEGER,
            prompt TEXT NOT NULL,
            answer TEXT,
            UNIQUE (run, step));
        CREATE TABLE events (
            run INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            grp INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            step INTEGER,
            at INTEGER,
            duration INTEGER,
            data,
            PRIMARY KEY (run, seq)) WITHOUT ROWID;
        """;

    // Version 2: a model call's key prefix only for a cacheable reply (NULL otherwise, out of the partial index), its key
    // only when it is not the hash of its request.
    private const string ModelCalls = """
        CREATE TABLE model_calls (
            id INTEGER PRIMARY KEY,
            run INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            step INTEGER,
            agent INTEGER NOT NULL,
            model INTEGER NOT NULL,
            provider INTEGER,
            model_id INTEGER,
            cache_hit INTEGER NOT NULL,
            at INTEGER NOT NULL,
            latency INTEGER NOT NULL,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            cost,
            key_prefix INTEGER,
            request_key BLOB,
            request TEXT NOT NULL,
            response TEXT NOT NULL,
            UNIQUE (run, seq));
        CREATE INDEX model_calls_key ON model_calls (key_prefix) WHERE key_prefix IS NOT NULL;
        """;

    // Version 1 to 2: SQLite cannot drop a NOT NULL, so the table is copied; every version 1 reply stays cacheable.
    private const string MigrateFrom1 = $"""
        DROP INDEX model_calls_key;
        ALTER TABLE model_calls RENAME TO model_calls_v1;
        {ModelCalls}
        INSERT INTO model_calls SELECT * FROM model_calls_v1;
        DROP TABLE model_calls_v1;
        """;

    /// <summary>A connection string for the file: created only when <paramref name="create"/> (a write), never by a read.</summary>
    public static string ConnectionString(string path, bool create) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            // The store pools its own connections: Microsoft.Data.Sqlite's pool would keep the file open after the store is disposed.
            Pooling = false,
        }.ToString();

    /// <summary>Opens a connection that waits for another writer's lock (5 s inside SQLite, then Microsoft.Data.Sqlite's own retries).</summary>
    public static SqliteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA busy_timeout = 5000");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Makes the file a run store of this schema (WAL, incremental vacuum, the tables) unless it is one already;
    /// refuses another SQLite file and a newer schema.
    /// </summary>
    public static void Prepare(SqliteConnection connection, string path)
    {
        // WAL: readers never block the writer; synchronous = NORMAL: a commit is in the OS's cache when it returns, so a
        // killed process loses nothing (a power cut may lose the last commits, never the file).
        // On a new file, before anything writes its header (WAL does): pages freed by prune can then be given back.
        if (Scalar(connection, "PRAGMA page_count") == 0) Execute(connection, "PRAGMA auto_vacuum = INCREMENTAL");
        // A 32 MB page cache: the indexes on random keys (run ids, request keys) of a large store stay in memory between commits.
        Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768;");
        Execute(connection, "BEGIN IMMEDIATE");
        try
        {
            var version = Check(connection, path);
            if (version == 0) Execute(connection, Schema);
            if (version == 1) Execute(connection, MigrateFrom1);
            if (version < SchemaVersion)
            {
                Execute(connection, FormattableString.Invariant($"PRAGMA application_id = {ApplicationId}; PRAGMA user_version = {SchemaVersion};"));
            }

            Execute(connection, "COMMIT");
        }
        catch
        {
            Execute(connection, "ROLLBACK");
            throw;
        }
    }

    /// <summary>The file's schema version: 0 for an empty file, <see cref="SchemaVersion"/> for a run store.</summary>
    /// <exception cref="RunStoreException">The file is another SQLite database, or a run store of a newer schema.</exception>
    public static long Check(SqliteConnection connection, string path)
    {
        var applicationId = Scalar(connection, "PRAGMA application_id");
        var version = Scalar(connection, "PRAGMA user_version");
        if (applicationId == 0 && version == 0 && Scalar(connection, "SELECT count(*) FROM sqlite_master") == 0)
        {
            return 0;
        }

        if (applicationId != ApplicationId)
        {
            throw new RunStoreException(path, $"{path} is not an Atlas run store: it is another SQLite database");
        }

        if (version > SchemaVersion)
        {
            throw new RunStoreException(path, $"the run store {path} was written by a newer Atlas (schema version {version}; this one reads version {SchemaVersion}): upgrade Atlas, or use another store");
        }

        if (version < 1)
        {
            throw new RunStoreException(path, $"the run store {path} has no schema version: it is damaged; move it aside to start a new one");
        }

        return version;
    }

    /// <summary>Whether <paramref name="exception"/> is another process holding the lock: retried, never reported at once.</summary>
    public static bool IsBusy(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED };

    /// <summary>Whether <paramref name="exception"/> concerns one write only (its data), so the other writes of its transaction go on.</summary>
    public static bool ConcernsOneWrite(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_CONSTRAINT or SQLitePCL.raw.SQLITE_TOOBIG or SQLitePCL.raw.SQLITE_MISMATCH or SQLitePCL.raw.SQLITE_RANGE } => true,
        SqliteException => false,
        IOException or UnauthorizedAccessException or RunStoreException or OutOfMemoryException => false,
        _ => true,
    };

    /// <summary>What a failure means to a user, in one line naming the file; a failure that is not the file's is returned as it is.</summary>
    public static Exception Describe(string path, Exception exception) => exception switch
    {
        RunStoreException => exception,
        SqliteException sqlite => new RunStoreException(path, sqlite.SqliteErrorCode switch
        {
            SQLitePCL.raw.SQLITE_CANTOPEN => $"cannot open the run store {path}: {Reason(sqlite)} (is its folder writable?)",
            SQLitePCL.raw.SQLITE_NOTADB => $"{path} is not an Atlas run store: it is not a SQLite database",
            SQLitePCL.raw.SQLITE_CORRUPT => $"the run store {path} is damaged ({Reason(sqlite)}); move it aside to start a new one",
            SQLitePCL.raw.SQLITE_FULL => $"cannot write the run store {path}: the disk is full",
            SQLitePCL.raw.SQLITE_READONLY or SQLitePCL.raw.SQLITE_PERM or SQLitePCL.raw.SQLITE_AUTH => $"cannot write the run store {path}: {Reason(sqlite)}",
            SQLitePCL.raw.SQLITE_IOERR => $"cannot read or write the run store {path}: {Reason(sqlite)}",
            SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED => $"the run store {path} stayed locked by another process",
            SQLitePCL.raw.SQLITE_TOOBIG => $"a record is too big for the run store {path}",
            _ => $"the run store {path} failed: {Reason(sqlite)}",
        }, sqlite),
        UnauthorizedAccessException or IOException => new RunStoreException(path, $"cannot create the run store {path}: {exception.Message}", exception),
        _ => exception,
    };

    /// <summary>Refuses a path that is a folder (SQLite would only say it cannot open it).</summary>
    public static void ThrowIfDirectory(string path)
    {
        if (Directory.Exists(path)) throw new RunStoreException(path, $"the run store {path} is a directory, not a file");
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    // "SQLite Error 14: 'unable to open database file'." → "unable to open database file"
    private static string Reason(SqliteException exception) =>
        SqliteMessage().Match(exception.Message) is { Success: true } match ? match.Groups[1].Value : exception.Message;

    [GeneratedRegex(@"^SQLite Error \d+: '(.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex SqliteMessage();
}
