using System.Collections.Immutable;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Syntax;

/// <summary>
/// The declarations of one source file, as written. Both the .atlas parser and the YAML loader
/// produce this tree; every node's span is an offset range in <see cref="File"/>.
/// </summary>
public sealed record SyntaxTree(SourceFile File, ImmutableArray<DeclarationSyntax> Declarations);

public abstract record SyntaxNode(TextSpan Span);

public sealed record IdentifierSyntax(string Name, TextSpan Span) : SyntaxNode(Span)
{
    public override string ToString() => Name;
}

// ---------- declarations ----------

public abstract record DeclarationSyntax(IdentifierSyntax Name, TextSpan Span) : SyntaxNode(Span)
{
    /// <summary>The keyword that starts it, e.g. "agent"; used in messages.</summary>
    public abstract string Keyword { get; }
}

/// <summary><c>provider name { ... }</c></summary>
public sealed record ProviderSyntax(IdentifierSyntax Name, BlockSyntax Body, TextSpan Span) : DeclarationSyntax(Name, Span)
{
    public override string Keyword => "provider";
}

/// <summary><c>route name { ... }</c></summary>
public sealed record RouteSyntax(IdentifierSyntax Name, BlockSyntax Body, TextSpan Span) : DeclarationSyntax(Name, Span)
{
    public override string Keyword => "route";
}

/// <summary><c>mcp name { command = ..., args = [...] }</c></summary>
public sealed record McpSyntax(IdentifierSyntax Name, BlockSyntax Body, TextSpan Span) : DeclarationSyntax(Name, Span)
{
    public override string Keyword => "mcp";
}

/// <summary><c>knowledge name { sources = ..., chunking = ..., embedder = ..., store = ... }</c></summary>
public sealed record KnowledgeSyntax(IdentifierSyntax Name, BlockSyntax Body, TextSpan Span) : DeclarationSyntax(Name, Span)
{
    public override string Keyword => "knowledge";
}

/// <summary><c>enum Name { a, b, c }</c></summary>
public sealed record EnumSyntax(IdentifierSyntax Name, ImmutableArray<IdentifierSyntax> Members, TextSpan Span) : DeclarationSyntax(Name, Span)
{
    public override string Keyword => "enum";
}

/// <summary><c>type Name { field: Type ... }</c></summary>
public sealed record TypeSyntax(IdentifierSyntax Name, ImmutableArray<FieldSyntax> Fields, TextSpan Span) : DeclarationSyntax(Name, Span)
{
    public override string Keyword => "type";
}

public sealed record FieldSyntax(IdentifierSyntax Name, TypeRefSyntax Type, TextSpan Span) : SyntaxNode(Span);

/// <summary>A type as written: <c>Name</c>, <c>Name[]</c>, <c>Name?</c>, <c>Name[]?</c>.</summary>
public sealed record TypeRefSyntax(IdentifierSyntax Name, bool IsList, bool IsOptional, TextSpan Span) : SyntaxNode(Span)
{
    public override string ToString() => Name.Name + (IsList ? "[]" : "") + (IsOptional ? "?" : "");
}

public sealed record ParameterSyntax(IdentifierSyntax Name, TypeRefSyntax Type, TextSpan Span) : SyntaxNode(Span);

/// <summary><c>agent name(params) -> Result { model = ..., prompt = ... }</c></summary>
public sealed record AgentSyntax(
    IdentifierSyntax Name,
    ImmutableArray<ParameterSyntax> Parameters,
    TypeRefSyntax Returns,
    BlockSyntax Body,
    TextSpan Span) : DeclarationSyntax(Name, Span)
{
    public override string Keyword => "agent";
}

/// <summary><c>human name(params) -> Result { prompt = ..., timeout = ... }</c>: typed like an agent, answered by a person.</summary>
public sealed record HumanSyntax(
    IdentifierSyntax Name,
    ImmutableArray<ParameterSyntax> Parameters,
    TypeRefSyntax Returns,
    BlockSyntax Body,
    TextSpan Span) : DeclarationSyntax(Name, Span)
{
    public override string Keyword => "human";
}

/// <summary><c>tool name(params) -> Result</c>, optionally with a block of attributes (<c>{ read_only = true }</c>).</summary>
public sealed record ToolSyntax(
    IdentifierSyntax Name,
    ImmutableArray<ParameterSyntax> Parameters,
    TypeRefSyntax Returns,
    TextSpan Span,
    BlockSyntax? Body = null) : DeclarationSyntax(Name, Span)
{
    public override string Keyword => "tool";
}

/// <summary>
/// <c>workflow name(params) -> Result { step = expr ... budget { ... } ... return expr }</c>.
/// <see cref="Settings"/> are the body's <c>name { ... }</c> blocks (no <c>=</c>, so never a step), such as <c>budget</c>.
/// </summary>
public sealed record WorkflowSyntax(
    IdentifierSyntax Name,
    ImmutableArray<ParameterSyntax> Parameters,
    TypeRefSyntax Returns,
    ImmutableArray<StepSyntax> Steps,
    ReturnSyntax? Return,
    TextSpan Span,
    ImmutableArray<AttributeSyntax> Settings = default) : DeclarationSyntax(Name, Span)
{
    public override string Keyword => "workflow";
}

public sealed record StepSyntax(IdentifierSyntax Name, ExpressionSyntax Value, TextSpan Span) : SyntaxNode(Span);

/// <summary><c>return expr</c>; <see cref="SyntaxNode.Span"/> covers the keyword.</summary>
public sealed record ReturnSyntax(ExpressionSyntax Value, TextSpan Span) : SyntaxNode(Span);

// ---------- attribute blocks (configuration values) ----------

/// <summary><c>{ name = value, name { ... } }</c></summary>
public sealed record BlockSyntax(ImmutableArray<AttributeSyntax> Attributes, TextSpan Span) : SyntaxNode(Span);

/// <summary><c>name = value</c>, or <c>name { ... }</c> (then <see cref="Value"/> is a head-less <see cref="BlockValueSyntax"/>).</summary>
public sealed record AttributeSyntax(IdentifierSyntax Name, ValueSyntax Value, TextSpan Span) : SyntaxNode(Span);

public abstract record ValueSyntax(TextSpan Span) : SyntaxNode(Span)
{
    /// <summary>How the value is described in messages: "a string", "a number", ...</summary>
    public abstract string Describe();
}

/// <summary>
/// A string; <see cref="Map"/> maps each character of the decoded <see cref="Value"/> to its file offset.
/// <see cref="IsBareYamlScalar"/> marks a YAML plain scalar that did not parse as another value.
/// </summary>
public sealed record StringValueSyntax(string Value, SourceMap Map, TextSpan Span, bool IsBareYamlScalar = false) : ValueSyntax(Span)
{
    public override string Describe() => "a string";
}

/// <summary>A number as written; <see cref="IsInteger"/> when it has no fraction or exponent.</summary>
public sealed record NumberValueSyntax(double Value, bool IsInteger, string Text, TextSpan Span) : ValueSyntax(Span)
{
    public override string Describe() => "a number";
}

public sealed record BoolValueSyntax(bool Value, TextSpan Span) : ValueSyntax(Span)
{
    public override string Describe() => "a boolean";
}

/// <summary><c>500ms</c>, <c>20s</c>, <c>2m</c>, <c>1h</c>.</summary>
/// <remarks><paramref name="IsValid"/> is false when the duration was already reported (a bad unit, too long): no range check repeats it.</remarks>
public sealed record DurationValueSyntax(long Milliseconds, string Text, TextSpan Span, bool IsValid = true) : ValueSyntax(Span)
{
    public override string Describe() => "a duration";
}

public sealed record ListValueSyntax(ImmutableArray<ValueSyntax> Items, TextSpan Span) : ValueSyntax(Span)
{
    public override string Describe() => "a list";
}

/// <summary>A bare name: an option keyword (<c>kind = openai</c>) or a reference (<c>model = smart</c>).</summary>
public sealed record NameValueSyntax(IdentifierSyntax Name, TextSpan Span) : ValueSyntax(Span)
{
    public override string Describe() => $"the name `{Name.Name}`";
}

/// <summary><c>env("KEY")</c>, <c>sqlite("file.db")</c>, <c>chroma("http://...")</c>.</summary>
public sealed record CallValueSyntax(IdentifierSyntax Name, ImmutableArray<ValueSyntax> Arguments, TextSpan Span) : ValueSyntax(Span)
{
    public override string Describe() => $"`{Name.Name}(...)`";
}

/// <summary><c>recursive { size = 800 }</c> (with <see cref="Head"/>) or <c>{ input = 0.15 }</c> (without).</summary>
public sealed record BlockValueSyntax(IdentifierSyntax? Head, BlockSyntax Block, TextSpan Span) : ValueSyntax(Span)
{
    public override string Describe() => Head is null ? "a block" : $"`{Head.Name} {{ ... }}`";
}

// ---------- workflow expressions ----------

public abstract record ExpressionSyntax(TextSpan Span) : SyntaxNode(Span);

/// <summary>A parameter, step, loop variable or declaration name.</summary>
public sealed record NameExpressionSyntax(IdentifierSyntax Name, TextSpan Span) : ExpressionSyntax(Span);

/// <summary><c>target.member</c></summary>
public sealed record MemberAccessSyntax(ExpressionSyntax Target, IdentifierSyntax Member, TextSpan Span) : ExpressionSyntax(Span);

/// <summary><c>target(args) [with { retry = 3, timeout = 20s }]</c>; target is a name or <c>knowledge.search</c>.</summary>
public sealed record CallExpressionSyntax(
    ExpressionSyntax Target,
    ImmutableArray<ArgumentSyntax> Arguments,
    BlockSyntax? With,
    TextSpan Span) : ExpressionSyntax(Span);

/// <summary>A positional (<see cref="Name"/> null) or named (<c>top = 5</c>) argument.</summary>
public sealed record ArgumentSyntax(IdentifierSyntax? Name, ExpressionSyntax Value, TextSpan Span) : SyntaxNode(Span);

/// <summary>A string, number, boolean or duration in an expression.</summary>
public sealed record LiteralExpressionSyntax(ValueSyntax Value, TextSpan Span) : ExpressionSyntax(Span);

/// <summary><c>[a, b, c]</c></summary>
public sealed record ListExpressionSyntax(ImmutableArray<ExpressionSyntax> Items, TextSpan Span) : ExpressionSyntax(Span);

/// <summary><c>Type { field = expr, ... }</c></summary>
public sealed record ObjectExpressionSyntax(IdentifierSyntax Type, ImmutableArray<FieldInitializerSyntax> Fields, TextSpan Span) : ExpressionSyntax(Span);

public sealed record FieldInitializerSyntax(IdentifierSyntax Name, ExpressionSyntax Value, TextSpan Span) : SyntaxNode(Span);

/// <summary><c>switch subject { pattern => expr ... _ => expr }</c>; <see cref="KeywordSpan"/> covers <c>switch</c>.</summary>
public sealed record SwitchExpressionSyntax(
    ExpressionSyntax Subject,
    ImmutableArray<SwitchCaseSyntax> Cases,
    TextSpan KeywordSpan,
    TextSpan Span) : ExpressionSyntax(Span);

/// <summary>One arm; <see cref="Pattern"/> is null for the discard <c>_</c>.</summary>
public sealed record SwitchCaseSyntax(ValueSyntax? Pattern, ExpressionSyntax Result, TextSpan PatternSpan, TextSpan Span) : SyntaxNode(Span);

/// <summary><c>for x in source [parallel N] => body</c></summary>
public sealed record ForExpressionSyntax(
    IdentifierSyntax Variable,
    ExpressionSyntax Source,
    NumberValueSyntax? Parallel,
    ExpressionSyntax Body,
    TextSpan Span) : ExpressionSyntax(Span);

// ---------- templates (prompt and instruction strings) ----------

public sealed record TemplateSyntax(ImmutableArray<TemplatePartSyntax> Parts, TextSpan Span) : SyntaxNode(Span);

public abstract record TemplatePartSyntax(TextSpan Span) : SyntaxNode(Span);

/// <summary>Literal text between <c>{{ }}</c> tags.</summary>
public sealed record TemplateTextSyntax(string Text, TextSpan Span) : TemplatePartSyntax(Span);

/// <summary><c>{{a.b.c}}</c></summary>
public sealed record TemplatePathSyntax(ImmutableArray<IdentifierSyntax> Path, TextSpan Span) : TemplatePartSyntax(Span);

/// <summary><c>{{for x in a.b}} ... {{end}}</c></summary>
public sealed record TemplateForSyntax(
    IdentifierSyntax Variable,
    ImmutableArray<IdentifierSyntax> Source,
    ImmutableArray<TemplatePartSyntax> Body,
    TextSpan Span) : TemplatePartSyntax(Span);
