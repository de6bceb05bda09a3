using System.Collections.Generic;
using Atlas.Compiler.Model;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Binding;

/// <summary>What a top-level name declares.</summary>
internal enum SymbolKind
{
    Provider,
    Route,
    Enum,
    Type,
    Agent,
    Human,
    Tool,
    Mcp,
    Knowledge,
    Workflow,
}

/// <summary>
/// One top-level declaration and what the binder learns about it. Mutable while binding runs;
/// never escapes the binder (the model holds only plain records).
/// </summary>
internal sealed class Symbol
{
    public Symbol(DeclarationSyntax syntax, SymbolKind kind, SourceFile file, int order)
    {
        Syntax = syntax;
        Kind = kind;
        File = file;
        Order = order;
        Name = syntax.Name.Name ?? "";
    }

    public string Name { get; }

    public SymbolKind Kind { get; }

    public DeclarationSyntax Syntax { get; }

    public SourceFile File { get; }

    /// <summary>Position in source order across all files, for stable "first one wins" choices.</summary>
    public int Order { get; }

    /// <summary>False for a second declaration of a name; it is checked but left out of the model.</summary>
    public bool IsPrimary { get; set; } = true;

    public Location NameLocation => File.GetLocation(Syntax.Name.Span);

    // ----- filled in by the passes -----

    /// <summary>An agent's <c>delegates</c> entries that name agents, as written (for the delegation cycle check).</summary>
    public List<IdentifierSyntax> Delegations { get; } = new();

    /// <summary>Enum members, in declaration order (first of each name).</summary>
    public List<string> Members { get; } = new();

    /// <summary>Record fields, in declaration order (first of each name).</summary>
    public List<FieldModel> Fields { get; } = new();

    /// <summary>Agent, human, tool and workflow parameters (first of each name).</summary>
    public List<ParameterModel> Parameters { get; } = new();

    public TypeRef Returns { get; set; } = TypeRef.Error;

    /// <summary>A provider's capabilities (declared or its kind's defaults).</summary>
    public List<string> Capabilities { get; } = new();

    /// <summary>The bound declaration, or null until (or unless) it binds.</summary>
    public object? Model { get; set; }

    /// <summary>How the kind reads in a sentence: "an agent", "a knowledge base".</summary>
    public static string Describe(SymbolKind kind) => kind switch
    {
        SymbolKind.Provider => "a provider",
        SymbolKind.Route => "a route",
        SymbolKind.Enum => "an enum",
        SymbolKind.Type => "a type",
        SymbolKind.Agent => "an agent",
        SymbolKind.Human => "a human",
        SymbolKind.Tool => "a tool",
        SymbolKind.Mcp => "an MCP server",
        SymbolKind.Knowledge => "a knowledge base",
        _ => "a workflow",
    };

    /// <summary>The capitalised kind for the start of a message: "Provider", "Knowledge base".</summary>
    public static string Title(SymbolKind kind) => kind switch
    {
        SymbolKind.Provider => "Provider",
        SymbolKind.Route => "Route",
        SymbolKind.Enum => "Enum",
        SymbolKind.Type => "Type",
        SymbolKind.Agent => "Agent",
        SymbolKind.Human => "Human",
        SymbolKind.Tool => "Tool",
        SymbolKind.Mcp => "MCP server",
        SymbolKind.Knowledge => "Knowledge base",
        _ => "Workflow",
    };
}
