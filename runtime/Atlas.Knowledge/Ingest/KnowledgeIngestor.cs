using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Knowledge;

/// <summary>
/// Brings a store up to date with the files matching a knowledge base's source globs:
/// unchanged files (same SHA-256) are skipped, changed ones replace their chunks, files no longer
/// there are removed, and files that can't be ingested are reported and skipped.
/// </summary>
/// <remarks>
/// Each document is written in its own transaction after its chunks are embedded, so an ingest
/// killed half-way leaves every document either fully old or fully new, and the next ingest
/// finishes the rest (their hashes still differ). Chunks of consecutive documents are embedded
/// together, <see cref="EmbeddingBatchSize"/> at a time. Ingests of one store take turns, across processes
/// (<see cref="IKnowledgeStore.AcquireIngestLockAsync"/>).
/// </remarks>
public sealed class KnowledgeIngestor
{
    private readonly string _baseDirectory;
    private readonly IReadOnlyList<string> _sources;
    private readonly TextChunker _chunker;
    private readonly IKnowledgeStore _store;
    private readonly string _embedderName;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;

    /// <summary>An ingestor that writes the files <paramref name="sources"/> match into <paramref name="store"/>.</summary>
    /// <param name="baseDirectory">The folder the globs and the documents' source paths are relative to.</param>
    /// <param name="sources">The knowledge base's <c>sources</c> globs.</param>
    /// <param name="chunker">Cuts each document into chunks.</param>
    /// <param name="store">The store to bring up to date (not owned).</param>
    /// <param name="embedderName">The name the store records for the embedder; a store recorded with another is rebuilt.</param>
    /// <param name="embedder">Computes the chunks' vectors (not owned).</param>
    /// <exception cref="ArgumentException"><paramref name="baseDirectory"/> or <paramref name="embedderName"/> is empty.</exception>
    /// <exception cref="ArgumentNullException">Another argument is <see langword="null"/>.</exception>
    public KnowledgeIngestor(
        string baseDirectory,
        IReadOnlyList<string> sources,
        TextChunker chunker,
        IKnowledgeStore store,
        string embedderName,
        IEmbeddingGenerator<string, Embedding<float>> embedder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseDirectory);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(chunker);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(embedderName);
        ArgumentNullException.ThrowIfNull(embedder);
        _baseDirectory = Path.GetFullPath(baseDirectory);
        _sources = sources;
        _chunker = chunker;
        _store = store;
        _embedderName = embedderName;
        _embedder = embedder;
    }

    /// <summary>Files larger than this are skipped as too large.</summary>
    public long MaxFileBytes { get; init; } = DocumentReader.DefaultMaxBytes;

    /// <summary>Chunks embedded per call to the embedder.</summary>
    public int EmbeddingBatchSize { get; init; } = 64;

    /// <summary>The files the source globs match, full paths in ordinal order.</summary>
    public IReadOnlyList<string> MatchFiles() => KnowledgeSources.Match(_baseDirectory, _sources);

    /// <summary>Brings the store up to date with the source files; see the class remarks.</summary>
    /// <remarks>
    /// A document the embedder fails on (a provider's error status, a refused connection) is reported in
    /// <see cref="IngestReport.Skipped"/> and left as the store had it; the others go on. The vectors' dimension is
    /// the embedder's declared one, or the stored one when this embedder built the store (checked against the first
    /// batch, or a probe call when nothing changed), or else learned from the first batch (a store built by another
    /// embedder is rebuilt only once vectors for it exist); a store whose size no longer matches is rebuilt.
    /// </remarks>
    /// <param name="progress">Told after each file; <see langword="null"/> for no reports.</param>
    /// <param name="cancellationToken">Cancels the ingest; the documents already written stay written.</param>
    /// <returns>What the ingest did.</returns>
    /// <exception cref="KnowledgeStoreUnavailableException">The store's server could not be reached.</exception>
    public async Task<IngestReport> IngestAsync(IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        // Two ingests of one store at once (two `atlas run`s on a fresh clone) would each embed and write every document,
        // and a search between their writes would read a store half of one and half of the other: they take turns, and
        // the second finds everything unchanged.
        await using var ingestLock = await _store.AcquireIngestLockAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var report = await IngestOnceAsync(progress, clock, cancellationToken).ConfigureAwait(false);
            return report with { UnmatchedSources = KnowledgeSources.Unmatched(_baseDirectory, _sources) };
        }
        catch (DimensionsChangedException)
        {
            // The embedder now returns vectors of another size than the store it built (its model changed):
            // the store was emptied for the new size, so ingest everything again.
            var report = await IngestOnceAsync(progress, clock, cancellationToken).ConfigureAwait(false);
            return report with { Rebuilt = true, UnmatchedSources = KnowledgeSources.Unmatched(_baseDirectory, _sources) };
        }
    }

    private async Task<IngestReport> IngestOnceAsync(IProgress<IngestProgress>? progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        var files = MatchFiles();
        var declared = _embedder.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions is { } d and > 0 ? d : (int?)null;
        var info = await _store.ReadSearchStateAsync(cancellationToken).ConfigureAwait(false);
        int? dimensions = declared ?? (info is not null && info.Embedder == _embedderName ? info.Dimensions : null);
        var rebuilt = false;
        IReadOnlyDictionary<string, string> stored = new Dictionary<string, string>(StringComparer.Ordinal);
        if (dimensions is { } known)
        {
            rebuilt = await _store.PrepareAsync(_embedderName, known, cancellationToken).ConfigureAwait(false);
            stored = await _store.ReadDocumentHashesAsync(cancellationToken).ConfigureAwait(false);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var skipped = new List<IngestSkip>();
        int added = 0, updated = 0, unchanged = 0, removed = 0, chunksWritten = 0, done = 0;
        var pending = new List<(KnowledgeDocument Document, IReadOnlyList<TextChunk> Chunks)>();
        var pendingChunks = 0;
        var embeddedAny = false;

        async Task FlushAsync()
        {
            if (pending.Count == 0)
            {
                return;
            }

            var embedded = await EmbedDocumentsAsync(pending, cancellationToken).ConfigureAwait(false);
            embeddedAny |= embedded.Any(e => e.Vectors is not null);
            foreach (var ((document, chunks), result) in pending.Zip(embedded))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (result.Vectors is not { } vectors)
                {
                    skipped.Add(new IngestSkip(document.Source, result.Error!));
                    progress?.Report(new IngestProgress(++done, files.Count, document.Source, "skipped", chunksWritten));
                    continue;
                }

                if (dimensions is null)
                {
                    // The first vectors tell the dimension; only now is a store of another embedder emptied.
                    dimensions = vectors[0].Length;
                    rebuilt = await _store.PrepareAsync(_embedderName, dimensions.Value, cancellationToken).ConfigureAwait(false);
                }
                else if (declared is null && vectors[0].Length != dimensions)
                {
                    await _store.PrepareAsync(_embedderName, vectors[0].Length, cancellationToken).ConfigureAwait(false);
                    throw new DimensionsChangedException();
                }

                await _store.ReplaceDocumentAsync(document, chunks, vectors, cancellationToken).ConfigureAwait(false);
                chunksWritten += chunks.Count;
                var isUpdate = stored.ContainsKey(document.Source);
                if (isUpdate)
                {
                    updated++;
                }
                else
                {
                    added++;
                }

                progress?.Report(new IngestProgress(++done, files.Count, document.Source, isUpdate ? "updated" : "added", chunksWritten));
            }

            pending.Clear();
            pendingChunks = 0;
        }

        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var document = DocumentReader.TryRead(file, _baseDirectory, MaxFileBytes, out var error);
            var source = Path.GetRelativePath(_baseDirectory, file).Replace('\\', '/');
            seen.Add(source);
            if (document is null)
            {
                skipped.Add(new IngestSkip(source, error ?? "unreadable"));
                progress?.Report(new IngestProgress(++done, files.Count, source, "skipped", chunksWritten));
                continue;
            }

            if (stored.TryGetValue(source, out var hash) && hash == document.Hash)
            {
                unchanged++;
                progress?.Report(new IngestProgress(++done, files.Count, source, "unchanged", chunksWritten));
                continue;
            }

            var chunks = _chunker.Chunk(document.Text, document.Format);
            if (chunks.Count == 0)
            {
                skipped.Add(new IngestSkip(source, "empty"));
                progress?.Report(new IngestProgress(++done, files.Count, source, "skipped", chunksWritten));
                continue;
            }

            pending.Add((document, chunks));
            pendingChunks += chunks.Count;
            if (pendingChunks >= EmbeddingBatchSize)
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }

        await FlushAsync().ConfigureAwait(false);

        if (declared is null && dimensions is not null && !embeddedAny)
        {
            // Nothing needed embedding, so nothing showed whether the embedder still returns the stored size (its model may
            // have changed): one probe call tells, or, if the embedder is unreachable, the store is kept as it is.
            int? now = null;
            try
            {
                now = await ProbeDimensionsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsEmbeddingFailure(ex, cancellationToken))
            {
            }

            if (now is { } size && size != dimensions)
            {
                await _store.PrepareAsync(_embedderName, size, cancellationToken).ConfigureAwait(false);
                throw new DimensionsChangedException();
            }
        }

        if (dimensions is null)
        {
            if (skipped.Count > 0)
            {
                // Nothing was embedded and something failed: leave the store as it was (another embedder's, or none).
                return new IngestReport(added, updated, unchanged, removed, chunksWritten, skipped, rebuilt, clock.Elapsed);
            }

            // Nothing to embed at all: one probe call tells the dimension of the (empty) store.
            rebuilt = await _store.PrepareAsync(_embedderName, await ProbeDimensionsAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }

        // A file that vanished (or no longer matches) goes; one that is still there but now fails to read keeps its last good version.
        foreach (var source in stored.Keys.Where(s => !seen.Contains(s)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await _store.RemoveDocumentAsync(source, cancellationToken).ConfigureAwait(false);
            removed++;
            progress?.Report(new IngestProgress(done, files.Count, source, "removed", chunksWritten));
        }

        await _store.MarkIngestCompletedAsync(DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
        return new IngestReport(added, updated, unchanged, removed, chunksWritten, skipped, rebuilt, clock.Elapsed);
    }

    /// <summary>
    /// The vectors of each document's chunks, <see cref="EmbeddingBatchSize"/> per call across documents; when a call
    /// fails, each document of the failed call is embedded on its own, so one that the provider rejects fails alone.
    /// </summary>
    private async Task<IReadOnlyList<(IReadOnlyList<ReadOnlyMemory<float>>? Vectors, string? Error)>> EmbedDocumentsAsync(
        IReadOnlyList<(KnowledgeDocument Document, IReadOnlyList<TextChunk> Chunks)> documents,
        CancellationToken cancellationToken)
    {
        var texts = documents.SelectMany(p => p.Chunks.Select(c => c.Text)).ToList();
        try
        {
            var all = await EmbedAsync(texts, cancellationToken).ConfigureAwait(false);
            var results = new List<(IReadOnlyList<ReadOnlyMemory<float>>?, string?)>(documents.Count);
            var offset = 0;
            foreach (var (_, chunks) in documents)
            {
                results.Add((all.GetRange(offset, chunks.Count), null));
                offset += chunks.Count;
            }

            return results;
        }
        catch (Exception ex) when (IsEmbeddingFailure(ex, cancellationToken))
        {
            if (documents.Count == 1)
            {
                return [(null, EmbeddingError(ex))];
            }
        }

        var separately = new List<(IReadOnlyList<ReadOnlyMemory<float>>?, string?)>(documents.Count);
        foreach (var (_, chunks) in documents)
        {
            try
            {
                separately.Add((await EmbedAsync(chunks.Select(c => c.Text).ToList(), cancellationToken).ConfigureAwait(false), null));
            }
            catch (Exception ex) when (IsEmbeddingFailure(ex, cancellationToken))
            {
                separately.Add((null, EmbeddingError(ex)));
            }
        }

        return separately;
    }

    private async Task<List<ReadOnlyMemory<float>>> EmbedAsync(List<string> texts, CancellationToken cancellationToken)
    {
        var vectors = new List<ReadOnlyMemory<float>>(texts.Count);
        for (var start = 0; start < texts.Count; start += EmbeddingBatchSize)
        {
            var batch = texts.GetRange(start, Math.Min(EmbeddingBatchSize, texts.Count - start));
            var embeddings = await _embedder.GenerateAsync(batch, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != batch.Count)
            {
                throw new InvalidOperationException($"the embedder returned {embeddings.Count} vectors for {batch.Count} chunks");
            }

            vectors.AddRange(embeddings.Select(e => e.Vector));
        }

        return vectors;
    }

    private static bool IsEmbeddingFailure(Exception error, CancellationToken cancellationToken) =>
        !(error is OperationCanceledException && cancellationToken.IsCancellationRequested);

    /// <summary>The first line of the embedder's error: a provider's message names it and its status, never a key.</summary>
    private static string EmbeddingError(Exception error)
    {
        var message = error.Message.Split('\n', 2)[0].Trim();
        return "embedding failed: " + (message.Length > 300 ? message[..300] + "..." : message);
    }

    private sealed class DimensionsChangedException : Exception;

    private async Task<int> ProbeDimensionsAsync(CancellationToken cancellationToken)
    {
        var probe = await _embedder.GenerateAsync(["dimension probe"], cancellationToken: cancellationToken).ConfigureAwait(false);
        return probe[0].Vector.Length;
    }
}
