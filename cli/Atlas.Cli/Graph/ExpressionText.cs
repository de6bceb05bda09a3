using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Atlas.Compiler.Model;

namespace Atlas.Cli.Graph;

/// <summary>Bound expressions as short .atlas-like text for labels, and walks over their parts.</summary>
internal static class ExpressionText
{
    private const int MaxLength = 60;

    public static string Of(ExprModel expr)
    {
        var text = Write(expr);
        return text.Length <= MaxLength ? text : text[..(MaxLength - 1)] + "…";
    }

    /// <summary><c>500ms</c>, <c>20s</c>, <c>2m</c>: the shortest exact .atlas spelling.</summary>
    public static string Duration(long milliseconds) => milliseconds switch
    {
        > 0 when milliseconds % 60_000 == 0 => (milliseconds / 60_000).ToString(CultureInfo.InvariantCulture) + "m",
        > 0 when milliseconds % 1000 == 0 => (milliseconds / 1000).ToString(CultureInfo.InvariantCulture) + "s",
        _ => milliseconds.ToString(CultureInfo.InvariantCulture) + "ms",
    };

    /// <summary>Every call in <paramref name="expr"/>, outermost first.</summary>
    public static IEnumerable<CallExpr> Calls(ExprModel? expr) => Walk(expr).OfType<CallExpr>();

    /// <summary>Every reference (parameter, step, loop variable) in <paramref name="expr"/>.</summary>
    public static IEnumerable<RefExpr> References(ExprModel? expr) => Walk(expr).OfType<RefExpr>();

    private static IEnumerable<ExprModel> Walk(ExprModel? expr)
    {
        if (expr is null) yield break;
        yield return expr;
        IEnumerable<ExprModel?> children = expr switch
        {
            MemberExpr m => new[] { m.Target },
            CallExpr c => c.Arguments,
            SearchExpr s => new[] { s.Query },
            ListExpr l => l.Items,
            ObjectExpr o => o.Fields.Select(f => f.Value),
            SwitchExpr s => s.Cases.Select(c => c.Result).Prepend(s.Subject).Append(s.Default),
            ForExpr f => new[] { f.Source, f.Body },
            _ => Array.Empty<ExprModel>(),
        };
        foreach (var child in children)
        {
            foreach (var inner in Walk(child)) yield return inner;
        }
    }

    private static string Write(ExprModel expr) => expr switch
    {
        RefExpr r => r.Name,
        MemberExpr m => Write(m.Target) + "." + m.Member,
        CallExpr c => c.Target + "(" + string.Join(", ", c.Arguments.Select(Write)) + ")",
        SearchExpr s => $"{s.Knowledge}.search({Write(s.Query)}, top = {s.Top.ToString(CultureInfo.InvariantCulture)})",
        LiteralExpr { Kind: LiteralKind.String } l => "\"" + l.Text + "\"",
        LiteralExpr l => l.Text,
        EnumValueExpr e => e.Enum + "." + e.Member,
        ListExpr l => "[" + string.Join(", ", l.Items.Select(Write)) + "]",
        ObjectExpr o => o.TypeName + " { " + string.Join(", ", o.Fields.Select(f => f.Name + " = " + Write(f.Value))) + " }",
        SwitchExpr s => "switch " + Write(s.Subject) + " { … }",
        ForExpr f => $"for {f.Variable} in {Write(f.Source)} => {Write(f.Body)}",
        _ => "?",
    };
}
