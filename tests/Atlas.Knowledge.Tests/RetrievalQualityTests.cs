using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Atlas.Runtime;
using Xunit.Abstractions;

namespace Atlas.Knowledge.Tests;

/// <summary>
/// Retrieval quality on the labelled set in Retrieval/: 210 one-topic passages and 50 queries
/// phrased unlike their relevant passage. Each passage is a file; the whole set goes through the
/// real ingest (MiniLM, SQLite, FTS5) and every mode is scored by recall@5 and MRR@10.
/// </summary>
[Collection(MiniLmCollection.Name)]
public sealed class RetrievalQualityTests(MiniLmFixture model, ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task LabelledSet_EveryMode_HybridAtLeastAsGoodAsTheBetterOfTheTwo()
    {
        var passages = ReadLines<LabelledPassage>("passages.jsonl");
        var queries = ReadLines<LabelledQuery>("queries.jsonl");
        Assert.True(passages.Count >= 200);
        Assert.True(queries.Count >= 50);
        Assert.Equal(passages.Count, passages.Select(p => p.Id).Distinct().Count());
        Assert.All(queries, q => Assert.Contains(passages, p => p.Id == q.Relevant));
        foreach (var passage in passages)
        {
            _folder.Write($"corpus/{passage.Id}.txt", passage.Text);
        }

        var kb = SqliteKnowledgeBase.Create(
            new KnowledgeDescriptor("labelled", ["corpus/*.txt"], "recursive", 256, 0, "minilm", "sqlite", "labelled.db"),
            _folder.Path,
            model.Embedder,
            model.Tokenizer);
        var report = await kb.IngestAsync();
        Assert.Equal(passages.Count, report.ChunksWritten);

        // For comparison: RRF over the ungated keyword ranking (any one shared word enters it).
        var plainRrf = new KnowledgeSearcher("labelled", kb.Store, "minilm", model.Embedder) { HybridKeywordWeight = 1.0, HybridMinimumShouldMatch = 0 };
        var scores = new Dictionary<string, (double Recall5, double Mrr)>();
        foreach (var mode in new[] { "vector", "keyword", "hybrid", "hybrid, ungated" })
        {
            double found = 0, reciprocal = 0;
            foreach (var query in queries)
            {
                var hits = mode == "hybrid, ungated"
                    ? await plainRrf.SearchAsync(query.Query, new KnowledgeSearchOptions(Top: 10, Mode: "hybrid"))
                    : await kb.SearchAsync(query.Query, new KnowledgeSearchOptions(Top: 10, Mode: mode));
                var rank = hits.Select(h => Path.GetFileNameWithoutExtension(h.Chunk.Source)).ToList().IndexOf(query.Relevant) + 1;
                found += rank is > 0 and <= 5 ? 1 : 0;
                reciprocal += rank > 0 ? 1.0 / rank : 0;
            }

            scores[mode] = (found / queries.Count, reciprocal / queries.Count);
            var line = FormattableString.Invariant($"{mode,-18} recall@5 = {scores[mode].Recall5:0.000}  MRR@10 = {scores[mode].Mrr:0.000}  ({queries.Count} queries, {passages.Count} passages)");
            output.WriteLine(line);
            Console.WriteLine(line);
        }

        Assert.True(scores["hybrid"].Recall5 >= Math.Max(scores["vector"].Recall5, scores["keyword"].Recall5), "hybrid recall@5 below the better single mode");
        Assert.True(scores["vector"].Recall5 >= 0.80, "vector recall@5 floor");
        Assert.True(scores["keyword"].Recall5 >= 0.40, "keyword recall@5 floor");
        Assert.True(scores["hybrid"].Recall5 >= 0.85, "hybrid recall@5 floor");
        Assert.True(scores["hybrid"].Mrr >= 0.65, "hybrid MRR floor");
    }

    private static List<T> ReadLines<T>(string file) =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Retrieval", file))
            .Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<T>(l, new JsonSerializerOptions(JsonSerializerDefaults.Web))!)
            .ToList();

    private sealed record LabelledPassage(string Id, string Text);

    private sealed record LabelledQuery(string Query, string Relevant);
}
