using System;
using Atlas.Runtime;

namespace Atlas.Knowledge;

/// <summary>
/// How documents are cut: <see cref="Strategy"/> is fixed, recursive or markdown; <see cref="Size"/>
/// and <see cref="Overlap"/> are in tokens (markdown ignores <see cref="Overlap"/> between sections
/// but uses it when a long section is cut further).
/// </summary>
public sealed record ChunkingOptions(ChunkingStrategy Strategy = ChunkingStrategy.Recursive, int Size = 800, int Overlap = 100)
{
    /// <summary>Throws <see cref="ArgumentException"/> for an unknown strategy or sizes the checker would reject.</summary>
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
