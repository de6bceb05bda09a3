using System.Linq;

namespace Atlas.Compiler.Model;

/// <summary>
/// Facts about bound expressions that both back-ends (the C# emitter and the CLI interpreter) act
/// on, kept in one place so generated code and interpreted runs take the same shape.
/// </summary>
public static class ExprModelFacts
{
    /// <summary>True if evaluating <paramref name="expr"/> awaits: it calls an agent, tool or workflow, searches, or loops.</summary>
    public static bool IsAsync(ExprModel? expr) => expr switch
    {
        null => false,
        CallExpr or SearchExpr or ForExpr => true,
        MemberExpr m => IsAsync(m.Target),
        ListExpr l => l.Items.Any(IsAsync),
        ObjectExpr o => o.Fields.Any(f => IsAsync(f.Value)),
        SwitchExpr s => IsAsync(s.Subject) || s.Cases.Any(c => IsAsync(c.Result)) || IsAsync(s.Default),
        _ => false,
    };

    /// <summary>The <c>with { ... }</c> of a call or search, if it sets anything.</summary>
    public static CallOptions? OptionsOf(ExprModel expr)
    {
        var options = expr switch
        {
            CallExpr call => call.Options,
            SearchExpr search => search.Options,
            _ => null,
        };
        return options is null || (options.Retry is null && options.TimeoutMs is null) ? null : options;
    }
}
