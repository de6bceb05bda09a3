using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Atlas.Compiler.Text;
using Sprache;
using static Atlas.Compiler.Syntax.Tokens;

namespace Atlas.Compiler.Syntax;

// The grammar, one static field per rule of spec/language.md. Rules whose alternatives share a
// prefix (a name that may be followed by "(" or "{") are written out by hand so an error deep
// inside one alternative is reported where it is, not lost to the next alternative.
public static partial class AtlasParser
{
    /// <summary>Deeper nesting than this is an error, not a stack overflow.</summary>
    internal const int MaxNesting = 64;

    private static readonly Parser<TextSpan> OpenBrace = Symbol("{");
    private static readonly Parser<TextSpan> CloseBrace = Symbol("}");
    private static readonly Parser<TextSpan> OpenParen = Symbol("(");
    private static readonly Parser<TextSpan> CloseParen = Symbol(")");
    private static readonly Parser<TextSpan> OpenBracket = Symbol("[");
    private static readonly Parser<TextSpan> CloseBracket = Symbol("]");
    private static readonly Parser<TextSpan> Comma = Symbol(",");
    private static readonly Parser<TextSpan> Equal = Symbol("=");
    private static readonly Parser<TextSpan> Arrow = Symbol("->");
    private static readonly Parser<TextSpan> FatArrow = Symbol("=>");
    private static readonly Parser<TextSpan> Colon = Symbol(":");
    private static readonly Parser<TextSpan> Dot = Symbol(".");

    // ---------- values ----------

    internal static readonly Parser<ValueSyntax> BoolValue =
        Node(Keyword("true").Return(true).XOr(Keyword("false").Return(false)), (v, span) => (ValueSyntax)new BoolValueSyntax(v, span));

    internal static readonly Parser<ValueSyntax> Value = Nested(Defer(() => ValueRule!)).Named("a value");

    internal static readonly Parser<ImmutableArray<ValueSyntax>> ValueItems =
        (from item in Value
         from comma in Comma.Optional()
         select item).Items().Select(items => items.ToImmutableArray());

    internal static readonly Parser<ValueSyntax> ListValue = Node(
        from open in OpenBracket
        from items in ValueItems
        from close in CloseBracket
        select items,
        (items, span) => (ValueSyntax)new ListValueSyntax(items, span));

    internal static readonly Parser<AttributeSyntax> Attribute = Node(
        from name in Identifier
        from value in (from eq in Equal from v in Value select v).XOr(Defer(() => HeadlessBlockValue!))
        select (name, value),
        (a, span) => new AttributeSyntax(a.name, a.value, span));

    internal static readonly Parser<BlockSyntax> Block = Node(
        from open in OpenBrace
        from attributes in (from attribute in Attribute from comma in Comma.Optional() select attribute).Items()
        from close in CloseBrace
        select attributes.ToImmutableArray(),
        (attributes, span) => new BlockSyntax(attributes, span));

    internal static readonly Parser<ValueSyntax> HeadlessBlockValue =
        Node(Block, (block, span) => (ValueSyntax)new BlockValueSyntax(null, block, span));

    /// <summary><c>name</c>, <c>name(values)</c> or <c>name { attributes }</c>.</summary>
    internal static readonly Parser<ValueSyntax> NamedValue = input =>
    {
        var start = (ParseInput)input;
        var name = Identifier(start);
        if (!name.WasSuccessful) return Result.Failure<ValueSyntax>(name.Remainder, name.Message, name.Expectations);
        var rest = (ParseInput)name.Remainder;
        if (OpenParen(rest).WasSuccessful)
        {
            var call = (from open in OpenParen from args in ValueItems from close in CloseParen select args)(rest);
            if (!call.WasSuccessful) return Result.Failure<ValueSyntax>(call.Remainder, call.Message, call.Expectations);
            return Result.Success<ValueSyntax>(new CallValueSyntax(name.Value, call.Value, SpanOf(start, call.Remainder)), call.Remainder);
        }
        if (OpenBrace(rest).WasSuccessful)
        {
            var block = Block(rest);
            if (!block.WasSuccessful) return Result.Failure<ValueSyntax>(block.Remainder, block.Message, block.Expectations);
            return Result.Success<ValueSyntax>(new BlockValueSyntax(name.Value, block.Value, SpanOf(start, block.Remainder)), block.Remainder);
        }
        return Result.Success<ValueSyntax>(new NameValueSyntax(name.Value, name.Value.Span), rest);
    };

    private static readonly Parser<ValueSyntax> ValueRule =
        StringLiteral.Select(s => (ValueSyntax)s)
            .XOr(NumberOrDuration)
            .XOr(BoolValue)
            .XOr(ListValue)
            .XOr(HeadlessBlockValue)
            .XOr(NamedValue);

    // ---------- types and parameters ----------

    internal static readonly Parser<TypeRefSyntax> TypeRef = Node(
        from name in Identifier
        from list in (from open in OpenBracket from close in CloseBracket select true).XOptional()
        from optional in Symbol("?").XOptional()
        select (name, list: list.IsDefined, optional: optional.IsDefined),
        (t, span) => new TypeRefSyntax(t.name, t.list, t.optional, span));

    internal static readonly Parser<ParameterSyntax> Parameter = Node(
        from name in Name
        from colon in Colon
        from type in TypeRef
        select (name, type),
        (p, span) => new ParameterSyntax(p.name, p.type, span));

    internal static readonly Parser<ImmutableArray<ParameterSyntax>> Parameters =
        from open in OpenParen
        from parameters in Parameter.SeparatedBy(Comma).XOptional()
        from close in CloseParen
        select parameters.IsDefined ? parameters.Get().ToImmutableArray() : ImmutableArray<ParameterSyntax>.Empty;

    internal static readonly Parser<FieldSyntax> Field = Node(
        from name in Identifier
        from colon in Colon
        from type in TypeRef
        select (name, type),
        (f, span) => new FieldSyntax(f.name, f.type, span));

    // ---------- declarations ----------

    internal static readonly Parser<DeclarationSyntax> Provider = Node(
        from keyword in Keyword("provider") from name in Name from body in Block select (name, body),
        (d, span) => (DeclarationSyntax)new ProviderSyntax(d.name, d.body, span));

    internal static readonly Parser<DeclarationSyntax> Route = Node(
        from keyword in Keyword("route") from name in Name from body in Block select (name, body),
        (d, span) => (DeclarationSyntax)new RouteSyntax(d.name, d.body, span));

    internal static readonly Parser<DeclarationSyntax> Mcp = Node(
        from keyword in Keyword("mcp") from name in Name from body in Block select (name, body),
        (d, span) => (DeclarationSyntax)new McpSyntax(d.name, d.body, span));

    internal static readonly Parser<DeclarationSyntax> Knowledge = Node(
        from keyword in Keyword("knowledge") from name in Name from body in Block select (name, body),
        (d, span) => (DeclarationSyntax)new KnowledgeSyntax(d.name, d.body, span));

    internal static readonly Parser<DeclarationSyntax> Enum = Node(
        from keyword in Keyword("enum")
        from name in Name
        from open in OpenBrace
        from members in (from member in Identifier from comma in Comma.Optional() select member).Items()
        from close in CloseBrace
        select (name, members),
        (d, span) => (DeclarationSyntax)new EnumSyntax(d.name, d.members.ToImmutableArray(), span));

    internal static readonly Parser<DeclarationSyntax> Type = Node(
        from keyword in Keyword("type")
        from name in Name
        from open in OpenBrace
        from fields in (from field in Field from comma in Comma.Optional() select field).Items()
        from close in CloseBrace
        select (name, fields),
        (d, span) => (DeclarationSyntax)new TypeSyntax(d.name, d.fields.ToImmutableArray(), span));

    internal static readonly Parser<DeclarationSyntax> Agent = Node(
        from keyword in Keyword("agent")
        from name in Name
        from parameters in Parameters
        from arrow in Arrow
        from returns in TypeRef
        from body in Block
        select (name, parameters, returns, body),
        (d, span) => (DeclarationSyntax)new AgentSyntax(d.name, d.parameters, d.returns, d.body, span));

    internal static readonly Parser<DeclarationSyntax> Tool = Node(
        from keyword in Keyword("tool")
        from name in Name
        from parameters in Parameters
        from arrow in Arrow
        from returns in TypeRef
        select (name, parameters, returns),
        (d, span) => (DeclarationSyntax)new ToolSyntax(d.name, d.parameters, d.returns, span));

    internal static readonly Parser<StepSyntax> Step = Node(
        from name in Name
        from eq in Equal
        from value in Defer(() => Expression!)
        select (name, value),
        (s, span) => new StepSyntax(s.name, s.value, span));

    internal static readonly Parser<ReturnSyntax> Return = Node(
        from keyword in Keyword("return")
        from value in Defer(() => Expression!)
        select value,
        (value, span) => new ReturnSyntax(value, span));

    internal static readonly Parser<DeclarationSyntax> Workflow = Node(
        from keyword in Keyword("workflow")
        from name in Name
        from parameters in Parameters
        from arrow in Arrow
        from returns in TypeRef
        from open in OpenBrace
        from steps in Step.Items()
        from ret in Return.XOptional()
        from close in CloseBrace
        select (name, parameters, returns, steps, ret),
        (d, span) => (DeclarationSyntax)new WorkflowSyntax(
            d.name, d.parameters, d.returns, d.steps.ToImmutableArray(), d.ret.IsDefined ? d.ret.Get() : null, span));

    internal static readonly Parser<DeclarationSyntax> Declaration =
        Provider.XOr(Route).XOr(Enum).XOr(Type).XOr(Agent).XOr(Tool).XOr(Mcp).XOr(Knowledge).XOr(Workflow);

    internal static readonly string[] DeclarationKeywords =
        { "provider", "route", "enum", "type", "agent", "tool", "mcp", "knowledge", "workflow" };

    // ---------- expressions ----------

    internal static readonly Parser<ExpressionSyntax> Expression = Nested(Defer(() => ExpressionRule!)).Named("an expression");

    private static readonly Parser<ExpressionSyntax> Literal = Node(
        StringLiteral.Select(s => (ValueSyntax)s).XOr(NumberOrDuration).XOr(BoolValue),
        (value, span) => (ExpressionSyntax)new LiteralExpressionSyntax(value, span));

    private static readonly Parser<ExpressionSyntax> ListExpression = Node(
        from open in OpenBracket
        from items in (from item in Expression from comma in Comma.Optional() select item).Items()
        from close in CloseBracket
        select items.ToImmutableArray(),
        (items, span) => (ExpressionSyntax)new ListExpressionSyntax(items, span));

    private static readonly Parser<ExpressionSyntax> Parenthesized =
        from open in OpenParen
        from inner in Expression
        from close in CloseParen
        select inner;

    internal static readonly Parser<FieldInitializerSyntax> FieldInitializer = Node(
        from name in Identifier
        from eq in Equal
        from value in Expression
        select (name, value),
        (f, span) => new FieldInitializerSyntax(f.name, f.value, span));

    /// <summary>A name, or <c>Type { field = expr }</c> when objects are allowed here.</summary>
    private static Parser<ExpressionSyntax> NameOrObject(bool allowObject) => input =>
    {
        var start = (ParseInput)input;
        var name = Name(start);
        if (!name.WasSuccessful) return Result.Failure<ExpressionSyntax>(name.Remainder, name.Message, name.Expectations);
        var rest = (ParseInput)name.Remainder;
        if (allowObject && OpenBrace(rest).WasSuccessful)
        {
            var fields = (from open in OpenBrace
                          from inits in (from f in FieldInitializer from comma in Comma.Optional() select f).Items()
                          from close in CloseBrace
                          select inits)(rest);
            if (!fields.WasSuccessful) return Result.Failure<ExpressionSyntax>(fields.Remainder, fields.Message, fields.Expectations);
            return Result.Success<ExpressionSyntax>(
                new ObjectExpressionSyntax(name.Value, fields.Value.ToImmutableArray(), SpanOf(start, fields.Remainder)), fields.Remainder);
        }
        return Result.Success<ExpressionSyntax>(new NameExpressionSyntax(name.Value, name.Value.Span), rest);
    };

    private static readonly Parser<ArgumentSyntax> Argument = input =>
    {
        var start = (ParseInput)input;
        var name = Name(start);
        if (name.WasSuccessful)
        {
            var eq = Equal(name.Remainder);
            if (eq.WasSuccessful)
            {
                var named = Expression(eq.Remainder);
                if (!named.WasSuccessful) return Result.Failure<ArgumentSyntax>(named.Remainder, named.Message, named.Expectations);
                return Result.Success(new ArgumentSyntax(name.Value, named.Value, SpanOf(start, named.Remainder)), named.Remainder);
            }
        }
        var value = Expression(start);
        if (!value.WasSuccessful) return Result.Failure<ArgumentSyntax>(value.Remainder, value.Message, value.Expectations);
        return Result.Success(new ArgumentSyntax(null, value.Value, value.Value.Span), value.Remainder);
    };

    private static readonly Parser<ImmutableArray<ArgumentSyntax>> Arguments =
        from open in OpenParen
        from args in Argument.SeparatedBy(Comma).XOptional()
        from close in CloseParen
        select args.IsDefined ? args.Get().ToImmutableArray() : ImmutableArray<ArgumentSyntax>.Empty;

    private static readonly Parser<ExpressionSyntax> PrimaryWithObject =
        Literal.XOr(ListExpression).XOr(Parenthesized).XOr(NameOrObject(allowObject: true));

    private static readonly Parser<ExpressionSyntax> PrimaryWithoutObject =
        Literal.XOr(ListExpression).XOr(Parenthesized).XOr(NameOrObject(allowObject: false));

    /// <summary>A primary followed by any number of <c>.member</c> and <c>(args) [with { ... }]</c>.</summary>
    private static Parser<ExpressionSyntax> Postfix(bool allowObject)
    {
        var primary = allowObject ? PrimaryWithObject : PrimaryWithoutObject;
        var with = from keyword in Keyword("with") from block in Block select block;
        return input =>
        {
            var start = (ParseInput)input;
            var result = primary(start);
            if (!result.WasSuccessful) return result;
            var expression = result.Value;
            var rest = (ParseInput)result.Remainder;
            while (true)
            {
                if (Dot(rest).WasSuccessful)
                {
                    var member = (from dot in Dot from name in Identifier select name)(rest);
                    if (!member.WasSuccessful) return Result.Failure<ExpressionSyntax>(member.Remainder, member.Message, member.Expectations);
                    rest = (ParseInput)member.Remainder;
                    expression = new MemberAccessSyntax(expression, member.Value, SpanOf(start, rest));
                }
                else if (OpenParen(rest).WasSuccessful)
                {
                    var args = Arguments(rest);
                    if (!args.WasSuccessful) return Result.Failure<ExpressionSyntax>(args.Remainder, args.Message, args.Expectations);
                    rest = (ParseInput)args.Remainder;
                    var options = with.XOptional()(rest);
                    if (!options.WasSuccessful) return Result.Failure<ExpressionSyntax>(options.Remainder, options.Message, options.Expectations);
                    rest = (ParseInput)options.Remainder;
                    expression = new CallExpressionSyntax(expression, args.Value, options.Value.IsDefined ? options.Value.Get() : null, SpanOf(start, rest));
                }
                else
                {
                    return Result.Success(expression, rest);
                }
            }
        };
    }

    private static readonly Parser<ValueSyntax> Pattern =
        StringLiteral.Select(s => (ValueSyntax)s)
            .XOr(NumberOrDuration)
            .XOr(BoolValue)
            .XOr(Identifier.Select(id => (ValueSyntax)new NameValueSyntax(id, id.Span)));

    internal static readonly Parser<SwitchCaseSyntax> SwitchCase = Node(
        from pattern in Pattern
        from arrow in FatArrow
        from result in Expression
        select (pattern, result),
        (c, span) => new SwitchCaseSyntax(
            c.pattern is NameValueSyntax { Name.Name: "_" } ? null : c.pattern, c.result, c.pattern.Span, span));

    internal static readonly Parser<ExpressionSyntax> Switch = Node(
        from keyword in Keyword("switch")
        from subject in Postfix(allowObject: false)
        from open in OpenBrace
        from cases in (from c in SwitchCase from comma in Comma.Optional() select c).Items()
        from close in CloseBrace
        select (keyword, subject, cases),
        (s, span) => (ExpressionSyntax)new SwitchExpressionSyntax(s.subject, s.cases.ToImmutableArray(), s.keyword, span));

    private static readonly Parser<NumberValueSyntax> WholeNumber = input =>
    {
        var result = NumberOrDuration(input);
        if (result.WasSuccessful && result.Value is NumberValueSyntax number) return Result.Success(number, result.Remainder);
        return Fail<NumberValueSyntax>((ParseInput)input, "a number");
    };

    internal static readonly Parser<ExpressionSyntax> For = Node(
        from keyword in Keyword("for")
        from variable in Name
        from @in in Keyword("in")
        from source in Postfix(allowObject: false)
        from parallel in (from p in Keyword("parallel") from n in WholeNumber select n).XOptional()
        from arrow in FatArrow
        from body in Expression
        select (variable, source, parallel, body),
        (f, span) => (ExpressionSyntax)new ForExpressionSyntax(f.variable, f.source, f.parallel.IsDefined ? f.parallel.Get() : null, f.body, span));

    private static readonly Parser<ExpressionSyntax> ExpressionRule = Switch.XOr(For).XOr(Postfix(allowObject: true));

    // ---------- helpers ----------

    /// <summary>Runs <paramref name="inner"/> and builds a node from its value and the span it covered.</summary>
    internal static Parser<TNode> Node<TInner, TNode>(Parser<TInner> inner, Func<TInner, TextSpan, TNode> make) => input =>
    {
        var start = (ParseInput)input;
        var result = inner(start);
        if (!result.WasSuccessful) return Result.Failure<TNode>(result.Remainder, result.Message, result.Expectations);
        return Result.Success(make(result.Value, SpanOf(start, result.Remainder)), result.Remainder);
    };

    private static TextSpan SpanOf(ParseInput start, IInput remainder)
    {
        int end = Math.Max(start.Position, ((ParseInput)remainder).TokenEnd);
        return start.Context.ToFileSpan(start.Position, end);
    }

    /// <summary>
    /// A forward reference for recursive rules. Not Sprache's <c>Parse.Ref</c>: its left-recursion memo
    /// throws when XMany retries a rule at the same input, which every list does at its end.
    /// </summary>
    private static Parser<T> Defer<T>(Func<Parser<T>> reference)
    {
        Parser<T>? parser = null;
        return input => (parser ??= reference())(input);
    }

    /// <summary>Counts nesting so that <c>[[[[...</c> is an error rather than a stack overflow.</summary>
    private static Parser<T> Nested<T>(Parser<T> inner) => input =>
    {
        var p = (ParseInput)input;
        if (p.Context.Depth >= MaxNesting)
        {
            p.Context.TooDeep = true;
            return Result.Failure<T>(p, $"nesting deeper than {MaxNesting} levels", new[] { $"at most {MaxNesting} levels of nesting" });
        }
        p.Context.Depth++;
        try
        {
            return inner(p);
        }
        finally
        {
            p.Context.Depth--;
        }
    };
}
