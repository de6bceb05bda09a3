using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Atlas.Compiler.Model;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Binding;

// Workflows: steps form a DAG (a step may read a later one), so steps bind in dependency order,
// each one's reads become its DependsOn, and cycles are reported once each.
internal sealed partial class Binder
{
    /// <summary>The <c>name { ... }</c> settings a workflow body may hold besides its steps.</summary>
    private static readonly string[] WorkflowSettings = { "budget" };

    /// <summary>What expressions in one workflow can see, and what the step being bound reads.</summary>
    private sealed class WorkflowScope
    {
        public WorkflowScope(Symbol workflow) => Workflow = workflow;

        public Symbol Workflow { get; }

        public SourceFile File => Workflow.File;

        public Dictionary<string, TypeRef> Parameters { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, StepInfo> Steps { get; } = new(StringComparer.Ordinal);

        /// <summary>Enclosing <c>for</c> variables, innermost last.</summary>
        public List<KeyValuePair<string, TypeRef>> Variables { get; } = new();

        /// <summary>Steps read by the expression being bound.</summary>
        public HashSet<string> Reads { get; set; } = new(StringComparer.Ordinal);

        /// <summary>Workflows this one calls, for cycle detection.</summary>
        public List<string> Calls { get; } = new();

        public bool ReportedNesting { get; set; }

        public IEnumerable<string> LocalNames =>
            Variables.Select(v => v.Key).Concat(Parameters.Keys).Concat(Steps.Keys).Distinct(StringComparer.Ordinal);
    }

    private sealed class StepInfo
    {
        public StepInfo(StepSyntax syntax, int index)
        {
            Syntax = syntax;
            Index = index;
        }

        public StepSyntax Syntax { get; }

        public int Index { get; }

        public string Name => Syntax.Name.Name;

        /// <summary>Null until bound; a step read before it is bound (only on a cycle) reads as Error.</summary>
        public ExprModel? Value { get; set; }

        public List<StepInfo> DependsOn { get; } = new();
    }

    private void BindWorkflow(Symbol symbol)
    {
        var syntax = (WorkflowSyntax)symbol.Syntax;
        var scope = new WorkflowScope(symbol);
        var file = symbol.File;

        var parameterSpans = new Dictionary<string, TextSpan>(StringComparer.Ordinal);
        foreach (var parameter in Items(syntax.Parameters))
        {
            if (parameter.Name?.Name is { } name && !parameterSpans.ContainsKey(name)) parameterSpans.Add(name, parameter.Name.Span);
        }

        foreach (var parameter in symbol.Parameters) scope.Parameters[parameter.Name] = parameter.Type;

        // Declare the steps; a step may not reuse a parameter's or an earlier step's name.
        var steps = new List<StepInfo>();
        var duplicates = new List<StepSyntax>();
        var names = new Dictionary<string, TextSpan>(parameterSpans, StringComparer.Ordinal);
        foreach (var step in Items(syntax.Steps))
        {
            if (DeclareLocal(names, step.Name, file))
            {
                var info = new StepInfo(step, steps.Count);
                steps.Add(info);
                scope.Steps.Add(info.Name, info);
            }
            else
            {
                duplicates.Add(step);
            }
        }

        // Bind in dependency order so each step's type is known before a step that reads it.
        var syntacticReads = steps
            .Select(s => (IReadOnlyList<int>)StepReads(s.Syntax.Value, scope).Select(n => scope.Steps[n].Index).Distinct().ToList())
            .ToList();
        foreach (int index in WorkflowGraph.DependencyOrder(syntacticReads))
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var step = steps[index];
            step.Value = BindRoot(step.Syntax.Value, scope, out var reads);
            step.DependsOn.AddRange(reads);
        }

        foreach (var duplicate in duplicates) BindRoot(duplicate.Value, scope, out _);

        var edges = steps.Select(s => (IReadOnlyList<int>)s.DependsOn.Select(d => d.Index).ToList()).ToList();
        foreach (var cycle in WorkflowGraph.FindCycles(edges))
        {
            var start = steps[cycle[0]];
            Report(At(file, start.Syntax.Name.Span).StepCycle(cycle.Select(i => steps[i].Name)));
        }

        ExprModel returned = new ErrorExpr();
        var returnReads = new List<StepInfo>();
        if (syntax.Return is null)
        {
            Report(At(file, syntax.Name.Span).MissingReturn(symbol.Name, symbol.Returns));
        }
        else
        {
            returned = BindRoot(syntax.Return.Value, scope, out returnReads);
            if (!IsAssignable(returned.Type, symbol.Returns) && syntax.Return.Value is not null)
            {
                Report(At(file, syntax.Return.Value.Span).ReturnTypeMismatch(symbol.Name, symbol.Returns, returned.Type));
            }
        }

        if (symbol.IsPrimary) _workflowCalls[symbol.Name] = scope.Calls;

        var settings = ReadBlock(new BlockSyntax(syntax.Settings.IsDefault ? ImmutableArray<AttributeSyntax>.Empty : syntax.Settings, syntax.Span), file, "workflow " + symbol.Name, WorkflowSettings);
        var budget = settings.TryGetValue("budget", out var budgetAttribute) ? ReadBudget(budgetAttribute, file) : null;

        symbol.Model = new WorkflowModel(
            symbol.Name,
            symbol.Parameters.ToEquatableArray(),
            symbol.Returns,
            steps.Select(s => new StepModel(s.Name, s.Value ?? new ErrorExpr(), s.DependsOn.Select(d => d.Name).ToEquatableArray())).ToEquatableArray(),
            returned,
            returnReads.Select(d => d.Name).ToEquatableArray(),
            budget);
    }

    /// <summary>Binds a step's (or the return's) expression; <paramref name="reads"/> are the steps it reads, in declaration order.</summary>
    private ExprModel BindRoot(ExpressionSyntax? expression, WorkflowScope scope, out List<StepInfo> reads)
    {
        scope.Reads = new HashSet<string>(StringComparer.Ordinal);
        scope.Variables.Clear();
        var value = BindExpression(expression, scope, 0);
        reads = scope.Reads.Select(n => scope.Steps[n]).OrderBy(s => s.Index).ToList();
        return value;
    }

    /// <summary>
    /// The step names an expression mentions, found before binding so steps can bind in dependency
    /// order. Follows the binder's scoping: a <c>for</c> variable hides a step of the same name,
    /// and call targets name declarations, not steps.
    /// </summary>
    private static List<string> StepReads(ExpressionSyntax? expression, WorkflowScope scope)
    {
        var reads = new List<string>();
        CollectStepReads(expression, scope, new List<string>(), reads, 0);
        return reads;
    }

    private static void CollectStepReads(ExpressionSyntax? node, WorkflowScope scope, List<string> hidden, List<string> reads, int depth)
    {
        if (node is null || depth > MaxNesting) return;
        switch (node)
        {
            case NameExpressionSyntax { Name.Name: { } name }:
                if (scope.Steps.ContainsKey(name) && !hidden.Contains(name, StringComparer.Ordinal)) reads.Add(name);
                break;
            case MemberAccessSyntax member:
                CollectStepReads(member.Target, scope, hidden, reads, depth + 1);
                break;
            case CallExpressionSyntax call:
                if (call.Target is not NameExpressionSyntax && call.Target is not MemberAccessSyntax { Target: NameExpressionSyntax })
                {
                    CollectStepReads(call.Target, scope, hidden, reads, depth + 1);
                }

                foreach (var argument in Items(call.Arguments)) CollectStepReads(argument.Value, scope, hidden, reads, depth + 1);
                break;
            case ListExpressionSyntax list:
                foreach (var item in Items(list.Items)) CollectStepReads(item, scope, hidden, reads, depth + 1);
                break;
            case ObjectExpressionSyntax obj:
                foreach (var field in Items(obj.Fields)) CollectStepReads(field.Value, scope, hidden, reads, depth + 1);
                break;
            case SwitchExpressionSyntax switchExpression:
                CollectStepReads(switchExpression.Subject, scope, hidden, reads, depth + 1);
                foreach (var arm in Items(switchExpression.Cases)) CollectStepReads(arm.Result, scope, hidden, reads, depth + 1);
                break;
            case ForExpressionSyntax loop:
                CollectStepReads(loop.Source, scope, hidden, reads, depth + 1);
                if (loop.Variable?.Name is { } variable) hidden.Add(variable);
                CollectStepReads(loop.Body, scope, hidden, reads, depth + 1);
                if (loop.Variable?.Name is not null) hidden.RemoveAt(hidden.Count - 1);
                break;
        }
    }
}
