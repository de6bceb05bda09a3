using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Atlas.Compiler.Model;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Binding;

// Enums, record types, signatures, tools, and the checks that span declarations (workflow cycles, unused names).
internal sealed partial class Binder
{
    private void BindEnum(Symbol symbol)
    {
        var syntax = (EnumSyntax)symbol.Syntax;
        var seen = new Dictionary<string, TextSpan>(StringComparer.Ordinal);
        foreach (var member in Items(syntax.Members))
        {
            if (DeclareLocal(seen, member, symbol.File)) symbol.Members.Add(member.Name);
        }

        symbol.Model = new EnumModel(symbol.Name, symbol.Members.ToEquatableArray());
    }

    private void BindRecordType(Symbol symbol)
    {
        var syntax = (TypeSyntax)symbol.Syntax;
        var seen = new Dictionary<string, TextSpan>(StringComparer.Ordinal);
        foreach (var field in Items(syntax.Fields))
        {
            var type = ResolveType(field.Type, symbol);
            if (DeclareLocal(seen, field.Name, symbol.File)) symbol.Fields.Add(new FieldModel(field.Name.Name, type));
        }

        symbol.Model = new TypeModel(symbol.Name, symbol.Fields.ToEquatableArray());
    }

    /// <summary>
    /// ATL2023 once per cycle of required fields (<c>type Node { next: Node }</c>, or a pair that
    /// need each other): no finite value of such a type exists, so the mock (and any model) could
    /// never produce one. A list or optional field ends the chain (an empty list, a null), so only
    /// fields that are neither count. Reported at the first field of the cycle.
    /// </summary>
    private void CheckUninhabitableTypes()
    {
        var types = _symbols.Values.Where(s => s.Kind == SymbolKind.Type).OrderBy(s => s.Order).ToList();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < types.Count; i++) index[types[i].Name] = i;

        var edges = new List<IReadOnlyList<int>>(types.Count);
        var fieldOf = new Dictionary<(int From, int To), FieldSyntax>();
        for (int i = 0; i < types.Count; i++)
        {
            var targets = new List<int>();
            foreach (var field in Items(((TypeSyntax)types[i].Syntax).Fields))
            {
                // A field without a name declares nothing (BindRecordType skips it), so it is on no cycle either.
                if (field?.Name?.Name is null || field.Type?.Name?.Name is not { } target || field.Type.IsList || field.Type.IsOptional) continue;
                if (!index.TryGetValue(target, out int to) || fieldOf.ContainsKey((i, to))) continue;
                fieldOf[(i, to)] = field;
                targets.Add(to);
            }
            edges.Add(targets);
        }

        foreach (var cycle in WorkflowGraph.FindCycles(edges))
        {
            var owner = types[cycle[0]];
            var field = fieldOf[(cycle[0], cycle[1])];
            Report(At(owner.File, field.Name.Span).UninhabitableType(owner.Name, field.Name.Name, types[cycle[1]].Name, cycle.Select(i => types[i].Name)));
        }
    }

    /// <summary>Parameters and result type of an agent, human, tool or workflow, bound before any body so calls can be checked.</summary>
    private void BindSignature(Symbol symbol)
    {
        var (parameters, returns) = symbol.Syntax switch
        {
            AgentSyntax a => (a.Parameters, a.Returns),
            HumanSyntax h => (h.Parameters, h.Returns),
            ToolSyntax t => (t.Parameters, t.Returns),
            WorkflowSyntax w => (w.Parameters, w.Returns),
            _ => (ImmutableArray<ParameterSyntax>.Empty, (TypeRefSyntax?)null),
        };

        var seen = new Dictionary<string, TextSpan>(StringComparer.Ordinal);
        foreach (var parameter in Items(parameters))
        {
            var type = ResolveType(parameter.Type, symbol);
            if (DeclareLocal(seen, parameter.Name, symbol.File)) symbol.Parameters.Add(new ParameterModel(parameter.Name.Name, type));
        }

        symbol.Returns = ResolveType(returns, symbol);
    }

    private void BindTool(Symbol symbol)
    {
        var syntax = (ToolSyntax)symbol.Syntax;
        var attributes = ReadBlock(syntax.Body, symbol.File, "tool " + symbol.Name, ToolAttributes);
        bool readOnly = attributes.TryGetValue("read_only", out var readOnlyAttribute) && ReadBool(readOnlyAttribute, symbol.File) == true;
        symbol.Model = new ToolModel(symbol.Name, symbol.Parameters.ToEquatableArray(), symbol.Returns, readOnly);
    }

    private static readonly string[] ToolAttributes = { "read_only" };

    /// <summary>
    /// Adds a member, field, parameter or step name to <paramref name="seen"/>; reports ATL2003 at a
    /// repeat and returns false for it (and for a node without a name).
    /// </summary>
    private bool DeclareLocal(Dictionary<string, TextSpan> seen, IdentifierSyntax? name, SourceFile file)
    {
        if (name?.Name is null || name.Name.Length == 0) return false;
        if (seen.TryGetValue(name.Name, out var first))
        {
            Report(At(file, name.Span).DuplicateName(name.Name, file.GetLocation(first)));
            return false;
        }

        seen.Add(name.Name, name.Span);
        return true;
    }

    // ---------- checks across declarations ----------

    /// <summary>ATL3003 once per cycle of workflows calling each other, at the first workflow of the cycle in source order.</summary>
    private void CheckWorkflowCycles()
    {
        var workflows = _symbols.Values.Where(s => s.Kind == SymbolKind.Workflow).OrderBy(s => s.Order).ToList();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < workflows.Count; i++) index[workflows[i].Name] = i;

        var edges = workflows
            .Select(w => (IReadOnlyList<int>)(_workflowCalls.TryGetValue(w.Name, out var calls)
                ? calls.Where(index.ContainsKey).Select(c => index[c]).Distinct().ToList()
                : new List<int>()))
            .ToList();

        foreach (var cycle in WorkflowGraph.FindCycles(edges))
        {
            var start = workflows[cycle[0]];
            Report(At(start.File, start.Syntax.Name.Span).WorkflowCycle(cycle.Select(i => workflows[i].Name)));
        }
    }

    /// <summary>
    /// ATL2013 for every declaration nothing uses; agents and workflows are entry points and never warned. A human is
    /// not: its answer is waited for by a workflow step (a run that can stop in status <c>waiting</c>), so one that no
    /// workflow calls is never asked.
    /// Not after a syntax error in any file of the project: the code that could not be read may use them.
    /// </summary>
    private void ReportUnused()
    {
        if (_diagnostics.HasSyntaxErrors) return;
        foreach (var symbol in _symbols.Values.OrderBy(s => s.Order))
        {
            if (symbol.Kind is SymbolKind.Agent or SymbolKind.Workflow) continue;
            if (_used.Contains(symbol.Name)) continue;
            Report(At(symbol.File, symbol.Syntax.Name.Span).UnusedDeclaration(Symbol.Title(symbol.Kind), symbol.Name));
        }
    }
}
