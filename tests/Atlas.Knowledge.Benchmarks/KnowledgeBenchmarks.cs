using System;
using System.IO;
using System.Threading.Tasks;
using Atlas.Embeddings.MiniLM;
using Atlas.Runtime;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Atlas.Knowledge.Benchmarks;

/// <summary>Hybrid / vector / keyword top-10 on a 100,000-chunk store with random unit vectors and a precomputed query vector.</summary>
[MemoryDiagnoser]
[MedianColumn, Q3Column, MaxColumn]
public class QueryLatencyBenchmarks
{
    private KnowledgeSearcher _searcher = null!;
    private string[] _queries = [];
    private int _next;

    [Params(SearchMode.Vector, SearchMode.Keyword, SearchMode.Hybrid)]
    public SearchMode Mode { get; set; } = SearchMode.Hybrid;

    [GlobalSetup]
    public void Setup()
    {
        var store = SyntheticCorpus.BuildStore(Path.Combine(Path.GetTempPath(), "atlas-knowledge-bench", "store-100000.db"), 100_000, "minilm");
        _searcher = new KnowledgeSearcher("bench", store, "minilm", new PrecomputedEmbedder());
        var random = new Random(3);
        _queries = new string[256];
        for (var i = 0; i < _queries.Length; i++)
        {
            _queries[i] = SyntheticCorpus.Query(random);
        }

        _searcher.SearchAsync(_queries[0], new KnowledgeSearchOptions(10, SearchMode.Vector)).GetAwaiter().GetResult();
    }

    [Benchmark]
    public Task Search() => _searcher.SearchAsync(_queries[_next++ % _queries.Length], new KnowledgeSearchOptions(10, Mode));
}

/// <summary>Ingest of 40 Markdown files (about 1,000 chunks of at most 128 word pieces) with the real MiniLM model into a fresh store.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 3)]
public class IngestBenchmarks
{
    private string _folder = string.Empty;
    private MiniLmEmbeddingGenerator _minilm = null!;
    private KnowledgeIngestor _ingestor = null!;
    private string _db = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "atlas-knowledge-bench", "ingest-bdn");
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        SyntheticCorpus.WriteFiles(_folder, files: 40, paragraphs: 50);
        _minilm = new MiniLmEmbeddingGenerator();
        _db = Path.Combine(_folder, "ingest.db");
    }

    [IterationSetup]
    public void FreshStore()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(_folder, "ingest.db*"))
        {
            File.Delete(file);
        }

        _ingestor = new KnowledgeIngestor(_folder, ["docs/*.md"], new TextChunker(new ChunkingOptions(ChunkingStrategy.Recursive, 128, 16), MiniLmEmbeddingGenerator.CreateTokenizer()), new SqliteKnowledgeStore(_db), "minilm", _minilm);
    }

    [Benchmark]
    public Task<IngestReport> Ingest() => _ingestor.IngestAsync();

    [GlobalCleanup]
    public void Cleanup() => _minilm.Dispose();
}
