using System;
using Atlas.Runtime;

namespace Atlas.Knowledge;

/// <summary>
/// How documents are cut: <see cref="Strategy"/> is fixed, recursive or markdown; <see cref="Size"/>
/// and <see cref="Overlap"/> are in tokens (markdown ignores <see cref="Overlap"/> between sections
/// but uses it when a long section is cut further).
/// </summary>
/// <param name="Strategy">How documents are cut: fixed, recursive or markdown.</param>
/// <param name="Size">The most tokens in a chunk, above 0.</param>
/// <param name="Overlap">How many tokens consecutive chunks share, from 0 to below <paramref name="Size"/>.</param>
public sealed record ChunkingOptions(ChunkingStrategy Strategy = ChunkingStrategy.Recursive, int Size = 800, int Overlap = 100)
{
    /// <summary>Throws <see cref="ArgumentException"/> for an unknown strategy or sizes the checker would reject.</summary>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentException">The strategy is unknown, the size is not positive, or the overlap is outside [0, size).</exception>
    public ChunkingOptions Validate()
    {
        if (!Enum.IsDefined(Strategy))
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
