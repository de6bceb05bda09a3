using System;
using System.Threading;

namespace Atlas.Runtime;

/// <summary>
/// One call of an agent: who called it (the agent that delegated to it, or nobody), how many more
/// levels of delegation may nest below it, and what it has used so far (its delegates included),
/// for its <c>budget</c> and its callers'. Thread-safe: a model may run several delegates at once.
/// </summary>
internal sealed class AgentCall
{
    private readonly object _gate = new();
    private Usage _usage;
    private BudgetExceededException? _stopped;

    public AgentCall(AgentDescriptor agent, AgentCall? parent)
    {
        Agent = agent;
        Parent = parent;
        Depth = parent is null ? 0 : parent.Depth + 1;

        // The tightest limit along the chain wins: a delegate may not nest deeper than its caller allows.
        var own = Math.Max(1, agent.MaxDepth ?? AgentDescriptor.DefaultMaxDepth);
        if (parent is null || own <= parent.Remaining - 1)
        {
            Remaining = own;
            LimitedBy = agent.Name;
            Limit = own;
        }
        else
        {
            Remaining = parent.Remaining - 1;
            LimitedBy = parent.LimitedBy;
            Limit = parent.Limit;
        }
    }

    public AgentDescriptor Agent { get; }

    public AgentCall? Parent { get; }

    /// <summary>0 for an agent a step (or a host) called; 1 for its delegates; and so on.</summary>
    public int Depth { get; }

    /// <summary>How many levels of delegation may still nest below this call (0: it may not delegate).</summary>
    public int Remaining { get; }

    /// <summary>The agent whose <c>max_depth</c> sets <see cref="Remaining"/>, and that limit.</summary>
    public string LimitedBy { get; }

    public int Limit { get; }

    public Usage Usage
    {
        get
        {
            lock (_gate)
            {
                return _usage;
            }
        }
    }

    /// <summary>Counts a model call's usage toward this call and every caller up the chain.</summary>
    public void AddUsage(Usage usage)
    {
        for (var call = this; call is not null; call = call.Parent)
        {
            lock (call._gate)
            {
                call._usage += usage;
            }
        }
    }

    /// <summary>A delegate found a budget above it exceeded: this call must stop too, with that error.</summary>
    public void Stop(BudgetExceededException exceeded) => Interlocked.CompareExchange(ref _stopped, exceeded, null);

    /// <summary>
    /// Throws <see cref="BudgetExceededException"/> when a delegate stopped this call, when this call or
    /// one of its callers has spent more than its agent's budget, or when the run has spent more than its workflow's.
    /// </summary>
    public void CheckBudgets(StepContext? step)
    {
        if (Volatile.Read(ref _stopped) is { } stopped)
        {
            throw stopped;
        }

        for (var call = this; call is not null; call = call.Parent)
        {
            // Checked after every model call: nothing is read or formatted unless there is a budget.
            if (call.Agent.Budget is { } budget && BudgetExceededException.Check($"agent '{call.Agent.Name}'", budget, call.Usage, call) is { } exceeded)
            {
                throw exceeded;
            }
        }

        step?.Run.CheckBudget();
    }
}
