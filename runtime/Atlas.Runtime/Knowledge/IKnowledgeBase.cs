using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>How a knowledge search ranks chunks (spec/language.md §10).</summary>
public enum SearchMode
{
    /// <summary><c>hybrid</c>: the vector, keyword and rare-term rankings fused by reciprocal rank.</summary>
    Hybrid,

    /// <summary><c>vector</c>: by cosine similarity of the embeddings.</summary>
    Vector,

    /// <summary><c>keyword</c>: by BM25 over the chunks' text and headings.</summary>
    Keyword,
}

/// <summary>
/// Options of one <c>kb.search(...)</c>: how many passages (<see cref="Top"/>), how they are ranked (<see cref="Mode"/>), the
/// least score kept; <see cref="Where"/> keeps passages whose metadata key equals its value, or matches it as a glob when
/// the value holds <c>*</c> or <c>?</c>.
/// </summary>
/// <param name="Top">The most passages to return (at least 1).</param>
/// <param name="Mode">How passages are ranked; <see cref="SearchMode.Hybrid"/> by default.</param>
/// <param name="MinScore">Passages scoring below it are dropped (on the mode's own scale); <see langword="null"/> keeps all.</param>
/// <param name="Where">Metadata filters, all of which must match (see <see cref="Match"/>); <see langword="null"/> for none.</param>
public sealed record SearchOptions(int Top = 5, SearchMode Mode = SearchMode.Hybrid, double? MinScore = null, IReadOnlyDictionary<string, string>? Where = null)
{
    /// <summary>The <see cref="Where"/> of <c>kb.search(q, source = "docs/*", heading = "Refunds*")</c>: key → pattern (generated code calls it).</summary>
    /// <param name="filters">Metadata keys (<c>source</c>, <c>heading</c>, <c>title</c>, <c>format</c>, <c>extension</c>) and the value or glob each must match; a later duplicate key wins.</param>
    /// <returns>A new dictionary of the filters, ordinal keys.</returns>
    /// <exception cref="System.ArgumentNullException"><paramref name="filters"/> is <see langword="null"/>.</exception>
    public static IReadOnlyDictionary<string, string> Match(params (string Key, string Pattern)[] filters)
    {
        System.ArgumentNullException.ThrowIfNull(filters);
        var where = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (var (key, pattern) in filters)
        {
            where[key] = pattern;
        }

        return where;
    }
}

/// <summary>A searchable knowledge base. Implementations are thread-safe.</summary>
/// <remarks>
/// The runtime asks for one per declared <c>knowledge</c> block (<see cref="AtlasRuntimeOptions.Knowledge"/>, or
/// <see cref="AtlasRuntimeOptions.KnowledgeFactory"/>) and calls it for each <c>kb.search(...)</c> of every run, concurrently.
/// </remarks>
public interface IKnowledgeBase
{
    /// <summary>Finds the passages that best answer <paramref name="query"/>.</summary>
    /// <param name="query">The text to search for, as the workflow computed it.</param>
    /// <param name="options">How many passages, which ranking, the lowest score kept and the metadata filters.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>At most <see cref="SearchOptions.Top"/> passages, best first; empty when nothing matches.</returns>
    /// <remarks>
    /// An implementation throws when it cannot answer (a store never ingested, unreachable, or built with another embedder),
    /// with a message naming the knowledge base: the step that searched fails with that message.
    /// </remarks>
    Task<IReadOnlyList<Passage>> SearchAsync(string query, SearchOptions options, CancellationToken cancellationToken);
}
