using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Atlas.Embeddings.MiniLM;
using Atlas.Knowledge;
using Atlas.Knowledge.Benchmarks;
using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "quick")
{
    await QuickAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000).ConfigureAwait(false);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(SyntheticCorpus).Assembly).Run(args);

// Stopwatch percentiles: one process, no BenchmarkDotNet overhead; what the README quotes.
static async Task QuickAsync(int chunks)
{
    var folder = Path.Combine(Path.GetTempPath(), "atlas-knowledge-bench");
    Directory.CreateDirectory(folder);

    using var minilm = new MiniLmEmbeddingGenerator();
    var ingestFolder = Path.Combine(folder, "ingest");
    if (Directory.Exists(ingestFolder))
    {
        Directory.Delete(ingestFolder, recursive: true);
    }

    SyntheticCorpus.WriteFiles(ingestFolder, files: 40, paragraphs: 50);
    var tokenizer = MiniLmEmbeddingGenerator.CreateTokenizer();
    var store = new SqliteKnowledgeStore(Path.Combine(ingestFolder, "ingest.db"));
    var ingestor = new KnowledgeIngestor(ingestFolder, ["docs/*.md"], new TextChunker(new ChunkingOptions("recursive", 128, 16), tokenizer), store, "minilm", minilm);
    var report = await ingestor.IngestAsync().ConfigureAwait(false);
    Console.WriteLine(FormattableString.Invariant($"ingest (minilm, recursive 128/16): {report.ChunksWritten} chunks from {report.Added} files in {report.Elapsed.TotalSeconds:0.0} s = {report.ChunksWritten / report.Elapsed.TotalSeconds:0} chunks/s"));

    var clock = Stopwatch.StartNew();
    var big = SyntheticCorpus.BuildStore(Path.Combine(folder, $"store-{chunks}.db"), chunks, "minilm");
    Console.WriteLine(FormattableString.Invariant($"store of {chunks:N0} chunks (random unit vectors) ready in {clock.Elapsed.TotalSeconds:0.0} s, {new FileInfo(big.Path).Length / 1048576.0:0} MB"));

    var random = new Random(3);
    var queries = Enumerable.Range(0, 300).Select(_ => string.Join(" ", Enumerable.Range(0, 5).Select(_ => SyntheticCorpus.Word(random)))).ToList();
    foreach (var (label, embedder) in new (string, Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>)[] { ("precomputed query vector", new PrecomputedEmbedder()), ("minilm query embedding", minilm) })
    {
        var searcher = new KnowledgeSearcher("bench", big, "minilm", embedder);
        foreach (var mode in new[] { "vector", "keyword", "hybrid" })
        {
            if (label.StartsWith("minilm", StringComparison.Ordinal) && mode == "keyword")
            {
                continue;
            }

            await searcher.SearchAsync(queries[0], new KnowledgeSearchOptions(10, mode)).ConfigureAwait(false); // loads the vectors
            var times = new List<double>();
            foreach (var query in queries)
            {
                var start = Stopwatch.GetTimestamp();
                var hits = await searcher.SearchAsync(query, new KnowledgeSearchOptions(10, mode)).ConfigureAwait(false);
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (hits.Count == 0)
                {
                    throw new InvalidOperationException($"no hits for '{query}'");
                }
            }

            times.Sort();
            Console.WriteLine(FormattableString.Invariant($"{mode,-7} top-10, {label}: p50 {times[times.Count / 2]:0.0} ms, p95 {times[(int)(times.Count * 0.95)]:0.0} ms, max {times[^1]:0.0} ms ({times.Count} queries)"));
        }
    }
}
