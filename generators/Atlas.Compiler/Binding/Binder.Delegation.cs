using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Atlas.Compiler.Model;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Binding;

// Delegation between agents (`delegates`, `max_depth`) and spending limits (`budget`) of agents and workflows.
internal sealed partial class Binder
{
    private static readonly string[] BudgetAttributes = { "usd", "tokens" };

    /// <summary>
    /// ATL3007 for each cycle in the delegation graph (an agent delegating to itself included), at the
    /// <c>delegates</c> entry that closes it: the run would hand work round the circle until
    /// <c>max_depth</c> cut it off, which is never what was meant.
    /// </summary>
    private void CheckDelegationCycles()
    {
        var agents = _symbols.Values.Where(s => s.Kind == SymbolKind.Agent).OrderBy(s => s.Order).ToList();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < agents.Count; i++) index[agents[i].Name] = i;

        var edges = agents
            .Select(a => (IReadOnlyList<int>)a.Delegations.Where(d => index.ContainsKey(d.Name)).Select(d => index[d.Name]).Distinct().ToList())
            .ToList();

        foreach (var cycle in WorkflowGraph.FindCycles(edges))
        {
            // The cycle is [start, ..., last, start]: the entry of `last` naming `start` closes it.
            var start = agents[cycle[0]];
            var last = agents[cycle[cycle.Count - 2]];
            var entry = last.Delegations.First(d => string.Equals(d.Name, start.Name, StringComparison.Ordinal));
            Report(At(last.File, entry.Span).DelegationCycle(cycle.Select(i => agents[i].Name)));
        }
    }

    /// <summary><c>budget { usd = 0.50, tokens = 20000 }</c>: at least one limit, each more than zero.</summary>
    private BudgetModel? ReadBudget(AttributeSyntax attribute, SourceFile file)
    {
        if (attribute.Value is not BlockValueSyntax { Head: null, Block: { } block })
        {
            ReportWrongKind(attribute, file, "a block such as `budget { usd = 0.50, tokens = 20000 }`");
            return null;
        }

        var limits = ReadBlock(block, file, "budget", BudgetAttributes);
        decimal? usd = null;
        if (limits.TryGetValue("usd", out var usdAttribute) && ReadNumber(usdAttribute, file, 0, double.PositiveInfinity) is { } dollars)
        {
            var literal = ((NumberValueSyntax)usdAttribute.Value).Text; // ReadNumber read a number
            if (dollars <= 0) Report(At(file, usdAttribute.Value.Span).AttributeOutOfRange("usd", "more than 0", dollars.ToString("R", CultureInfo.InvariantCulture)));
            else if (Dollars(literal) is { } exact) usd = exact;
            else Report(At(file, usdAttribute.Value.Span).AttributeOutOfRange("usd", "at most " + decimal.MaxValue.ToString(CultureInfo.InvariantCulture), literal));
        }

        long? tokens = limits.TryGetValue("tokens", out var tokensAttribute) ? ReadInt(tokensAttribute, file, 1) : null;

        if (limits.Count == 0)
        {
            Report(At(file, block.Span).EmptyAttribute("budget", "set `usd`, `tokens` or both, e.g. `budget { usd = 0.50, tokens = 20000 }`"));
            return null;
        }

        return usd is null && tokens is null ? null : new BudgetModel(usd, tokens);
    }

    /// <summary>
    /// A dollar amount from the literal's own text, exactly (money is counted in decimals at run time; a double
    /// in between would turn 0.1 into 0.1000000000000000055...). Trailing zeros are dropped, so <c>0.50</c> and
    /// <c>0.5</c> bind to the same model. Null when the amount does not fit a decimal.
    /// </summary>
    private static decimal? Dollars(string literal) =>
        decimal.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount)
            ? amount / 1.000000000000000000000000000000000m
            : null;
}
