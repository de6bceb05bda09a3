using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.Extensions.AI;

namespace Atlas.Knowledge.Tests;

/// <summary>
/// Ingests of one store take turns (a lock file beside the SQLite database), and a search reads one snapshot of it
/// however an ingest rewrites it meanwhile. The `atlas run` side, 8 processes at once, is in the CLI tests.
/// </summary>
public sealed class ConcurrencyTests : IDisposable
{
    private static readonly KnowledgeDescriptor Descriptor = new("handbook", ["docs/*.md"], ChunkingStrategy.Markdown, 120, 0, "hash", StoreKind.Sqlite, "handbook.db");

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private SqliteKnowledgeBase Create(IEmbeddingGenerator<string, Embedding<float>> embedder) => SqliteKnowledgeBase.Create(Descriptor, _folder.Path, embedder);

    [Fact]
    public async Task Ingest_TwoAtOnceOnAFreshStore_TheSecondWaitsAndFindsEverythingUnchanged()
    {
        _folder.Write("docs/refunds.md", "# Refunds\n\nMoney back within 30 days.");
        _folder.Write("docs/shipping.md", "# Shipping\n\nParcels arrive in two to four days.");
        var gate = new GatedEmbedder(new HashEmbedder(64));

        // The first ingest stops inside its first embedding call, holding the store's lock.
        var first = Create(gate).IngestAsync();
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        var second = Create(new HashEmbedder(64)).IngestAsync();
        await Task.Delay(500);
        Assert.False(second.IsCompleted, "the second ingest ran while the first one was writing the store: " + second.Exception);

        gate.Release();
        var reports = await Task.WhenAll(first, second);

        Assert.Equal((2, 0), (reports[0].Added, reports[0].Unchanged));
        Assert.Equal((0, 2), (reports[1].Added, reports[1].Unchanged));
    }

    [Fact]
    public async Task Search_AnIngestRewritesTheStoreMidSearch_EveryPassageIsFromTheVersionTheSearchBeganOn()
    {
        _folder.Write("docs/refunds.md", "# Refunds\n\nRefund requests within 30 days get the money back.");
        _folder.Write("docs/returns.md", "# Returns\n\nReturn the parcel within 30 days for a refund.");
        await Create(new HashEmbedder(64)).IngestAsync();

        // Between the vector ranking and the keyword ranking of a hybrid search, another ingest replaces both documents
        // (new chunk ids, new text), the way a concurrent `atlas ingest` would.
        var store = new SqliteKnowledgeStore(SqliteKnowledgeBase.StorePath(Descriptor, _folder.Path));
        var interrupted = new InterruptedStore(store, async () =>
        {
            _folder.Write("docs/refunds.md", "# Refunds\n\nRefund requests now take 14 days.");
            _folder.Write("docs/returns.md", "# Returns\n\nReturns are refunded within 14 days.");
            var report = await Create(new HashEmbedder(64)).IngestAsync();
            Assert.Equal(2, report.Updated);
        });
        var searcher = new KnowledgeSearcher("handbook", interrupted, "hash", new HashEmbedder(64));

        var hits = await searcher.SearchAsync("refund within 30 days", new KnowledgeSearchOptions(Top: 5, Mode: SearchMode.Hybrid));

        Assert.True(interrupted.Interrupted);
        Assert.Equal(2, hits.Count);
        Assert.All(hits, h => Assert.Contains("30 days", h.Chunk.Text, StringComparison.Ordinal));

        // The next search sees the new version.
        var after = await new KnowledgeSearcher("handbook", store, "hash", new HashEmbedder(64)).SearchAsync("refund", new KnowledgeSearchOptions(Top: 5, Mode: SearchMode.Keyword));
        Assert.All(after, h => Assert.Contains("14 days", h.Chunk.Text, StringComparison.Ordinal));
    }

    /// <summary>Stops in its first call until <see cref="Release"/>.</summary>
    private sealed class GatedEmbedder(IEmbeddingGenerator<string, Embedding<float>> inner) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            _entered.TrySetResult();
            await _released.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return await base.GenerateAsync(values, options, cancellationToken);
        }
    }

    /// <summary>The store, with <paramref name="interruption"/> run once right after the first vector search.</summary>
    private sealed class InterruptedStore(IKnowledgeStore inner, Func<Task> interruption) : IKnowledgeStore
    {
        public bool Interrupted { get; private set; }

        public string Location => inner.Location;

        public Task<IAsyncDisposable> AcquireIngestLockAsync(CancellationToken cancellationToken = default) => inner.AcquireIngestLockAsync(cancellationToken);

        public Task<IAsyncDisposable> BeginConsistentReadAsync(CancellationToken cancellationToken = default) => inner.BeginConsistentReadAsync(cancellationToken);

        public Task<StoreInfo?> ReadInfoAsync(CancellationToken cancellationToken = default) => inner.ReadInfoAsync(cancellationToken);

        public Task<StoreInfo?> ReadSearchStateAsync(CancellationToken cancellationToken = default) => inner.ReadSearchStateAsync(cancellationToken);

        public Task<bool> PrepareAsync(string embedder, int dimensions, CancellationToken cancellationToken = default) => inner.PrepareAsync(embedder, dimensions, cancellationToken);

        public Task<IReadOnlyDictionary<string, string>> ReadDocumentHashesAsync(CancellationToken cancellationToken = default) => inner.ReadDocumentHashesAsync(cancellationToken);

        public Task ReplaceDocumentAsync(KnowledgeDocument document, IReadOnlyList<TextChunk> chunks, IReadOnlyList<ReadOnlyMemory<float>> vectors, CancellationToken cancellationToken = default) =>
            inner.ReplaceDocumentAsync(document, chunks, vectors, cancellationToken);

        public Task RemoveDocumentAsync(string source, CancellationToken cancellationToken = default) => inner.RemoveDocumentAsync(source, cancellationToken);

        public Task MarkIngestCompletedAsync(DateTimeOffset when, CancellationToken cancellationToken = default) => inner.MarkIngestCompletedAsync(when, cancellationToken);

        public async Task<IReadOnlyList<(long Id, double Score)>> SearchVectorsAsync(ReadOnlyMemory<float> query, int top, IReadOnlyDictionary<string, string>? filters, CancellationToken cancellationToken = default)
        {
            var result = await inner.SearchVectorsAsync(query, top, filters, cancellationToken);
            if (!Interrupted)
            {
                Interrupted = true;
                await interruption();
            }

            return result;
        }

        public Task<IReadOnlyList<(long Id, double Score)>> SearchKeywordsAsync(string query, int top, IReadOnlyDictionary<string, string>? filters, double minimumShouldMatch = 0, CancellationToken cancellationToken = default) =>
            inner.SearchKeywordsAsync(query, top, filters, minimumShouldMatch, cancellationToken);

        public Task<IReadOnlyDictionary<long, StoredChunk>> ReadChunksAsync(IEnumerable<long> ids, CancellationToken cancellationToken = default) => inner.ReadChunksAsync(ids, cancellationToken);
    }
}
