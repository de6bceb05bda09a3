using System;

namespace Atlas.Runtime;

/// <summary>Okapi BM25 (k1 = 1.2, b = 0.75), for a store that ranks keywords itself (Chroma; SQLite's FTS5 has its own).</summary>
public static class Bm25
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    /// <summary>
    /// One query term's contribution to a chunk's score: it occurs <paramref name="termFrequency"/> times in a chunk of
    /// <paramref name="length"/> words, and in <paramref name="documentFrequency"/> of <paramref name="chunks"/> chunks
    /// whose mean length is <paramref name="averageLength"/>.
    /// </summary>
    /// <param name="termFrequency">How often the term occurs in the chunk.</param>
    /// <param name="documentFrequency">How many chunks of the store hold the term.</param>
    /// <param name="chunks">How many chunks the store holds.</param>
    /// <param name="length">The chunk's length in words.</param>
    /// <param name="averageLength">The mean length of the store's chunks, in words.</param>
    /// <returns>The term's score; a chunk's score is the sum over the query's terms.</returns>
    public static double TermScore(double termFrequency, double documentFrequency, double chunks, double length, double averageLength)
    {
        var idf = Math.Log(1 + ((chunks - documentFrequency + 0.5) / (documentFrequency + 0.5)));
        return idf * (termFrequency * (K1 + 1)) / (termFrequency + (K1 * (1 - B + (B * length / averageLength))));
    }
}
