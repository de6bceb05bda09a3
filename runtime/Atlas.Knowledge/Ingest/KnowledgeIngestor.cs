using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.FileSystemGlobbing;

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
/// together, <see cref="EmbeddingBatchSize"/> at a time. Not meant to run twice at once on one store.
/// </remarks>
public sealed class KnowledgeIngestor
{
    private readonly string _baseDirectory;
    private readonly IReadOnlyList<string> _sources;
    private readonly TextChunker _chunker;
    private readonly IKnowledgeStore _store;
    private readonly string _embedderName;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;

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
    public IReadOnlyList<string> MatchFiles()
    {
        var matcher = new Matcher(StringComparison.OrdinalIgnoreCase);
        foreach (var source in _sources)
        {
            matcher.AddInclude(source.Replace('\\', '/'));
        }

        return Directory.Exists(_baseDirectory)
            ? matcher.GetResultsInFullPath(_baseDirectory).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    public async Task<IngestReport> IngestAsync(IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var files = MatchFiles();
        var dimensions = await GetDimensionsAsync(cancellationToken).ConfigureAwait(false);
        var rebuilt = await _store.PrepareAsync(_embedderName, dimensions, cancellationToken).ConfigureAwait(false);
        var stored = await _store.ReadDocumentHashesAsync(cancellationToken).ConfigureAwait(false);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var skipped = new List<IngestSkip>();
        int added = 0, updated = 0, unchanged = 0, removed = 0, chunksWritten = 0, done = 0;
        var pending = new List<(KnowledgeDocument Document, IReadOnlyList<TextChunk> Chunks)>();
        var pendingChunks = 0;

        async Task FlushAsync()
        {
            if (pending.Count == 0)
            {
                return;
            }

            var texts = pending.SelectMany(p => p.Chunks.Select(c => c.Text)).ToList();
            var vectors = new List<ReadOnlyMemory<float>>(texts.Count);
            for (var start = 0; start < texts.Count; start += EmbeddingBatchSize)
            {
                var batch = texts.GetRange(start, Math.Min(EmbeddingBatchSize, texts.Count - start));
                var embeddings = await _embedder.GenerateAsync(batch, cancellationToken: cancellationToken).ConfigureAwait(false);
                vectors.AddRange(embeddings.Select(e => e.Vector));
            }

            var offset = 0;
            foreach (var (document, chunks) in pending)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await _store.ReplaceDocumentAsync(document, chunks, vectors.GetRange(offset, chunks.Count), cancellationToken).ConfigureAwait(false);
                offset += chunks.Count;
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

    private async Task<int> GetDimensionsAsync(CancellationToken cancellationToken)
    {
        if (_embedder.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions is { } known and > 0)
        {
            return known;
        }

        // A provider that doesn't say: one probe call tells.
        var probe = await _embedder.GenerateAsync(["dimension probe"], cancellationToken: cancellationToken).ConfigureAwait(false);
        return probe[0].Vector.Length;
    }
}
