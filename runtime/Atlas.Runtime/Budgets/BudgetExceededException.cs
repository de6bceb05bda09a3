using System;
using System.Globalization;

namespace Atlas.Runtime;

/// <summary>
/// A workflow run or an agent call spent more than its <c>budget</c> allows. The message names the
/// workflow or agent, the limit and what was spent; it is never retried (spending more cannot help).
/// </summary>
public sealed class BudgetExceededException : InvalidOperationException
{
    internal BudgetExceededException(string owner, BudgetDescriptor budget, Usage spent, object scope)
        : base(Describe(owner, budget, spent))
    {
        Owner = owner;
        Budget = budget;
        Spent = spent;
        Scope = scope;
    }

    /// <summary>What went over: <c>workflow 'name'</c> or <c>agent 'name'</c>.</summary>
    public string Owner { get; }

    /// <summary>The budget that was exceeded, as declared on the workflow or the agent.</summary>
    public BudgetDescriptor Budget { get; }

    /// <summary>What had been spent when the limit was found exceeded (the call that crossed it included).</summary>
    public Usage Spent { get; }

    /// <summary>The run or agent call whose budget this is (to tell a delegate's own budget from its caller's).</summary>
    internal object Scope { get; }

    /// <summary>The exception for <paramref name="spent"/> over <paramref name="budget"/>, or null while within it.</summary>
    internal static BudgetExceededException? Check(string owner, BudgetDescriptor? budget, Usage spent, object scope)
    {
        if (budget is null)
        {
            return null;
        }

        var over = (budget.Usd is { } usd && spent.CostUsd > usd) || (budget.Tokens is { } tokens && spent.TotalTokens > tokens);
        return over ? new BudgetExceededException(owner, budget, spent, scope) : null;
    }

    private static string Describe(string owner, BudgetDescriptor budget, Usage spent)
    {
        var overUsd = budget.Usd is { } usd && spent.CostUsd > usd;
        var limit = overUsd ? Dollars(budget.Usd!.Value) : Tokens(budget.Tokens ?? 0);
        var what = overUsd
            ? $"{Dollars(spent.CostUsd)} ({Tokens(spent.TotalTokens)})"
            : $"{Tokens(spent.TotalTokens)} ({Dollars(spent.CostUsd)})";
        return $"{char.ToUpperInvariant(owner[0])}{owner[1..]} went over its budget of {limit}: it has used {what}, so it was stopped";
    }

    private static string Dollars(decimal usd) => "$" + usd.ToString("0.00####", CultureInfo.InvariantCulture);

    private static string Tokens(long tokens) => tokens.ToString("N0", CultureInfo.InvariantCulture) + " tokens";
}
