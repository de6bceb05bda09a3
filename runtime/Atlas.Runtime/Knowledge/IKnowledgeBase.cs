using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>How a knowledge search ranks chunks (spec/language.md §10).</summary>
public enum SearchMode
{
    /// <summary><c>hybrid</c>: vector and keyword rankings fused by reciprocal rank.</summary>
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
public sealed record SearchOptions(int Top = 5, SearchMode Mode = SearchMode.Hybrid, double? MinScore = null, IReadOnlyDictionary<string, string>? Where = null)
{
    /// <summary>The <see cref="Where"/> of <c>kb.search(q, source = "docs/*", heading = "Refunds*")</c>: key → pattern (generated code calls it).</summary>
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
public interface IKnowledgeBase
{
    Task<IReadOnlyList<Passage>> SearchAsync(string query, SearchOptions options, CancellationToken cancellationToken);
}
