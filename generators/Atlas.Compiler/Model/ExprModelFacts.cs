using System.Linq;
using System.Runtime.CompilerServices;

namespace Atlas.Compiler.Model;

/// <summary>Facts about one bound expression, read by the lowering and by both back-ends' expression code.</summary>
public static class ExprModelFacts
{
    // Keyed by reference: an interpreter asks about the same nodes on every run.
    private static readonly ConditionalWeakTable<ExprModel, object> AsyncCache = new();
    private static readonly object Yes = true;
    private static readonly object No = false;

    /// <summary>True if evaluating <paramref name="expr"/> awaits: it calls an agent, tool or workflow, searches, or loops.</summary>
    public static bool IsAsync(ExprModel? expr)
    {
        if (expr is null) return false;
        if (expr is CallExpr or SearchExpr or ForExpr) return true;
        return (bool)AsyncCache.GetValue(expr, static e => ExprWalker.DescendantsAndSelf(e).Any(d => d is CallExpr or SearchExpr or ForExpr) ? Yes : No);
    }

    /// <summary>The <c>with { ... }</c> of a call or search, if it sets anything.</summary>
    public static CallOptions? OptionsOf(ExprModel expr)
    {
        var options = expr switch
        {
            CallExpr call => call.Options,
            SearchExpr search => search.Options,
            _ => null,
        };
        return options is null || options.IsEmpty ? null : options;
    }
}
