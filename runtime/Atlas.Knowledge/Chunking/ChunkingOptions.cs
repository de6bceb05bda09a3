using System;

namespace Atlas.Knowledge;

/// <summary>
/// How documents are cut: <see cref="Strategy"/> is fixed | recursive | markdown; <see cref="Size"/>
/// and <see cref="Overlap"/> are in tokens (markdown ignores <see cref="Overlap"/> between sections
/// but uses it when a long section is cut further).
/// </summary>
/// <param name="Strategy"><c>fixed</c>, <c>recursive</c> or <c>markdown</c>.</param>
/// <param name="Size">The most tokens in a chunk, above 0.</param>
/// <param name="Overlap">How many tokens consecutive chunks share, from 0 to below <paramref name="Size"/>.</param>
public sealed record ChunkingOptions(string Strategy = "recursive", int Size = 800, int Overlap = 100)
{
    /// <summary>Throws <see cref="ArgumentException"/> for an unknown strategy or sizes the checker would reject.</summary>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentException">The strategy is unknown, the size is not positive, or the overlap is outside [0, size).</exception>
    public ChunkingOptions Validate()
    {
        if (Strategy is not ("fixed" or "recursive" or "markdown"))
        {
            throw new ArgumentException($"Unknown chunking strategy '{Strategy}'; expected fixed, recursive or markdown.");
        }

        if (Size <= 0)
        {
            throw new ArgumentException($"Chunk size must be positive (got {Size}).");
        }

        if (Overlap < 0 || Overlap >= Size)
        {
            throw new ArgumentException($"Chunk overlap must be in [0, size) (got {Overlap} with size {Size}).");
        }

        return this;
    }
}
