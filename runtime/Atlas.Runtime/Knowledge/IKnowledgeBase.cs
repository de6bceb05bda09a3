using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>
/// Options of one <c>kb.search(...)</c>: <see cref="Mode"/> is hybrid | vector | keyword; <see cref="Where"/> keeps passages
/// whose metadata key equals its value, or matches it as a glob when the value holds <c>*</c> or <c>?</c>.
/// </summary>
public sealed record SearchOptions(int Top = 5, string Mode = "hybrid", double? MinScore = null, IReadOnlyDictionary<string, string>? Where = null);

/// <summary>A searchable knowledge base. Implementations are thread-safe.</summary>
public interface IKnowledgeBase
{
    Task<IReadOnlyList<Passage>> SearchAsync(string query, SearchOptions options, CancellationToken cancellationToken);
}
