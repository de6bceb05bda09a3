using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Atlas.Embeddings.MiniLM;
using Atlas.Knowledge;
using Atlas.Knowledge.Benchmarks;
using Atlas.Runtime;
using BenchmarkDotNet.Running;
using Microsoft.Extensions.AI;

if (args.Length > 0 && args[0] == "quick")
{
    var chunkCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
    var ingestFiles = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 40;
    await QuickAsync(chunkCount, ingestFiles).ConfigureAwait(false);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(SyntheticCorpus).Assembly).Run(args);

// Stopwatch percentiles in one process, no BenchmarkDotNet overhead: `quick [chunks] [ingest files]` (0 files skips ingest).
static async Task QuickAsync(int chunks, int ingestFiles)
{
    var folder = Path.Combine(Path.GetTempPath(), "atlas-knowledge-bench");
    Directory.CreateDirectory(folder);
    using var minilm = new MiniLmEmbeddingGenerator();
    if (ingestFiles > 0)
    {
        await IngestAsync(minilm, Path.Combine(folder, "ingest"), ingestFiles).ConfigureAwait(false);
    }

    var clock = Stopwatch.StartNew();
    var big = SyntheticCorpus.BuildStore(Path.Combine(folder, $"store-{chunks}.db"), chunks, "minilm");
    Console.WriteLine(FormattableString.Invariant($"store of {chunks:N0} chunks (random unit vectors) ready in {clock.Elapsed.TotalSeconds:0.0} s, {new FileInfo(big.Path).Length / 1048576.0:0} MB"));

    var random = new Random(3);
    var queries = Enumerable.Range(0, 300).Select(_ => SyntheticCorpus.Query(random)).ToList();
    foreach (var (label, embedder) in new (string, IEmbeddingGenerator<string, Embedding<float>>)[] { ("precomputed query vector", new PrecomputedEmbedder()), ("minilm query embedding", minilm) })
    {
        var searcher = new KnowledgeSearcher("bench", big, "minilm", embedder);
        foreach (var mode in new[] { SearchMode.Vector, SearchMode.Keyword, SearchMode.Hybrid })
        {
            if (label.StartsWith("minilm", StringComparison.Ordinal) && mode == SearchMode.Keyword)
            {
                continue;
            }

            await searcher.SearchAsync(queries[0], new KnowledgeSearchOptions(10, mode)).ConfigureAwait(false); // loads the vectors
            var times = new List<double>();
            var empty = 0;
            foreach (var query in queries)
            {
                var start = Stopwatch.GetTimestamp();
                var hits = await searcher.SearchAsync(query, new KnowledgeSearchOptions(10, mode)).ConfigureAwait(false);
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                empty += hits.Count == 0 ? 1 : 0;
            }

            times.Sort();
            Console.WriteLine(FormattableString.Invariant($"{mode.ToString().ToLowerInvariant(),-7} top-10, {label}: p50 {times[times.Count / 2]:0.0} ms, p95 {times[(int)(times.Count * 0.95)]:0.0} ms, max {times[^1]:0.0} ms ({times.Count} queries, {empty} without hits)"));
        }
    }
}

static async Task IngestAsync(MiniLmEmbeddingGenerator minilm, string ingestFolder, int files)
{
    if (Directory.Exists(ingestFolder))
    {
        Directory.Delete(ingestFolder, recursive: true);
    }

    SyntheticCorpus.WriteFiles(ingestFolder, files, paragraphs: 50);
    var store = new SqliteKnowledgeStore(Path.Combine(ingestFolder, "ingest.db"));
    var ingestor = new KnowledgeIngestor(ingestFolder, ["docs/*.md"], new TextChunker(new ChunkingOptions(ChunkingStrategy.Recursive, 128, 16), MiniLmEmbeddingGenerator.CreateTokenizer()), store, "minilm", minilm);
    var report = await ingestor.IngestAsync().ConfigureAwait(false);
    Console.WriteLine(FormattableString.Invariant($"ingest (minilm, recursive 128/16): {report.ChunksWritten} chunks from {report.Added} files in {report.Elapsed.TotalSeconds:0.0} s = {report.ChunksWritten / report.Elapsed.TotalSeconds:0.0} chunks/s"));
}
