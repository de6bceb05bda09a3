using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;

namespace Atlas.Knowledge;

/// <summary>
/// A knowledge store in one collection of a ChromaDB server, over its v2 HTTP API
/// (<c>/api/v2/tenants/{tenant}/databases/{database}/collections</c>). Chroma keeps each chunk's
/// vector (computed here, by the knowledge base's embedder), text and metadata; the collection's
/// metadata records the embedder and dimension, as the SQLite store's <c>meta</c> table does.
/// </summary>
/// <remarks>
/// <para>
/// Chroma has no multi-record transactions. A document's chunks carry its SHA-256 (<c>doc_hash</c>)
/// and have ids derived from (source, ordinal); replacing a document upserts its new chunks, then
/// deletes the old ones past the new count. An ingest killed between the two leaves chunks with two
/// hashes, which <see cref="ReadDocumentHashesAsync"/> reports as a hash no file has, so the next
/// ingest redoes that document. Searches running meanwhile may see a half-replaced document. Ingests on one machine
/// take turns (<see cref="AcquireIngestLockAsync"/>).
/// </para>
/// <para>
/// Chroma has no BM25. Keyword search is BM25 computed here over the chunks that Chroma's full-text
/// filter (<c>where_document</c> <c>$regex</c>, case-insensitive, from a word start) finds for any of
/// the query's content words: since every chunk that holds a query word is a candidate, document
/// frequencies are exact up to <see cref="KeywordCandidateLimit"/> candidates (past it the rarest
/// words still rank, common ones are undercounted). Words are matched by prefix after stripping a
/// plural or -ed/-ing ending ("refunds" finds "refunded"), a rough stand-in for SQLite's Porter stemmer.
/// </para>
/// <para>
/// Metadata filters: equalities go to Chroma's <c>where</c>; globs (<see cref="MetadataPattern"/>)
/// are resolved here against the chunks' metadata (one scan of the collection's metadata per search).
/// Thread-safe. Does not own the <see cref="HttpClient"/>.
/// </para>
/// </remarks>
public sealed partial class ChromaKnowledgeStore : IKnowledgeStore
{
    private const int PageSize = 1000;
    private const int WriteBatch = 500;
    private readonly HttpClient _http;
    private readonly string _collectionsUrl;
    private readonly SemaphoreSlim _idLock = new(1, 1);
    private string? _collectionId;

    /// <param name="server">The server, e.g. <c>http://127.0.0.1:8000</c>.</param>
    /// <param name="collection">The collection's name (3–512 characters of <c>[A-Za-z0-9._-]</c>, starting and ending with a letter or digit).</param>
    /// <param name="http">The client to send requests with (not owned); a shared one if <see langword="null"/>.</param>
    /// <param name="tenant">Chroma tenant.</param>
    /// <param name="database">Chroma database.</param>
    public ChromaKnowledgeStore(Uri server, string collection, HttpClient? http = null, string tenant = "default_tenant", string database = "default_database")
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrWhiteSpace(collection);
        if (!CollectionNameRegex().IsMatch(collection))
        {
            throw new ArgumentException($"'{collection}' is not a valid Chroma collection name: 3-512 characters of letters, digits, '.', '_' or '-', starting and ending with a letter or digit.", nameof(collection));
        }

        Server = server;
        Collection = collection;
        _http = http ?? SharedHttp;
        _collectionsUrl = $"{server.AbsoluteUri.TrimEnd('/')}/api/v2/tenants/{Uri.EscapeDataString(tenant)}/databases/{Uri.EscapeDataString(database)}/collections";
    }

    /// <summary>The ChromaDB server's base URL.</summary>
    public Uri Server { get; }

    /// <summary>The collection that holds this knowledge base (created by the first ingest).</summary>
    public string Collection { get; }

    /// <summary>Keyword search reads at most this many candidate chunks from Chroma.</summary>
    public int KeywordCandidateLimit { get; init; } = 2000;

    /// <summary>The server and the collection, for messages: <c>http://host:8000 (collection 'atlas_handbook')</c>.</summary>
    public string Location => $"{Server.AbsoluteUri.TrimEnd('/')} (collection '{Collection}')";

    /// <summary>
    /// How long one request may take, from sending it to the last byte of its reply (HttpClient's own <c>Timeout</c>
    /// stops at the headers, so a server that stalls mid-reply would otherwise hang the search or ingest).
    /// </summary>
    internal TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    // No timeout of its own: RequestTimeout bounds each request, and one timer gives one message.
    private static HttpClient SharedHttp { get; } = new() { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>
    /// A lock file under the temp folder named by server and collection: ingests on this machine take turns; ingests from
    /// other machines into the same collection are not serialized (Chroma has no locks to offer).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The lock; dispose it to let the next ingest in.</returns>
    public async Task<IAsyncDisposable> AcquireIngestLockAsync(CancellationToken cancellationToken = default) =>
        await IngestLock.AcquireAsync(IngestLock.PathInTemp(_collectionsUrl + "/" + Collection), cancellationToken).ConfigureAwait(false);

    /// <summary>A no-op: Chroma has no transactions, so a search may see a document an ingest is replacing.</summary>
    /// <param name="cancellationToken">Not used.</param>
    /// <returns>A snapshot whose disposal does nothing.</returns>
    public Task<IAsyncDisposable> BeginConsistentReadAsync(CancellationToken cancellationToken = default) => Task.FromResult<IAsyncDisposable>(NoSnapshot.Instance);

    private sealed class NoSnapshot : IAsyncDisposable
    {
        public static readonly NoSnapshot Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>The Chroma collection name for a knowledge base: <c>atlas_</c> and its name.</summary>
    /// <param name="knowledge">The knowledge base's declared name.</param>
    /// <returns>The collection name <c>chroma(...)</c> stores use.</returns>
    public static string DefaultCollectionName(string knowledge) => "atlas_" + knowledge;

    /// <summary>Deletes the collection, if it exists.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="KnowledgeStoreUnavailableException">The server could not be reached or refused the request.</exception>
    public async Task DeleteCollectionAsync(CancellationToken cancellationToken = default)
    {
        const string what = "delete the collection";
        await ExchangeAsync(what, async deadline =>
        {
            using var response = await SendRawAsync(HttpMethod.Delete, $"{_collectionsUrl}/{Uri.EscapeDataString(Collection)}", null, deadline).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                await EnsureSuccessAsync(response, what, deadline).ConfigureAwait(false);
            }

            return response.StatusCode;
        }, cancellationToken).ConfigureAwait(false);
        _collectionId = null;
    }

    /// <inheritdoc />
    public async Task<StoreInfo?> ReadInfoAsync(CancellationToken cancellationToken = default)
    {
        var collection = await GetCollectionAsync(cancellationToken).ConfigureAwait(false);
        if (collection is null || !TryReadEmbedder(collection, out var embedder, out var dimensions))
        {
            return null;
        }

        var sources = new HashSet<string>(StringComparer.Ordinal);
        var chunks = 0;
        await foreach (var (_, metadata, _) in ScanAsync(null, includeDocuments: false, cancellationToken).ConfigureAwait(false))
        {
            chunks++;
            sources.Add(metadata.GetValueOrDefault("source") ?? string.Empty);
        }

        return new StoreInfo(embedder, dimensions, sources.Count, chunks, IsCompleted(collection));
    }

    /// <inheritdoc />
    public async Task<StoreInfo?> ReadSearchStateAsync(CancellationToken cancellationToken = default)
    {
        var collection = await GetCollectionAsync(cancellationToken).ConfigureAwait(false);
        if (collection is null || !TryReadEmbedder(collection, out var embedder, out var dimensions))
        {
            return null;
        }

        var count = await CountAsync(cancellationToken).ConfigureAwait(false);
        var any = count > 0 ? 1 : 0;
        return new StoreInfo(embedder, dimensions, any, any, IsCompleted(collection));
    }

    /// <inheritdoc />
    public async Task<bool> PrepareAsync(string embedder, int dimensions, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(embedder);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        var existing = await GetCollectionAsync(cancellationToken).ConfigureAwait(false);
        var rebuilt = false;
        if (existing is not null && TryReadEmbedder(existing, out var previous, out var previousDimensions) && (previous != embedder || previousDimensions != dimensions))
        {
            await DeleteCollectionAsync(cancellationToken).ConfigureAwait(false);
            existing = null;
            rebuilt = true;
        }

        if (existing is null)
        {
            var body = new JsonObject
            {
                ["name"] = Collection,
                ["get_or_create"] = true,
                ["metadata"] = new JsonObject { ["embedder"] = embedder, ["dimensions"] = dimensions },
                ["configuration"] = new JsonObject { ["hnsw"] = new JsonObject { ["space"] = "cosine" } },
            };
            var created = await SendAsync(HttpMethod.Post, _collectionsUrl, body, "create the collection", cancellationToken).ConfigureAwait(false);
            _collectionId = created!["id"]!.GetValue<string>();
        }
        else
        {
            var metadata = ReadMetadata(existing);
            metadata["embedder"] = embedder;
            metadata["dimensions"] = dimensions;
            await UpdateMetadataAsync(metadata, cancellationToken).ConfigureAwait(false);
        }

        return rebuilt;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> ReadDocumentHashesAsync(CancellationToken cancellationToken = default)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var (_, metadata, _) in ScanAsync(null, includeDocuments: false, cancellationToken).ConfigureAwait(false))
        {
            if (metadata.GetValueOrDefault("source") is not { } source)
            {
                continue;
            }

            var hash = metadata.GetValueOrDefault("doc_hash") ?? string.Empty;
            // Chunks of one document with two hashes: a replacement was cut short. No file hashes to this, so it is redone.
            hashes[source] = hashes.TryGetValue(source, out var seen) && seen != hash ? "incomplete" : hash;
        }

        return hashes;
    }

    /// <inheritdoc />
    public async Task ReplaceDocumentAsync(KnowledgeDocument document, IReadOnlyList<TextChunk> chunks, IReadOnlyList<ReadOnlyMemory<float>> vectors, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(vectors);
        if (chunks.Count != vectors.Count)
        {
            throw new ArgumentException($"{chunks.Count} chunks but {vectors.Count} vectors.", nameof(vectors));
        }

        var collection = await GetCollectionAsync(cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException($"{Location} does not exist; prepare the store first.");
        TryReadEmbedder(collection, out _, out var dimensions);
        var id = await GetIdAsync(cancellationToken).ConfigureAwait(false);
        var newIds = new HashSet<string>(StringComparer.Ordinal);
        for (var start = 0; start < chunks.Count; start += WriteBatch)
        {
            var ids = new JsonArray();
            var embeddings = new JsonArray();
            var texts = new JsonArray();
            var metadatas = new JsonArray();
            for (var i = start; i < Math.Min(chunks.Count, start + WriteBatch); i++)
            {
                if (vectors[i].Length != dimensions)
                {
                    throw new KnowledgeStoreMismatchException($"The embedder returned {vectors[i].Length} dimensions but {Location} holds {dimensions}-dimensional vectors.");
                }

                var chunkId = ChunkId(document.Source, chunks[i].Ordinal).ToString(CultureInfo.InvariantCulture);
                newIds.Add(chunkId);
                ids.Add(chunkId);
                embeddings.Add(new JsonArray(vectors[i].ToArray().Select(v => (JsonNode)JsonValue.Create(v)).ToArray()));
                texts.Add(chunks[i].Text);
                var metadata = new JsonObject();
                foreach (var (key, value) in document.Metadata)
                {
                    metadata[key] = value;
                }

                if (chunks[i].Heading is { } heading)
                {
                    metadata["heading"] = heading;
                }

                metadata["source"] = document.Source;
                metadata["doc_hash"] = document.Hash;
                metadata["ordinal"] = chunks[i].Ordinal;
                metadata["words"] = Words(chunks[i].Text).Count;
                metadatas.Add(metadata);
            }

            var body = new JsonObject { ["ids"] = ids, ["embeddings"] = embeddings, ["documents"] = texts, ["metadatas"] = metadatas };
            await SendAsync(HttpMethod.Post, $"{_collectionsUrl}/{id}/upsert", body, "upsert chunks", cancellationToken).ConfigureAwait(false);
        }

        // Only now drop the old chunks past the new count: until then the document reads as incomplete.
        var stale = new List<string>();
        await foreach (var (chunkId, _, _) in ScanAsync(Where(new Dictionary<string, string> { ["source"] = document.Source }), includeDocuments: false, cancellationToken).ConfigureAwait(false))
        {
            if (!newIds.Contains(chunkId))
            {
                stale.Add(chunkId);
            }
        }

        await DeleteIdsAsync(id, stale, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task RemoveDocumentAsync(string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var id = await GetIdAsync(cancellationToken).ConfigureAwait(false);
        await SendAsync(HttpMethod.Post, $"{_collectionsUrl}/{id}/delete", new JsonObject { ["where"] = Where(new Dictionary<string, string> { ["source"] = source }) }, "delete a document", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task MarkIngestCompletedAsync(DateTimeOffset when, CancellationToken cancellationToken = default)
    {
        // BM25 needs the average chunk length in words; Chroma can't aggregate, so sum it once per ingest.
        long words = 0, chunks = 0;
        await foreach (var (_, metadata, _) in ScanAsync(null, includeDocuments: false, cancellationToken).ConfigureAwait(false))
        {
            chunks++;
            words += long.TryParse(metadata.GetValueOrDefault("words"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var w) ? w : 0;
        }

        var collection = await GetCollectionAsync(cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException($"{Location} does not exist.");
        var meta = ReadMetadata(collection);
        meta["ingest_completed_at"] = when.ToString("O", CultureInfo.InvariantCulture);
        meta["average_words"] = chunks == 0 ? 1.0 : (double)words / chunks;
        await UpdateMetadataAsync(meta, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<(long Id, double Score)>> SearchVectorsAsync(ReadOnlyMemory<float> query, int top, IReadOnlyDictionary<string, string>? filters, CancellationToken cancellationToken = default)
    {
        var collection = await GetCollectionAsync(cancellationToken).ConfigureAwait(false);
        if (collection is null || !TryReadEmbedder(collection, out var embedder, out var dimensions))
        {
            return [];
        }

        if (query.Length != dimensions)
        {
            throw new KnowledgeStoreMismatchException($"The query vector has {query.Length} dimensions but {Location} holds {dimensions}-dimensional vectors (embedder '{embedder}').");
        }

        var body = new JsonObject
        {
            ["query_embeddings"] = new JsonArray(new JsonArray(query.ToArray().Select(v => (JsonNode)JsonValue.Create(v)).ToArray())),
            ["n_results"] = top,
            ["include"] = new JsonArray("distances"),
        };
        if (!await AddFiltersAsync(body, filters, cancellationToken).ConfigureAwait(false))
        {
            return [];
        }

        var id = await GetIdAsync(cancellationToken).ConfigureAwait(false);
        var result = await SendAsync(HttpMethod.Post, $"{_collectionsUrl}/{id}/query", body, "query", cancellationToken).ConfigureAwait(false);
        var ids = result!["ids"]![0]!.AsArray();
        var distances = result["distances"]![0]!.AsArray();
        var ranked = new List<(long, double)>(ids.Count);
        for (var i = 0; i < ids.Count; i++)
        {
            // Cosine space: distance = 1 - cosine similarity.
            ranked.Add((long.Parse(ids[i]!.GetValue<string>(), CultureInfo.InvariantCulture), 1.0 - distances[i]!.GetValue<double>()));
        }

        return ranked;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<(long Id, double Score)>> SearchKeywordsAsync(string query, int top, IReadOnlyDictionary<string, string>? filters, double minimumShouldMatch = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var all = Words(query).Distinct(StringComparer.Ordinal).ToList();
        var content = all.Where(w => !SqliteKnowledgeStore.StopWords.Contains(w)).ToList();
        var stems = (content.Count > 0 ? content : all).Select(Stem).Distinct(StringComparer.Ordinal).ToList();
        var collection = await GetCollectionAsync(cancellationToken).ConfigureAwait(false);
        if (stems.Count == 0 || collection is null)
        {
            return [];
        }

        var regexes = stems.Select(s => (JsonNode)new JsonObject { ["$regex"] = @"(?i)\b" + Regex.Escape(s) }).ToArray();
        var body = new JsonObject
        {
            ["where_document"] = regexes.Length == 1 ? regexes[0] : new JsonObject { ["$or"] = new JsonArray(regexes) },
            ["include"] = new JsonArray("documents", "metadatas"),
            ["limit"] = KeywordCandidateLimit,
        };
        var globs = SplitFilters(filters, out var equalities);
        if (equalities.Count > 0)
        {
            body["where"] = Where(equalities);
        }

        var id = await GetIdAsync(cancellationToken).ConfigureAwait(false);
        var result = await SendAsync(HttpMethod.Post, $"{_collectionsUrl}/{id}/get", body, "keyword candidates", cancellationToken).ConfigureAwait(false);
        var ids = result!["ids"]!.AsArray();
        var documents = result["documents"]!.AsArray();
        var metadatas = result["metadatas"]!.AsArray();
        var candidates = new List<(long Id, int Length, int[] Frequencies, IReadOnlyDictionary<string, string> Metadata)>(ids.Count);
        var documentFrequency = new int[stems.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            var words = Words(documents[i]?.GetValue<string>() ?? string.Empty);
            var frequencies = new int[stems.Count];
            for (var t = 0; t < stems.Count; t++)
            {
                frequencies[t] = words.Count(w => w.StartsWith(stems[t], StringComparison.Ordinal));
                documentFrequency[t] += frequencies[t] > 0 ? 1 : 0;
            }

            candidates.Add((long.Parse(ids[i]!.GetValue<string>(), CultureInfo.InvariantCulture), words.Count, frequencies, ToStrings(metadatas[i] as JsonObject)));
        }

        var total = Math.Max(await CountAsync(cancellationToken).ConfigureAwait(false), candidates.Count);
        var averageLength = ReadMetadata(collection).TryGetPropertyValue("average_words", out var avg) && avg is not null ? Math.Max(1, avg.GetValue<double>()) : Math.Max(1, candidates.Count == 0 ? 1 : candidates.Average(c => c.Length));
        var required = Math.Max(1, (int)Math.Ceiling(minimumShouldMatch * stems.Count));
        var scored = new List<(long Id, double Score)>();
        foreach (var candidate in candidates)
        {
            if (candidate.Frequencies.Count(f => f > 0) < required || (globs.Count > 0 && !MetadataPattern.MatchesAll(globs, candidate.Metadata)))
            {
                continue;
            }

            double score = 0;
            for (var t = 0; t < stems.Count; t++)
            {
                var tf = candidate.Frequencies[t];
                if (tf == 0)
                {
                    continue;
                }

                score += Bm25.TermScore(tf, documentFrequency[t], total, candidate.Length, averageLength);
            }

            scored.Add((candidate.Id, score));
        }

        return scored.OrderByDescending(s => s.Score).ThenBy(s => s.Id).Take(top).ToList();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<long, StoredChunk>> ReadChunksAsync(IEnumerable<long> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var list = ids.Distinct().Select(i => (JsonNode)JsonValue.Create(i.ToString(CultureInfo.InvariantCulture))).ToArray();
        var chunks = new Dictionary<long, StoredChunk>();
        if (list.Length == 0)
        {
            return chunks;
        }

        var id = await GetIdAsync(cancellationToken).ConfigureAwait(false);
        var body = new JsonObject { ["ids"] = new JsonArray(list), ["include"] = new JsonArray("documents", "metadatas") };
        var result = await SendAsync(HttpMethod.Post, $"{_collectionsUrl}/{id}/get", body, "read chunks", cancellationToken).ConfigureAwait(false);
        var found = result!["ids"]!.AsArray();
        for (var i = 0; i < found.Count; i++)
        {
            var chunkId = long.Parse(found[i]!.GetValue<string>(), CultureInfo.InvariantCulture);
            var metadata = ToStrings(result["metadatas"]![i] as JsonObject);
            var visible = metadata.Where(m => m.Key is not ("doc_hash" or "ordinal" or "words")).ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
            chunks[chunkId] = new StoredChunk(
                chunkId,
                metadata.GetValueOrDefault("source") ?? string.Empty,
                int.TryParse(metadata.GetValueOrDefault("ordinal"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ordinal) ? ordinal : 0,
                result["documents"]![i]?.GetValue<string>() ?? string.Empty,
                metadata.GetValueOrDefault("heading"),
                visible);
        }

        return chunks;
    }

    /// <summary>A chunk's id: the first 63 bits of SHA-256(source, ordinal), so a document's chunks keep their ids across ingests.</summary>
    internal static long ChunkId(string source, int ordinal)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(source + "\0" + ordinal.ToString(CultureInfo.InvariantCulture)), hash);
        return (long)(BitConverter.ToUInt64(hash) & long.MaxValue);
    }

    private static List<string> Words(string text) =>
        SqliteKnowledgeStore.WordRegex().Matches(text).Select(m => m.Value.ToLowerInvariant()).ToList();

    // Plural and -ed/-ing endings off, so the prefix match finds the other forms ("refunds" → "refund" → "refunded").
    private static string Stem(string word)
    {
        foreach (var suffix in (ReadOnlySpan<string>)["ing", "ed", "es", "s"])
        {
            if (word.Length - suffix.Length >= 4 && word.EndsWith(suffix, StringComparison.Ordinal))
            {
                return word[..^suffix.Length];
            }
        }

        return word;
    }

    private static IReadOnlyDictionary<string, string> SplitFilters(IReadOnlyDictionary<string, string>? filters, out Dictionary<string, string> equalities)
    {
        equalities = new Dictionary<string, string>(StringComparer.Ordinal);
        var globs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in filters ?? new Dictionary<string, string>())
        {
            (MetadataPattern.IsGlob(value) ? globs : equalities)[key] = value;
        }

        return globs;
    }

    // Equalities become `where`; globs are resolved to the ids whose metadata matches. False: nothing can match.
    private async Task<bool> AddFiltersAsync(JsonObject body, IReadOnlyDictionary<string, string>? filters, CancellationToken cancellationToken)
    {
        var globs = SplitFilters(filters, out var equalities);
        var where = equalities.Count > 0 ? Where(equalities) : null;
        if (globs.Count == 0)
        {
            if (where is not null)
            {
                body["where"] = where;
            }

            return true;
        }

        var ids = new JsonArray();
        await foreach (var (chunkId, metadata, _) in ScanAsync(where, includeDocuments: false, cancellationToken).ConfigureAwait(false))
        {
            if (MetadataPattern.MatchesAll(globs, metadata))
            {
                ids.Add(chunkId);
            }
        }

        body["ids"] = ids;
        return ids.Count > 0;
    }

    private static JsonObject Where(IReadOnlyDictionary<string, string> equalities)
    {
        var clauses = equalities.Select(e => (JsonNode)new JsonObject { [e.Key] = new JsonObject { ["$eq"] = e.Value } }).ToArray();
        return clauses.Length == 1 ? (JsonObject)clauses[0] : new JsonObject { ["$and"] = new JsonArray(clauses) };
    }

    private async IAsyncEnumerable<(string Id, IReadOnlyDictionary<string, string> Metadata, string? Text)> ScanAsync(JsonObject? where, bool includeDocuments, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (await GetCollectionAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            yield break;
        }

        var id = await GetIdAsync(cancellationToken).ConfigureAwait(false);
        for (var offset = 0; ; offset += PageSize)
        {
            var body = new JsonObject
            {
                ["include"] = includeDocuments ? new JsonArray("metadatas", "documents") : new JsonArray("metadatas"),
                ["limit"] = PageSize,
                ["offset"] = offset,
            };
            if (where is not null)
            {
                body["where"] = where.DeepClone();
            }

            var page = await SendAsync(HttpMethod.Post, $"{_collectionsUrl}/{id}/get", body, "read metadata", cancellationToken).ConfigureAwait(false);
            var ids = page!["ids"]!.AsArray();
            for (var i = 0; i < ids.Count; i++)
            {
                yield return (ids[i]!.GetValue<string>(), ToStrings(page["metadatas"]![i] as JsonObject), includeDocuments ? page["documents"]![i]?.GetValue<string>() : null);
            }

            if (ids.Count < PageSize)
            {
                yield break;
            }
        }
    }

    private async Task DeleteIdsAsync(string collectionId, List<string> ids, CancellationToken cancellationToken)
    {
        for (var start = 0; start < ids.Count; start += WriteBatch)
        {
            var batch = new JsonArray(ids.Skip(start).Take(WriteBatch).Select(i => (JsonNode)JsonValue.Create(i)).ToArray());
            await SendAsync(HttpMethod.Post, $"{_collectionsUrl}/{collectionId}/delete", new JsonObject { ["ids"] = batch }, "delete chunks", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        var id = await GetIdAsync(cancellationToken).ConfigureAwait(false);
        var count = await SendAsync(HttpMethod.Get, $"{_collectionsUrl}/{id}/count", null, "count", cancellationToken).ConfigureAwait(false);
        return count!.GetValue<int>();
    }

    private async Task UpdateMetadataAsync(JsonObject metadata, CancellationToken cancellationToken)
    {
        var id = await GetIdAsync(cancellationToken).ConfigureAwait(false);
        await SendAsync(HttpMethod.Put, $"{_collectionsUrl}/{id}", new JsonObject { ["new_metadata"] = metadata }, "update the collection's metadata", cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> GetIdAsync(CancellationToken cancellationToken)
    {
        if (_collectionId is { } known)
        {
            return known;
        }

        var collection = await GetCollectionAsync(cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException($"{Location} does not exist.");
        return collection["id"]!.GetValue<string>();
    }

    private async Task<JsonObject?> GetCollectionAsync(CancellationToken cancellationToken)
    {
        await _idLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            const string what = "read the collection";
            var collection = await ExchangeAsync(what, async deadline =>
            {
                using var response = await SendRawAsync(HttpMethod.Get, $"{_collectionsUrl}/{Uri.EscapeDataString(Collection)}", null, deadline).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }

                await EnsureSuccessAsync(response, what, deadline).ConfigureAwait(false);
                return (JsonObject)JsonNode.Parse(await ReadBodyAsync(response, deadline).ConfigureAwait(false))!;
            }, cancellationToken).ConfigureAwait(false);
            _collectionId = collection?["id"]!.GetValue<string>();
            return collection;
        }
        finally
        {
            _idLock.Release();
        }
    }

    private static bool TryReadEmbedder(JsonObject collection, out string embedder, out int dimensions)
    {
        var metadata = ReadMetadata(collection);
        embedder = metadata["embedder"]?.GetValue<string>() ?? string.Empty;
        dimensions = metadata["dimensions"] is JsonValue d && d.TryGetValue<int>(out var n) ? n : 0;
        return embedder.Length > 0 && dimensions > 0;
    }

    private static bool IsCompleted(JsonObject collection) => ReadMetadata(collection).ContainsKey("ingest_completed_at");

    private static JsonObject ReadMetadata(JsonObject collection) =>
        collection["metadata"] is JsonObject metadata ? (JsonObject)metadata.DeepClone() : new JsonObject();

    private static IReadOnlyDictionary<string, string> ToStrings(JsonObject? metadata)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in metadata ?? new JsonObject())
        {
            if (value is JsonValue v)
            {
                result[key] = v.TryGetValue<string>(out var s) ? s : v.ToJsonString();
            }
        }

        return result;
    }

    private Task<JsonNode?> SendAsync(HttpMethod method, string url, JsonNode? body, string what, CancellationToken cancellationToken) =>
        ExchangeAsync(what, async deadline =>
        {
            using var response = await SendRawAsync(method, url, body, deadline).ConfigureAwait(false);
            await EnsureSuccessAsync(response, what, deadline).ConfigureAwait(false);
            var text = await ReadBodyAsync(response, deadline).ConfigureAwait(false);
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }, cancellationToken);

    /// <summary>
    /// Runs one request, the reading of its reply included, under <see cref="RequestTimeout"/>. A timeout (this one, or
    /// the <c>Timeout</c> of a caller's <see cref="HttpClient"/>) fails with one line naming the server, not as a
    /// cancellation nobody asked for: callers stop on those as if the run had been cancelled.
    /// </summary>
    private async Task<T> ExchangeAsync<T>(string what, Func<CancellationToken, Task<T>> exchange, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(RequestTimeout);
        try
        {
            return await exchange(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            var why = deadline.IsCancellationRequested
                ? $"no reply within {RequestTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s"
                : e.Message;
            throw new KnowledgeStoreUnavailableException($"ChromaDB at {Location} could not {what}: {why}", e);
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string url, JsonNode? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        try
        {
            // Headers first: a body is read by ReadBodyAsync or ReadErrorDetailAsync, each with a size limit.
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new KnowledgeStoreUnavailableException($"ChromaDB at {Server.AbsoluteUri.TrimEnd('/')} did not answer ({e.Message}). Start it (e.g. `npx chroma run --path DIR --port N`) or fix the URL in chroma(\"...\").", e);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var detail = await ReadErrorDetailAsync(response, cancellationToken).ConfigureAwait(false);
            throw new KnowledgeStoreUnavailableException($"ChromaDB at {Location} could not {what}: HTTP {(int)response.StatusCode} {detail}");
        }
    }

    /// <summary>The most of a successful reply this store reads (a query's passages, the collection's metadata).</summary>
    public const int MaxReplyBytes = 64 * 1024 * 1024;

    /// <summary>The most of an error reply read for its message; the rest is dropped.</summary>
    public const int MaxErrorDetailBytes = 64 * 1024;

    private async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var (text, complete) = await ReadUpToAsync(response, MaxReplyBytes, cancellationToken).ConfigureAwait(false);
        return complete
            ? text
            : throw new KnowledgeStoreUnavailableException($"ChromaDB at {Location} sent a reply larger than {MaxReplyBytes / (1024 * 1024)} MB, the most this store reads; search with a smaller top");
    }

    private static async Task<string> ReadErrorDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var (text, complete) = await ReadUpToAsync(response, MaxErrorDetailBytes, cancellationToken).ConfigureAwait(false);
        return complete ? text : text + "…";
    }

    // Reads at most limit bytes of the body as UTF-8; complete is false when the body holds more.
    private static async Task<(string Text, bool Complete)> ReadUpToAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (buffer.Length <= limit)
        {
            var read = await body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, limit + 1 - buffer.Length)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return (Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), true);
            }

            buffer.Write(chunk, 0, read);
        }

        return (Encoding.UTF8.GetString(buffer.GetBuffer(), 0, limit), false);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex CollectionNameRegex();
}
