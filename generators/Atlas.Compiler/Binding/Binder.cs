using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Model;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Binding;

/// <summary>
/// Binds the syntax trees of a project (all files share one namespace) into the checked
/// <see cref="AtlasModel"/>, reporting every problem in one pass. Never throws for bad input:
/// an odd tree shape gives diagnostics, a failed sub-part binds to <see cref="TypeRef.Error"/>
/// so that one mistake does not cascade. One instance per compilation; not thread-safe.
/// </summary>
/// <remarks>
/// The passes run in dependency order: declare every name; bind enums and record types; bind the
/// signatures of agents, humans, tools and workflows; bind providers (routes need their capabilities);
/// bind every other body; then the cross-declaration checks (workflow cycles, unused names).
/// </remarks>
internal sealed partial class Binder
{
    /// <summary>The types every file can use without declaring them.</summary>
    private static readonly string[] BuiltInTypeNames = { "string", "int", "float", "bool", "Passage" };

    private readonly DiagnosticBag _diagnostics;
    private readonly CancellationToken _cancellationToken;

    /// <summary>The first declaration of each name.</summary>
    private readonly Dictionary<string, Symbol> _symbols = new(StringComparer.Ordinal);

    /// <summary>Every declaration, duplicates included, in source order.</summary>
    private readonly List<Symbol> _declarations = new();

    /// <summary>Names referenced from some other declaration (for the unused-declaration warning).</summary>
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <summary>Workflow → the workflows it calls (for cycle detection).</summary>
    private readonly Dictionary<string, List<string>> _workflowCalls = new(StringComparer.Ordinal);

    /// <summary>What the host can tell about references and files (ATL2031, ATL2025); none of it when null.</summary>
    private readonly CompilationHost? _host;

    private Binder(DiagnosticBag diagnostics, CancellationToken cancellationToken, CompilationHost? host)
    {
        _diagnostics = diagnostics;
        _cancellationToken = cancellationToken;
        _host = host;
    }

    public static AtlasModel Bind(IReadOnlyList<SyntaxTree> trees, DiagnosticBag diagnostics, CancellationToken cancellationToken, CompilationHost? host = null)
    {
        var binder = new Binder(diagnostics ?? new DiagnosticBag(), cancellationToken, host);
        return binder.BindProject(trees ?? Array.Empty<SyntaxTree>());
    }

    private AtlasModel BindProject(IReadOnlyList<SyntaxTree> trees)
    {
        Declare(trees);

        ForEach(SymbolKind.Enum, BindEnum);
        ForEach(SymbolKind.Type, BindRecordType);
        CheckUninhabitableTypes();
        ForEach(SymbolKind.Agent, BindSignature);
        ForEach(SymbolKind.Human, BindSignature);
        ForEach(SymbolKind.Tool, BindSignature);
        ForEach(SymbolKind.Workflow, BindSignature);
        ForEach(SymbolKind.Provider, BindProvider);
        ForEach(SymbolKind.Route, BindRoute);
        ForEach(SymbolKind.Mcp, BindMcp);
        ForEach(SymbolKind.Knowledge, BindKnowledge);
        ForEach(SymbolKind.Tool, BindTool);
        ForEach(SymbolKind.Agent, BindAgent);
        ForEach(SymbolKind.Human, BindHuman);
        ForEach(SymbolKind.Workflow, BindWorkflow);

        CheckWorkflowCycles();
        CheckDelegationCycles();
        ReportUnused();

        return new AtlasModel(
            Models<ProviderModel>(SymbolKind.Provider),
            Models<RouteModel>(SymbolKind.Route),
            Models<EnumModel>(SymbolKind.Enum),
            Models<TypeModel>(SymbolKind.Type),
            Models<AgentModel>(SymbolKind.Agent),
            Models<HumanModel>(SymbolKind.Human),
            Models<ToolModel>(SymbolKind.Tool),
            Models<McpModel>(SymbolKind.Mcp),
            Models<KnowledgeModel>(SymbolKind.Knowledge),
            Models<WorkflowModel>(SymbolKind.Workflow));
    }

    // ---------- declaring names ----------

    private void Declare(IReadOnlyList<SyntaxTree> trees)
    {
        int order = 0;
        foreach (var tree in trees)
        {
            if (tree?.File is null) continue;
            foreach (var declaration in Items(tree.Declarations))
            {
                _cancellationToken.ThrowIfCancellationRequested();
                if (declaration?.Name?.Name is null || !TryGetKind(declaration, out var kind)) continue;

                var symbol = new Symbol(declaration, kind, tree.File, order++);
                _declarations.Add(symbol);
                if (symbol.Name.Length == 0) continue;

                if (Array.IndexOf(BuiltInTypeNames, symbol.Name) >= 0)
                {
                    symbol.IsPrimary = false;
                    Report(At(symbol.File, declaration.Name.Span).ReservedName(symbol.Name));
                }
                else if (_symbols.TryGetValue(symbol.Name, out var first))
                {
                    symbol.IsPrimary = false;
                    Report(At(symbol.File, declaration.Name.Span).DuplicateName(symbol.Name, first.NameLocation));
                }
                else
                {
                    _symbols.Add(symbol.Name, symbol);
                }
            }
        }
    }

    private static bool TryGetKind(DeclarationSyntax declaration, out SymbolKind kind)
    {
        switch (declaration)
        {
            case ProviderSyntax: kind = SymbolKind.Provider; return true;
            case RouteSyntax: kind = SymbolKind.Route; return true;
            case EnumSyntax: kind = SymbolKind.Enum; return true;
            case TypeSyntax: kind = SymbolKind.Type; return true;
            case AgentSyntax: kind = SymbolKind.Agent; return true;
            case HumanSyntax: kind = SymbolKind.Human; return true;
            case ToolSyntax: kind = SymbolKind.Tool; return true;
            case McpSyntax: kind = SymbolKind.Mcp; return true;
            case KnowledgeSyntax: kind = SymbolKind.Knowledge; return true;
            case WorkflowSyntax: kind = SymbolKind.Workflow; return true;
            default: kind = default; return false;
        }
    }

    /// <summary>
    /// Runs one pass over every declaration of a kind. A failure inside Atlas while binding one
    /// declaration becomes an ATL9001 on it, and the other declarations still bind.
    /// </summary>
    private void ForEach(SymbolKind kind, Action<Symbol> bind)
    {
        foreach (var symbol in _declarations)
        {
            if (symbol.Kind != kind) continue;
            _cancellationToken.ThrowIfCancellationRequested();
            try
            {
                bind(symbol);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex)
            {
                Report(At(symbol.File, symbol.Syntax.Name.Span).InternalError(ex.GetType().Name + ": " + ex.Message));
            }
        }
    }

    private EquatableArray<T> Models<T>(SymbolKind kind) where T : IEquatable<T> =>
        _symbols.Values
            .Where(s => s.Kind == kind && s.Model is T)
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => (T)s.Model!)
            .ToEquatableArray();

    // ---------- lookups shared by the passes ----------

    private Symbol? Lookup(string name) => _symbols.TryGetValue(name, out var symbol) ? symbol : null;

    private IEnumerable<string> NamesOf(params SymbolKind[] kinds) =>
        _symbols.Values.Where(s => Array.IndexOf(kinds, s.Kind) >= 0).Select(s => s.Name);

    /// <summary>Records that <paramref name="user"/> references <paramref name="name"/> (a declaration referencing itself does not count).</summary>
    private void MarkUsed(string name, Symbol user)
    {
        if (Lookup(name) is { } target && !ReferenceEquals(target, user)) _used.Add(name);
    }

    /// <summary>Resolves a written type; reports an unknown or non-type name and gives <see cref="TypeRef.Error"/>.</summary>
    private TypeRef ResolveType(TypeRefSyntax? syntax, Symbol user)
    {
        if (syntax?.Name?.Name is null) return TypeRef.Error;
        string name = syntax.Name.Name;
        TypeRef? core = name switch
        {
            "string" => TypeRef.String,
            "int" => TypeRef.Int,
            "float" => TypeRef.Float,
            "bool" => TypeRef.Bool,
            "Passage" => TypeRef.Passage,
            _ => null,
        };

        if (core is null)
        {
            var symbol = Lookup(name);
            if (symbol is { Kind: SymbolKind.Enum or SymbolKind.Type })
            {
                MarkUsed(name, user);
                core = new TypeRef(name, symbol.Kind == SymbolKind.Enum ? TypeKind.Enum : TypeKind.Record);
            }
            else if (symbol is not null)
            {
                Report(At(user.File, syntax.Name.Span).WrongKindOfName(name, Symbol.Describe(symbol.Kind), "a type"));
                return TypeRef.Error;
            }
            else
            {
                var candidates = BuiltInTypeNames.Concat(NamesOf(SymbolKind.Enum, SymbolKind.Type));
                Report(At(user.File, syntax.Name.Span).UnknownType(name, Suggest(name, candidates)));
                return TypeRef.Error;
            }
        }

        return core with { IsList = syntax.IsList, IsOptional = syntax.IsOptional };
    }

    /// <summary>The fields of a record or <c>Passage</c>; null for any other type (lists included).</summary>
    private IReadOnlyList<FieldModel>? FieldsOf(TypeRef type)
    {
        if (type.IsList) return null;
        if (type.Kind == TypeKind.Passage) return BuiltInTypes.Passage.Fields;
        if (type.Kind == TypeKind.Record && Lookup(type.Name) is { Kind: SymbolKind.Type } symbol) return symbol.Fields;
        return null;
    }

    /// <summary>
    /// The type of <c>target.member</c>; reports ATL2002 (with did-you-mean) and gives Error when
    /// there is no such member. Reading through an optional record gives an optional member.
    /// </summary>
    private TypeRef MemberType(TypeRef target, IdentifierSyntax member, SourceFile file)
    {
        if (target.Kind == TypeKind.Error || member?.Name is null) return TypeRef.Error;
        var fields = FieldsOf(target);
        var field = fields?.FirstOrDefault(f => string.Equals(f.Name, member.Name, StringComparison.Ordinal));
        if (field is null)
        {
            string? suggestion = fields is null ? null : Suggest(member.Name, fields.Select(f => f.Name));
            Report(At(file, member.Span).UnknownMember(target.ToString(), member.Name, suggestion));
            return TypeRef.Error;
        }

        return target.IsOptional && !field.Type.IsOptional ? field.Type with { IsOptional = true } : field.Type;
    }

    /// <summary>Same type, T → T?, int → float, and Error to or from anything.</summary>
    internal static bool IsAssignable(TypeRef from, TypeRef to)
    {
        if (from.Kind == TypeKind.Error || to.Kind == TypeKind.Error) return true;
        if (from.IsList != to.IsList) return false;
        if (from.IsOptional && !to.IsOptional) return false;
        if (from.Kind == TypeKind.Int && to.Kind == TypeKind.Float) return true;
        return from.Kind == to.Kind && string.Equals(from.Name, to.Name, StringComparison.Ordinal);
    }

    /// <summary>The one type both can be assigned to (Error if neither fits the other).</summary>
    private static TypeRef? Unify(TypeRef a, TypeRef b)
    {
        if (a.Kind == TypeKind.Error) return b;
        if (b.Kind == TypeKind.Error) return a;
        if (IsAssignable(a, b)) return b;
        if (IsAssignable(b, a)) return a;

        // string and string? → string?; int and float? → float?
        var optionalA = a with { IsOptional = true };
        var optionalB = b with { IsOptional = true };
        if (IsAssignable(a, optionalB) && IsAssignable(b, optionalB)) return optionalB;
        if (IsAssignable(a, optionalA) && IsAssignable(b, optionalA)) return optionalA;
        return null;
    }

    // ---------- small helpers ----------

    /// <summary>
    /// The name to suggest for <paramref name="name"/> (<see cref="Suggestions.Closest"/>), or null, skipping what cannot be
    /// within its edit limit (at most 3), so a pathological name (fuzzed input, a pasted paragraph) costs nothing.
    /// </summary>
    private static string? Suggest(string name, IEnumerable<string> candidates)
    {
        const int MaxLength = 64;
        if (name.Length > MaxLength) return null;
        // An alias (`system` for `instructions`) is too far for the length filter below.
        if (Suggestions.HasAlias(name))
        {
            var list = candidates.ToList();
            if (Suggestions.Alias(name, list) is { } alias) return alias;
            candidates = list;
        }

        return Suggestions.Closest(name, candidates.Where(c => c.Length <= MaxLength && Math.Abs(c.Length - name.Length) <= 3));
    }

    private static DiagnosticBuilder At(SourceFile file, TextSpan span) => DiagnosticBuilder.At(file, span);

    private void Report(Diagnostic diagnostic) => _diagnostics.Add(diagnostic);

    /// <summary>The elements of a possibly-default array, without nulls.</summary>
    private static IEnumerable<T> Items<T>(ImmutableArray<T> items) where T : class =>
        items.IsDefault ? Enumerable.Empty<T>() : items.Where(i => i is not null);

    /// <summary>A short one-line excerpt of the source for messages.</summary>
    private static string Snippet(SourceFile file, TextSpan span)
    {
        var text = string.Join(" ", file.GetText(span).Split(new[] { '\r', '\n', '\t', ' ' }, StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 40 ? text : text.Substring(0, 37) + "...";
    }

    private static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
