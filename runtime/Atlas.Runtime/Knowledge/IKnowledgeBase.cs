using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>
/// Options of one <c>kb.search(...)</c>: <see cref="Mode"/> is hybrid | vector | keyword; <see cref="Where"/> keeps passages
/// whose metadata key equals its value, or matches it as a glob when the value holds <c>*</c> or <c>?</c>.
/// </summary>
public sealed record SearchOptions(int Top = 5, string Mode = "hybrid", double? MinScore = null, IReadOnlyDictionary<string, string>? Where = null)
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
