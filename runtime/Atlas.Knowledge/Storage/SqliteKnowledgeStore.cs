using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.Data.Sqlite;

namespace Atlas.Knowledge;

/// <summary>
/// A knowledge store in one SQLite file: <c>meta</c> (embedder, dimensions, generation),
/// <c>documents</c> (source, SHA-256), <c>chunks</c> (text, heading path, metadata JSON),
/// <c>vectors</c> (one L2-normalized float32 BLOB per chunk) and <c>chunks_fts</c>, an FTS5 index
/// (porter stemming) over chunk text and heading.
/// </summary>
/// <remarks>
/// Thread-safe: every call opens a pooled connection; the database runs in WAL mode so searches
/// proceed while an ingest writes, each search in one read transaction (<see cref="BeginConsistentReadAsync"/>), so it
/// sees the store as it was when it began. Ingests take turns through a lock file beside the database
/// (<see cref="AcquireIngestLockAsync"/>). Vector search is brute force over an in-memory copy of the
/// vectors (loaded on first use, reloaded when the store's generation changes), with SIMD dot
/// products from System.Numerics.Tensors.
/// </remarks>
public sealed partial class SqliteKnowledgeStore : IKnowledgeStore
{
    private readonly string _connectionString;
    private readonly string _createConnectionString;
    private readonly object _indexLock = new();
    private readonly AsyncLocal<Snapshot?> _snapshot = new();
    private VectorIndex? _index;

    /// <summary>A store in the SQLite file at <paramref name="path"/>; nothing is opened until the first call.</summary>
    /// <param name="path">The database file (created by the first ingest, never by a search).</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is <see langword="null"/>, empty or white space.</exception>
    public SqliteKnowledgeStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWrite, Pooling = true }.ToString();
        _createConnectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
    }

    /// <summary>The database file's full path; the ingest lock is <c>&lt;file&gt;.lock</c> beside it.</summary>
    public string Path { get; }

    string IKnowledgeStore.Location => Path;

    /// <summary>Holds <c>&lt;file&gt;.lock</c> beside the database: one ingest at a time, across processes.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The lock; dispose it to let the next ingest in.</returns>
    public async Task<IAsyncDisposable> AcquireIngestLockAsync(CancellationToken cancellationToken = default) =>
        await IngestLock.AcquireAsync(IngestLock.PathBeside(Path), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Until disposed, this async flow's reads share one connection inside one read transaction: in WAL mode it sees the
    /// database as of its first read, whatever ingests commit meanwhile. A store whose file does not exist yet gets a no-op.
    /// </summary>
    /// <remarks>Not an async method on purpose: the snapshot is set in the caller's execution context, so the reads it awaits next see it.</remarks>
    /// <param name="cancellationToken">Not used: the read transaction opens synchronously.</param>
    /// <returns>The snapshot; dispose it when the reads are done. A nested call, while one is open, gets a no-op.</returns>
    public Task<IAsyncDisposable> BeginConsistentReadAsync(CancellationToken cancellationToken = default)
    {
        if (_snapshot.Value is { Disposed: false } || !File.Exists(Path))
        {
            return Task.FromResult<IAsyncDisposable>(Snapshot.None);
        }

        var connection = Open(create: false);
        try
        {
            // BEGIN as plain SQL, not BeginTransaction(): Microsoft.Data.Sqlite would then require every command to name it.
            Execute(connection, "BEGIN DEFERRED");
            Scalar<long>(connection, "SELECT count(*) FROM sqlite_master"); // the snapshot starts at the first read
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        var snapshot = new Snapshot(connection, this);
        _snapshot.Value = snapshot;
        return Task.FromResult<IAsyncDisposable>(snapshot);
    }

    Task<StoreInfo?> IKnowledgeStore.ReadInfoAsync(CancellationToken cancellationToken) => Task.FromResult(ReadInfo());

    Task<StoreInfo?> IKnowledgeStore.ReadSearchStateAsync(CancellationToken cancellationToken) => Task.FromResult(ReadSearchState());

    Task<bool> IKnowledgeStore.PrepareAsync(string embedder, int dimensions, CancellationToken cancellationToken) => Task.FromResult(Prepare(embedder, dimensions));

    Task<IReadOnlyDictionary<string, string>> IKnowledgeStore.ReadDocumentHashesAsync(CancellationToken cancellationToken) => Task.FromResult(ReadDocumentHashes());

    Task IKnowledgeStore.ReplaceDocumentAsync(KnowledgeDocument document, IReadOnlyList<TextChunk> chunks, IReadOnlyList<ReadOnlyMemory<float>> vectors, CancellationToken cancellationToken)
    {
        ReplaceDocument(document, chunks, vectors);
        return Task.CompletedTask;
    }

    Task IKnowledgeStore.RemoveDocumentAsync(string source, CancellationToken cancellationToken)
    {
        RemoveDocument(source);
        return Task.CompletedTask;
    }

    Task IKnowledgeStore.MarkIngestCompletedAsync(DateTimeOffset when, CancellationToken cancellationToken)
    {
        MarkIngestCompleted(when);
        return Task.CompletedTask;
    }

    Task<IReadOnlyList<(long Id, double Score)>> IKnowledgeStore.SearchVectorsAsync(ReadOnlyMemory<float> query, int top, IReadOnlyDictionary<string, string>? filters, CancellationToken cancellationToken) =>
        Task.FromResult(SearchVectors(query.Span, top, filters));

    Task<IReadOnlyList<(long Id, double Score)>> IKnowledgeStore.SearchKeywordsAsync(string query, int top, IReadOnlyDictionary<string, string>? filters, double minimumShouldMatch, CancellationToken cancellationToken) =>
        Task.FromResult(SearchKeywords(query, top, filters, minimumShouldMatch));

    Task<IReadOnlyDictionary<long, StoredChunk>> IKnowledgeStore.ReadChunksAsync(IEnumerable<long> ids, CancellationToken cancellationToken) => Task.FromResult(ReadChunks(ids));

    /// <summary>What the store was built with, or <see langword="null"/> if the file or its schema does not exist yet.</summary>
    public StoreInfo? ReadInfo()
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        using var connection = Read();
        if (Scalar<long>(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'") == 0)
        {
            return null;
        }

        var meta = ReadMeta(connection);
        if (!meta.TryGetValue("embedder", out var embedder) || !meta.TryGetValue("dimensions", out var dimensions))
        {
            return null;
        }

        return new StoreInfo(
            embedder,
            int.Parse(dimensions, System.Globalization.CultureInfo.InvariantCulture),
            (int)Scalar<long>(connection, "SELECT count(*) FROM documents"),
            (int)Scalar<long>(connection, "SELECT count(*) FROM chunks"),
            meta.ContainsKey("ingest_completed_at"));
    }

    /// <summary>What a search needs to know, cheaply (no counting): embedder, dimensions, whether any document or a completed ingest exists.</summary>
    public StoreInfo? ReadSearchState()
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        using var connection = Read();
        if (Scalar<long>(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'") == 0)
        {
            return null;
        }

        var meta = ReadMeta(connection);
        if (!meta.TryGetValue("embedder", out var embedder) || !meta.TryGetValue("dimensions", out var dimensions))
        {
            return null;
        }

        var any = (int)Scalar<long>(connection, "SELECT EXISTS (SELECT 1 FROM documents)");
        return new StoreInfo(embedder, int.Parse(dimensions, System.Globalization.CultureInfo.InvariantCulture), any, any, meta.ContainsKey("ingest_completed_at"));
    }

    /// <summary>
    /// Creates the schema if needed and records the embedder. A store built with another embedder
    /// or dimension is emptied first (its vectors are useless to the new one). Returns whether it was.
    /// </summary>
    /// <param name="embedder">The embedder's recorded name.</param>
    /// <param name="dimensions">The length of its vectors, at least 1.</param>
    /// <returns>Whether the store was emptied.</returns>
    /// <exception cref="ArgumentException"><paramref name="embedder"/> is empty, or <paramref name="dimensions"/> is less than 1.</exception>
    public bool Prepare(string embedder, int dimensions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(embedder);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        using var connection = Open(create: true);
        Execute(connection, "PRAGMA journal_mode = WAL");
        using var transaction = connection.BeginTransaction();
        Execute(connection, Schema, transaction);
        var meta = ReadMeta(connection, transaction);
        var rebuilt = false;
        if (meta.TryGetValue("embedder", out var previous) && (previous != embedder || meta.GetValueOrDefault("dimensions") != dimensions.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            Execute(connection, "DELETE FROM vectors; DELETE FROM chunks_fts; DELETE FROM chunks; DELETE FROM documents; DELETE FROM meta WHERE key = 'ingest_completed_at';", transaction);
            rebuilt = true;
        }

        WriteMeta(connection, transaction, "embedder", embedder);
        WriteMeta(connection, transaction, "dimensions", dimensions.ToString(System.Globalization.CultureInfo.InvariantCulture));
        BumpGeneration(connection, transaction);
        transaction.Commit();
        return rebuilt;
    }

    /// <summary>Source → SHA-256 of every stored document.</summary>
    public IReadOnlyDictionary<string, string> ReadDocumentHashes()
    {
        using var connection = Open(create: false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT source, hash FROM documents";
        using var reader = command.ExecuteReader();
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            hashes[reader.GetString(0)] = reader.GetString(1);
        }

        return hashes;
    }

    /// <summary>Replaces a document and all its chunks and vectors in one transaction: after a crash the store holds either the old document or the new one.</summary>
    /// <param name="document">The document; its <see cref="KnowledgeDocument.Source"/> identifies it.</param>
    /// <param name="chunks">Its chunks, in order.</param>
    /// <param name="vectors">One vector per chunk, in the same order, of the prepared dimension.</param>
    /// <exception cref="KnowledgeStoreMismatchException">A vector's dimension is not the one the store was prepared with.</exception>
    public void ReplaceDocument(KnowledgeDocument document, IReadOnlyList<TextChunk> chunks, IReadOnlyList<ReadOnlyMemory<float>> vectors)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(vectors);
        if (chunks.Count != vectors.Count)
        {
            throw new ArgumentException($"{chunks.Count} chunks but {vectors.Count} vectors.", nameof(vectors));
        }

        using var connection = Open(create: false);
        using var transaction = connection.BeginTransaction();
        var dimensions = int.Parse(ReadMeta(connection, transaction)["dimensions"], System.Globalization.CultureInfo.InvariantCulture);
        DeleteDocument(connection, transaction, document.Source);
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO documents (source, hash, format, metadata) VALUES ($source, $hash, $format, $metadata) RETURNING id";
            insert.Parameters.AddWithValue("$source", document.Source);
            insert.Parameters.AddWithValue("$hash", document.Hash);
            insert.Parameters.AddWithValue("$format", document.Format);
            insert.Parameters.AddWithValue("$metadata", JsonSerializer.Serialize(document.Metadata, KnowledgeJsonContext.Default.IReadOnlyDictionaryStringString));
            var documentId = (long)insert.ExecuteScalar()!;

            using var chunk = connection.CreateCommand();
            chunk.Transaction = transaction;
            chunk.CommandText = """
                INSERT INTO chunks (document_id, ordinal, text, heading, token_count, metadata) VALUES ($doc, $ordinal, $text, $heading, $tokens, $metadata) RETURNING id
                """;
            var doc = chunk.Parameters.Add("$doc", SqliteType.Integer);
            var ordinal = chunk.Parameters.Add("$ordinal", SqliteType.Integer);
            var text = chunk.Parameters.Add("$text", SqliteType.Text);
            var heading = chunk.Parameters.Add("$heading", SqliteType.Text);
            var tokens = chunk.Parameters.Add("$tokens", SqliteType.Integer);
            var metadata = chunk.Parameters.Add("$metadata", SqliteType.Text);

            using var vector = connection.CreateCommand();
            vector.Transaction = transaction;
            vector.CommandText = "INSERT INTO vectors (chunk_id, embedding) VALUES ($id, $embedding)";
            var vectorId = vector.Parameters.Add("$id", SqliteType.Integer);
            var embedding = vector.Parameters.Add("$embedding", SqliteType.Blob);

            using var fts = connection.CreateCommand();
            fts.Transaction = transaction;
            fts.CommandText = "INSERT INTO chunks_fts (rowid, text, heading) VALUES ($id, $text, $heading)";
            var ftsId = fts.Parameters.Add("$id", SqliteType.Integer);
            var ftsText = fts.Parameters.Add("$text", SqliteType.Text);
            var ftsHeading = fts.Parameters.Add("$heading", SqliteType.Text);

            for (var i = 0; i < chunks.Count; i++)
            {
                if (vectors[i].Length != dimensions)
                {
                    throw new KnowledgeStoreMismatchException($"The embedder returned {vectors[i].Length} dimensions but '{Path}' holds {dimensions}-dimensional vectors.");
                }

                var chunkMetadata = new Dictionary<string, string>(document.Metadata, StringComparer.Ordinal);
                if (chunks[i].Heading is { } h)
                {
                    chunkMetadata["heading"] = h;
                }

                doc.Value = documentId;
                ordinal.Value = chunks[i].Ordinal;
                text.Value = chunks[i].Text;
                heading.Value = (object?)chunks[i].Heading ?? DBNull.Value;
                tokens.Value = chunks[i].TokenCount;
                metadata.Value = JsonSerializer.Serialize<IReadOnlyDictionary<string, string>>(chunkMetadata, KnowledgeJsonContext.Default.IReadOnlyDictionaryStringString);
                var id = (long)chunk.ExecuteScalar()!;

                vectorId.Value = id;
                embedding.Value = ToBlob(vectors[i].Span);
                vector.ExecuteNonQuery();

                ftsId.Value = id;
                ftsText.Value = chunks[i].Text;
                ftsHeading.Value = (object?)chunks[i].Heading ?? string.Empty;
                fts.ExecuteNonQuery();
            }
        }

        BumpGeneration(connection, transaction);
        transaction.Commit();
    }

    /// <summary>Removes a document, its chunks, vectors and index entries (one transaction).</summary>
    /// <param name="source">The document's source path; a source the store does not hold is ignored.</param>
    public void RemoveDocument(string source)
    {
        using var connection = Open(create: false);
        using var transaction = connection.BeginTransaction();
        DeleteDocument(connection, transaction, source);
        BumpGeneration(connection, transaction);
        transaction.Commit();
    }

    /// <summary>Records that an ingest ran to the end.</summary>
    /// <param name="when">When it ended.</param>
    public void MarkIngestCompleted(DateTimeOffset when)
    {
        using var connection = Open(create: false);
        using var transaction = connection.BeginTransaction();
        WriteMeta(connection, transaction, "ingest_completed_at", when.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        transaction.Commit();
    }

    /// <summary>The <paramref name="top"/> chunks by cosine similarity to <paramref name="query"/> (any length-normalized or not), best first.</summary>
    /// <param name="query">The query's vector, of the store's dimension.</param>
    /// <param name="top">The most chunks to return.</param>
    /// <param name="filters">Metadata key → value or glob, all of which must match; <see langword="null"/> for none.</param>
    /// <returns>Chunk ids with their cosine similarity, best first.</returns>
    /// <exception cref="KnowledgeStoreMismatchException">The query vector's dimension is not the store's.</exception>
    public IReadOnlyList<(long Id, double Score)> SearchVectors(ReadOnlySpan<float> query, int top, IReadOnlyDictionary<string, string>? filters = null)
    {
        var index = LoadIndex();
        if (query.Length != index.Dimensions)
        {
            throw new KnowledgeStoreMismatchException($"The query vector has {query.Length} dimensions but '{Path}' holds {index.Dimensions}-dimensional vectors (embedder '{index.Embedder}').");
        }

        var normalized = new float[query.Length];
        var norm = TensorPrimitives.Norm(query);
        TensorPrimitives.Divide(query, norm == 0 ? 1 : norm, normalized);
        HashSet<long>? allowed = filters is { Count: > 0 } ? FilterIds(filters) : null;

        var heap = new PriorityQueue<int, float>(top + 1);
        var matrix = index.Matrix.AsSpan();
        var d = index.Dimensions;
        for (var row = 0; row < index.Ids.Length; row++)
        {
            if (allowed is not null && !allowed.Contains(index.Ids[row]))
            {
                continue;
            }

            var score = TensorPrimitives.Dot(matrix.Slice(row * d, d), normalized);
            if (heap.Count < top)
            {
                heap.Enqueue(row, score);
            }
            else if (heap.TryPeek(out _, out var worst) && score > worst)
            {
                heap.DequeueEnqueue(row, score);
            }
        }

        var results = new List<(long, double)>(heap.Count);
        while (heap.TryDequeue(out var row, out var score))
        {
            results.Add((index.Ids[row], score));
        }

        results.Reverse();
        return results;
    }

    /// <summary>
    /// The <paramref name="top"/> chunks by FTS5 BM25 for the words of <paramref name="query"/> (English stop words dropped),
    /// best first; scores are positive. A chunk must contain at least <paramref name="minimumShouldMatch"/> of the words
    /// (a fraction, rounded up, at least one), like Elasticsearch's <c>minimum_should_match</c>.
    /// </summary>
    /// <param name="query">The query text.</param>
    /// <param name="top">The most chunks to return.</param>
    /// <param name="filters">Metadata key → value or glob, all of which must match; <see langword="null"/> for none.</param>
    /// <param name="minimumShouldMatch">The fraction, 0 to 1, of the query's content words a chunk must hold.</param>
    /// <returns>Chunk ids with their BM25 score, best first.</returns>
    public IReadOnlyList<(long Id, double Score)> SearchKeywords(string query, int top, IReadOnlyDictionary<string, string>? filters = null, double minimumShouldMatch = 0)
    {
        ArgumentNullException.ThrowIfNull(query);
        var all = WordRegex().Matches(query).Select(m => m.Value.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        var content = all.Where(w => !StopWords.Contains(w)).ToList();
        var words = content.Count > 0 ? content : all; // a query of stop words only still searches for them
        if (words.Count == 0)
        {
            return [];
        }

        using var connection = Read();
        using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT f.rowid, -rank FROM chunks_fts f");
        var where = AppendFilters(command, filters);
        if (where.Length > 0)
        {
            sql.Append(" JOIN chunks c ON c.id = f.rowid");
        }

        sql.Append(" WHERE chunks_fts MATCH $match").Append(where).Append(" ORDER BY rank LIMIT $top");
        command.CommandText = sql.ToString();
        command.Parameters.AddWithValue("$match", MatchExpression(words, (int)Math.Ceiling(minimumShouldMatch * words.Count)));
        command.Parameters.AddWithValue("$top", top);
        using var reader = command.ExecuteReader();
        var results = new List<(long, double)>();
        while (reader.Read())
        {
            results.Add((reader.GetInt64(0), reader.GetDouble(1)));
        }

        return results;
    }

    // Any word, or when `required` > 1 every combination of `required` words (FTS5 intersects the doclists,
    // so rare combinations stay cheap); past 64 combinations, as many words as keeps it at most 64.
    private static string MatchExpression(IReadOnlyList<string> words, int required)
    {
        var quoted = words.Select(w => "\"" + w + "\"").ToList();
        if (required <= 1)
        {
            return string.Join(" OR ", quoted);
        }

        while (required > 1 && Combinations(quoted.Count, required) > 64)
        {
            required--;
        }

        var groups = new List<string>();
        void Choose(int start, List<string> chosen)
        {
            if (chosen.Count == required)
            {
                groups.Add("(" + string.Join(" AND ", chosen) + ")");
                return;
            }

            for (var i = start; i <= quoted.Count - (required - chosen.Count); i++)
            {
                chosen.Add(quoted[i]);
                Choose(i + 1, chosen);
                chosen.RemoveAt(chosen.Count - 1);
            }
        }

        Choose(0, []);
        return string.Join(" OR ", groups);
    }

    private static long Combinations(int n, int k)
    {
        long result = 1;
        for (var i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return result;
    }

    /// <summary>The chunks with these ids (in no particular order; unknown ids are left out).</summary>
    /// <param name="ids">Chunk ids from a search.</param>
    /// <returns>The chunks by id.</returns>
    public IReadOnlyDictionary<long, StoredChunk> ReadChunks(IEnumerable<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var list = ids.Distinct().ToList();
        var result = new Dictionary<long, StoredChunk>();
        if (list.Count == 0)
        {
            return result;
        }

        using var connection = Read();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT c.id, d.source, c.ordinal, c.text, c.heading, c.metadata FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id IN (SELECT value FROM json_each($ids))";
        command.Parameters.AddWithValue("$ids", "[" + string.Join(",", list) + "]");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var metadata = JsonSerializer.Deserialize(reader.GetString(5), KnowledgeJsonContext.Default.IReadOnlyDictionaryStringString) ?? new Dictionary<string, string>();
            result[reader.GetInt64(0)] = new StoredChunk(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), metadata);
        }

        return result;
    }

    /// <summary>The stored (L2-normalized) vectors of these chunks.</summary>
    /// <param name="ids">Chunk ids.</param>
    /// <returns>The vectors by id; unknown ids are left out.</returns>
    public IReadOnlyDictionary<long, ReadOnlyMemory<float>> ReadVectors(IEnumerable<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        using var connection = Read();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT chunk_id, embedding FROM vectors WHERE chunk_id IN (SELECT value FROM json_each($ids))";
        command.Parameters.AddWithValue("$ids", "[" + string.Join(",", ids) + "]");
        using var reader = command.ExecuteReader();
        var result = new Dictionary<long, ReadOnlyMemory<float>>();
        while (reader.Read())
        {
            result[reader.GetInt64(0)] = MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(1)).ToArray();
        }

        return result;
    }

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS documents (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL UNIQUE,
            hash TEXT NOT NULL,
            format TEXT NOT NULL,
            metadata TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS chunks (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            ordinal INTEGER NOT NULL,
            text TEXT NOT NULL,
            heading TEXT,
            token_count INTEGER NOT NULL,
            metadata TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS chunks_document ON chunks(document_id);
        CREATE TABLE IF NOT EXISTS vectors (chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id), embedding BLOB NOT NULL);
        CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(text, heading, tokenize = 'porter unicode61 remove_diacritics 2');
        """;

    private static void DeleteDocument(SqliteConnection connection, SqliteTransaction transaction, string source)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            DELETE FROM chunks_fts WHERE rowid IN (SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.source = $source);
            DELETE FROM vectors WHERE chunk_id IN (SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.source = $source);
            DELETE FROM chunks WHERE document_id IN (SELECT id FROM documents WHERE source = $source);
            DELETE FROM documents WHERE source = $source;
            """;
        command.Parameters.AddWithValue("$source", source);
        command.ExecuteNonQuery();
    }

    private VectorIndex LoadIndex()
    {
        using var connection = Read();
        var meta = ReadMeta(connection);
        var generation = long.Parse(meta.GetValueOrDefault("generation", "0"), System.Globalization.CultureInfo.InvariantCulture);
        lock (_indexLock)
        {
            if (_index is { } cached && cached.Generation == generation)
            {
                return cached;
            }

            var dimensions = int.Parse(meta["dimensions"], System.Globalization.CultureInfo.InvariantCulture);
            var count = (int)Scalar<long>(connection, "SELECT count(*) FROM vectors");
            var ids = new long[count];
            var matrix = new float[(long)count * dimensions];
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT chunk_id, embedding FROM vectors ORDER BY chunk_id";
            using var reader = command.ExecuteReader();
            var row = 0;
            while (reader.Read() && row < count)
            {
                ids[row] = reader.GetInt64(0);
                var blob = (byte[])reader.GetValue(1);
                MemoryMarshal.Cast<byte, float>(blob).CopyTo(matrix.AsSpan(row * dimensions, dimensions));
                row++;
            }

            _index = new VectorIndex(generation, meta["embedder"], dimensions, ids[..row], matrix);
            return _index;
        }
    }

    private HashSet<long> FilterIds(IReadOnlyDictionary<string, string> filters)
    {
        using var connection = Read();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT c.id FROM chunks c WHERE 1 = 1" + AppendFilters(command, filters);
        using var reader = command.ExecuteReader();
        var ids = new HashSet<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    // Each filter is an equality (or a GLOB) on one metadata key (source, format, extension, heading, title or the document's own).
    private static string AppendFilters(SqliteCommand command, IReadOnlyDictionary<string, string>? filters)
    {
        if (filters is not { Count: > 0 })
        {
            return string.Empty;
        }

        var sql = new StringBuilder();
        var i = 0;
        foreach (var (key, value) in filters)
        {
            var glob = MetadataPattern.IsGlob(value);
            sql.Append(CultureInfoFormat($" AND json_extract(c.metadata, $fk{i}) {(glob ? "GLOB" : "=")} $fv{i}"));
            command.Parameters.AddWithValue(CultureInfoFormat($"$fk{i}"), "$.\"" + key.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"");
            command.Parameters.AddWithValue(CultureInfoFormat($"$fv{i}"), glob ? value.Replace("[", "[[]", StringComparison.Ordinal) : value); // SQLite GLOB reads [ as a character class
            i++;
        }

        return sql.ToString();
    }

    private static string CultureInfoFormat(FormattableString s) => FormattableString.Invariant(s);

    private static byte[] ToBlob(ReadOnlySpan<float> vector)
    {
        var normalized = new float[vector.Length];
        var norm = TensorPrimitives.Norm(vector);
        TensorPrimitives.Divide(vector, norm == 0 ? 1 : norm, normalized);
        return MemoryMarshal.AsBytes(normalized.AsSpan()).ToArray();
    }

    /// <summary>A connection to read with: the flow's snapshot if one is open, else a pooled one of its own.</summary>
    private ReadConnection Read()
    {
        if (_snapshot.Value is { Disposed: false } snapshot)
        {
            Monitor.Enter(snapshot); // one command at a time on the shared connection
            return new ReadConnection(snapshot.Connection, snapshot);
        }

        return new ReadConnection(Open(create: false), null);
    }

    private readonly struct ReadConnection(SqliteConnection connection, Snapshot? shared) : IDisposable
    {
        public SqliteConnection Connection { get; } = connection;

        public SqliteCommand CreateCommand() => Connection.CreateCommand();

        public static implicit operator SqliteConnection(ReadConnection read) => read.Connection;

        public void Dispose()
        {
            if (shared is null)
            {
                Connection.Dispose();
            }
            else
            {
                Monitor.Exit(shared);
            }
        }
    }

    private sealed class Snapshot(SqliteConnection? connection, SqliteKnowledgeStore? owner) : IAsyncDisposable
    {
        public static readonly Snapshot None = new(null, null);

        public SqliteConnection Connection => connection!;

        public bool Disposed { get; private set; }

        public ValueTask DisposeAsync()
        {
            if (connection is null || Disposed)
            {
                return ValueTask.CompletedTask;
            }

            lock (this)
            {
                Disposed = true;
                try
                {
                    Execute(connection, "COMMIT");
                }
                finally
                {
                    connection.Dispose();
                    if (owner!._snapshot.Value == this)
                    {
                        owner._snapshot.Value = null;
                    }
                }
            }

            return ValueTask.CompletedTask;
        }
    }

    private SqliteConnection Open(bool create)
    {
        var connection = new SqliteConnection(create ? _createConnectionString : _connectionString);
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;");
        return connection;
    }

    private static Dictionary<string, string> ReadMeta(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT key, value FROM meta";
        using var reader = command.ExecuteReader();
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            meta[reader.GetString(0)] = reader.GetString(1);
        }

        return meta;
    }

    private static void WriteMeta(SqliteConnection connection, SqliteTransaction transaction, string key, string value)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO meta (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        command.Parameters.AddWithValue("$k", key);
        command.Parameters.AddWithValue("$v", value);
        command.ExecuteNonQuery();
    }

    private static void BumpGeneration(SqliteConnection connection, SqliteTransaction transaction) =>
        Execute(connection, "INSERT INTO meta (key, value) VALUES ('generation', '1') ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)", transaction);

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+", RegexOptions.CultureInvariant)]
    internal static partial Regex WordRegex();

    // English function words: OR-ing them into an FTS5 query only adds noise to the BM25 ranking.
    internal static readonly HashSet<string> StopWords = new(
        """
        a about above after again against all am an and any are as at be because been before being below between both but by
        can could did do does doing down during each few for from further had has have having he her here hers herself him
        himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other
        our ours ourselves out over own same she should so some such than that the their theirs them themselves then there
        these they this those through to too under until up very was we were what when where which while who whom why will
        with would you your yours yourself yourselves s t don can't i'm
        """.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries),
        StringComparer.Ordinal);

    private sealed record VectorIndex(long Generation, string Embedder, int Dimensions, long[] Ids, float[] Matrix);
}
