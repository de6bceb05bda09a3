using System;
using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Model;

/// <summary>
/// The one walk over bound expressions: what each kind of expression contains, in the order it is
/// evaluated. Every analysis of expressions (what a workflow uses, what it calls, whether it awaits)
/// is built on it, so a new expression form is taught to all of them here.
/// </summary>
public static class ExprWalker
{
    /// <summary>The direct sub-expressions of <paramref name="expr"/>, in evaluation order.</summary>
    public static IEnumerable<ExprModel> Children(ExprModel expr) => expr switch
    {
        MemberExpr member => new[] { member.Target },
        CallExpr call => call.Arguments,
        SearchExpr search => new[] { search.Query },
        ListExpr list => list.Items,
        ObjectExpr obj => obj.Fields.Select(f => f.Value),
        SwitchExpr switchExpr => SwitchChildren(switchExpr),
        ForExpr loop => new[] { loop.Source, loop.Body },
        _ => Array.Empty<ExprModel>(),
    };

    /// <summary>
    /// <paramref name="expr"/> and everything inside it, outermost first (pre-order, children in
    /// evaluation order); nothing for null. Iterative, so depth costs no stack.
    /// </summary>
    public static IEnumerable<ExprModel> DescendantsAndSelf(ExprModel? expr)
    {
        if (expr is null) yield break;
        var pending = new Stack<ExprModel>();
        pending.Push(expr);
        while (pending.Count > 0)
        {
            var next = pending.Pop();
            yield return next;
            var children = Children(next).ToList();
            for (int i = children.Count - 1; i >= 0; i--) pending.Push(children[i]);
        }
    }

    /// <summary>
    /// <paramref name="expr"/> rebuilt bottom-up: each node's children are rewritten first, then
    /// <paramref name="rewrite"/> is applied to the node holding them. Recursive; expressions nest at
    /// most 64 levels (the binder's limit).
    /// </summary>
    public static ExprModel Rewrite(ExprModel expr, Func<ExprModel, ExprModel> rewrite)
    {
        ExprModel Inner(ExprModel e) => Rewrite(e, rewrite);
        ExprModel rebuilt = expr switch
        {
            MemberExpr member => member with { Target = Inner(member.Target) },
            CallExpr call => call with { Arguments = call.Arguments.Select(Inner).ToEquatableArray() },
            SearchExpr search => search with { Query = Inner(search.Query) },
            ListExpr list => list with { Items = list.Items.Select(Inner).ToEquatableArray() },
            ObjectExpr obj => obj with { Fields = obj.Fields.Select(f => f with { Value = Inner(f.Value) }).ToEquatableArray() },
            SwitchExpr switchExpr => switchExpr with
            {
                Subject = Inner(switchExpr.Subject),
                Cases = switchExpr.Cases.Select(c => c with { Result = Inner(c.Result) }).ToEquatableArray(),
                Default = switchExpr.Default is null ? null : Inner(switchExpr.Default),
            },
            ForExpr loop => loop with { Source = Inner(loop.Source), Body = Inner(loop.Body) },
            _ => expr,
        };
        return rewrite(rebuilt);
    }

    private static IEnumerable<ExprModel> SwitchChildren(SwitchExpr switchExpr)
    {
        yield return switchExpr.Subject;
        foreach (var arm in switchExpr.Cases) yield return arm.Result;
        if (switchExpr.Default is not null) yield return switchExpr.Default;
    }
}
