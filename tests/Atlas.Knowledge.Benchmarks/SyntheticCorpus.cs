using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Knowledge.Benchmarks;

/// <summary>
/// Deterministic synthetic text: 5,000 pronounceable words drawn with a Zipf distribution (as in
/// real prose, a few words are everywhere and most are rare), and random unit vectors standing in for
/// embeddings where embedding 100,000 chunks with MiniLM on two cores would take too long.
/// </summary>
public static class SyntheticCorpus
{
    public const int Dimensions = 384;
    private static readonly string[] Syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "de", "ba", "po", "gu", "fe", "ri", "zo", "an", "el", "or", "ul", "is"];
    private static readonly string[] Vocabulary = BuildVocabulary(5000);
    private static readonly double[] Cumulative = BuildZipf(Vocabulary.Length);

    public static string Sentence(Random random, int words)
    {
        var text = new StringBuilder();
        for (var i = 0; i < words; i++)
        {
            text.Append(i == 0 ? string.Empty : " ").Append(Word(random));
        }

        return text.Append('.').ToString();
    }

    /// <summary>
    /// Five content words: ranks past the 100 most frequent, which in this Zipf vocabulary play the
    /// part of stop words (the top word is in nearly every chunk) that a real query loses to the stop list.
    /// </summary>
    public static string Query(Random random) =>
        string.Join(" ", Enumerable.Range(0, 5).Select(_ => Vocabulary[100 + random.Next(Vocabulary.Length - 100)]));

    public static string Word(Random random)
    {
        var index = Array.BinarySearch(Cumulative, random.NextDouble());
        return Vocabulary[Math.Clamp(index < 0 ? ~index : index, 0, Vocabulary.Length - 1)];
    }

    public static float[] UnitVector(Random random)
    {
        var vector = new float[Dimensions];
        double norm = 0;
        for (var i = 0; i < vector.Length; i++)
        {
            // Box–Muller: a Gaussian vector, normalized, is uniform on the sphere.
            vector[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            norm += vector[i] * vector[i];
        }

        var scale = (float)(1 / Math.Sqrt(norm));
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }

        return vector;
    }

    /// <summary>A store of <paramref name="chunks"/> chunks (100 per document, ~60 words each) with random unit vectors, recorded as built by <paramref name="embedder"/>; reused if already there.</summary>
    public static SqliteKnowledgeStore BuildStore(string path, int chunks, string embedder)
    {
        var store = new SqliteKnowledgeStore(path);
        if (store.ReadInfo() is { IngestCompleted: true } info && info.Chunks == chunks)
        {
            return store;
        }

        if (File.Exists(path))
        {
            File.Delete(path);
        }

        store.Prepare(embedder, Dimensions);
        var random = new Random(42);
        const int perDocument = 100;
        for (var d = 0; d < chunks / perDocument; d++)
        {
            var source = $"docs/doc{d:D5}.md";
            var document = new KnowledgeDocument(source, source, d.ToString("x64", System.Globalization.CultureInfo.InvariantCulture), "markdown", string.Empty, new Dictionary<string, string> { ["source"] = source });
            var list = new List<TextChunk>(perDocument);
            var vectors = new List<ReadOnlyMemory<float>>(perDocument);
            for (var c = 0; c < perDocument; c++)
            {
                list.Add(new TextChunk(c, Sentence(random, 30) + " " + Sentence(random, 30), 80, $"Section {c / 10}"));
                vectors.Add(UnitVector(random));
            }

            store.ReplaceDocument(document, list, vectors);
        }

        store.MarkIngestCompleted(DateTimeOffset.UtcNow);
        return store;
    }

    /// <summary>Markdown files for the ingest benchmark: <paramref name="files"/> files of <paramref name="paragraphs"/> paragraphs each.</summary>
    public static void WriteFiles(string folder, int files, int paragraphs)
    {
        var random = new Random(7);
        for (var f = 0; f < files; f++)
        {
            var text = new StringBuilder($"# Document {f}\n\n");
            for (var p = 0; p < paragraphs; p++)
            {
                text.Append(Sentence(random, 25)).Append(' ').Append(Sentence(random, 25)).Append("\n\n");
            }

            var path = Path.Combine(folder, "docs", $"file{f:D4}.md");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text.ToString());
        }
    }

    private static string[] BuildVocabulary(int count)
    {
        var random = new Random(1);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (words.Count < count)
        {
            var length = random.Next(2, 5);
            words.Add(string.Concat(Enumerable.Range(0, length).Select(_ => Syllables[random.Next(Syllables.Length)])));
        }

        return words.ToArray();
    }

    private static double[] BuildZipf(int count)
    {
        var weights = Enumerable.Range(1, count).Select(r => 1.0 / r).ToArray();
        var total = weights.Sum();
        var cumulative = new double[count];
        double running = 0;
        for (var i = 0; i < count; i++)
        {
            running += weights[i] / total;
            cumulative[i] = running;
        }

        return cumulative;
    }
}

/// <summary>An embedder that answers a fixed random unit vector per text: query latency without the model's cost.</summary>
public sealed class PrecomputedEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(SyntheticCorpus.UnitVector(new Random(StableHash(v)))))));

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    private static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }
}
