using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Atlas.Compiler.Text;
using Sprache;
using static Atlas.Compiler.Syntax.ParserExtensions;
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
        Node(OneOf(new Expectation("`true`", "`false`"), Keyword("true").Return(true), Keyword("false").Return(false)), (v, span) => (ValueSyntax)new BoolValueSyntax(v, span));

    internal static readonly Parser<ValueSyntax> Value = Nested(Defer(() => ValueRule!));

    /// <summary>Items of a list or block may be separated by commas or just by line breaks.</summary>
    private static readonly Parser<bool> OptionalComma = input =>
    {
        var comma = Comma(input);
        return comma.WasSuccessful ? Result.Success(true, comma.Remainder) : Result.Success(false, input);
    };

    internal static readonly Parser<ImmutableArray<ValueSyntax>> ValueItems =
        Seq(Value, OptionalComma, (item, _) => item).Items().Select(items => items.ToImmutableArray());

    internal static readonly Parser<ValueSyntax> ListValue = Node(
        Seq(OpenBracket, ValueItems, CloseBracket, (_, items, _) => items),
        (items, span) => (ValueSyntax)new ListValueSyntax(items, span));

    internal static readonly Parser<AttributeSyntax> Attribute = Node(
        Seq(Identifier, OneOf(new Expectation("`=`", "`{`"), Seq(Equal, Value, (_, v) => v), Defer(() => NestedBlockValue!)), (name, value) => (name, value)),
        (a, span) => new AttributeSyntax(a.name, a.value, span));

    /// <summary>A block where a value has already counted the level (<c>x = { ... }</c>, <c>recursive { ... }</c>).</summary>
    private static readonly Parser<BlockSyntax> BlockBody = Node(
        Seq(OpenBrace, Seq(Attribute, OptionalComma, (a, _) => a).Items(), CloseBrace, (_, attributes, _) => attributes.ToImmutableArray()),
        (attributes, span) => new BlockSyntax(attributes, span));

    /// <summary>
    /// A block reached without a value around it (a declaration's body, <c>with { ... }</c>, a workflow's
    /// <c>budget { ... }</c>, the attribute form <c>name { ... }</c>): it counts a level itself, so
    /// <c>cost { a { a { ...</c> hits the nesting limit like <c>[[[...</c> does.
    /// </summary>
    internal static readonly Parser<BlockSyntax> Block = Nested(BlockBody);

    internal static readonly Parser<ValueSyntax> HeadlessBlockValue =
        Node(BlockBody, (block, span) => (ValueSyntax)new BlockValueSyntax(null, block, span));

    private static readonly Parser<ValueSyntax> NestedBlockValue =
        Node(Block, (block, span) => (ValueSyntax)new BlockValueSyntax(null, block, span));

    private static readonly Parser<ImmutableArray<ValueSyntax>> CallArguments = Seq(OpenParen, ValueItems, CloseParen, (_, args, _) => args);

    /// <summary><c>name</c>, <c>name(values)</c> or <c>name { attributes }</c>.</summary>
    internal static readonly Parser<ValueSyntax> NamedValue = input =>
    {
        var start = (ParseInput)input;
        var name = Identifier(start);
        if (!name.WasSuccessful) return Result.Failure<ValueSyntax>(name.Remainder, name.Message, name.Expectations);
        var rest = (ParseInput)name.Remainder;
        if (OpenParen(rest).WasSuccessful)
        {
            var call = CallArguments(rest);
            if (!call.WasSuccessful) return Result.Failure<ValueSyntax>(call.Remainder, call.Message, call.Expectations);
            return Result.Success<ValueSyntax>(new CallValueSyntax(name.Value, call.Value, SpanOf(start, call.Remainder)), call.Remainder);
        }
        if (OpenBrace(rest).WasSuccessful)
        {
            var block = BlockBody(rest);
            if (!block.WasSuccessful) return Result.Failure<ValueSyntax>(block.Remainder, block.Message, block.Expectations);
            return Result.Success<ValueSyntax>(new BlockValueSyntax(name.Value, block.Value, SpanOf(start, block.Remainder)), block.Remainder);
        }
        return Result.Success<ValueSyntax>(new NameValueSyntax(name.Value, name.Value.Span), rest);
    };

    private static readonly Parser<ValueSyntax> ValueRule = OneOf(
        new Expectation("a value"),
        StringLiteral.Select(v => (ValueSyntax)v), NumberOrDuration, BoolValue, ListValue, HeadlessBlockValue, NamedValue);

    // ---------- types and parameters ----------

    internal static readonly Parser<TypeRefSyntax> TypeRef = Node(
        Seq(Identifier,
            Seq(OpenBracket, CloseBracket, (_, _) => true).XOptional(),
            Symbol("?").XOptional(),
            (name, list, optional) => (name, list: list.IsDefined, optional: optional.IsDefined)),
        (t, span) => new TypeRefSyntax(t.name, t.list, t.optional, span));

    internal static readonly Parser<ParameterSyntax> Parameter = Node(
        Seq(Name, Colon, TypeRef, (name, _, type) => (name, type)),
        (p, span) => new ParameterSyntax(p.name, p.type, span));

    internal static readonly Parser<ImmutableArray<ParameterSyntax>> Parameters =
        Seq(OpenParen, Parameter.SeparatedBy(Comma).XOptional(), CloseParen,
            (_, parameters, _) => parameters.IsDefined ? parameters.Get().ToImmutableArray() : ImmutableArray<ParameterSyntax>.Empty);

    internal static readonly Parser<FieldSyntax> Field = Node(
        Seq(Identifier, Colon, TypeRef, (name, _, type) => (name, type)),
        (f, span) => new FieldSyntax(f.name, f.type, span));

    // ---------- declarations ----------

    internal static readonly Parser<DeclarationSyntax> Provider = Node(
        Seq(Keyword("provider"), Name, Block, (_, name, body) => (name, body)),
        (d, span) => (DeclarationSyntax)new ProviderSyntax(d.name, d.body, span));

    internal static readonly Parser<DeclarationSyntax> Route = Node(
        Seq(Keyword("route"), Name, Block, (_, name, body) => (name, body)),
        (d, span) => (DeclarationSyntax)new RouteSyntax(d.name, d.body, span));

    internal static readonly Parser<DeclarationSyntax> Mcp = Node(
        Seq(Keyword("mcp"), Name, Block, (_, name, body) => (name, body)),
        (d, span) => (DeclarationSyntax)new McpSyntax(d.name, d.body, span));

    internal static readonly Parser<DeclarationSyntax> Knowledge = Node(
        Seq(Keyword("knowledge"), Name, Block, (_, name, body) => (name, body)),
        (d, span) => (DeclarationSyntax)new KnowledgeSyntax(d.name, d.body, span));

    internal static readonly Parser<DeclarationSyntax> Enum = Node(
        Seq(Keyword("enum"), Name, OpenBrace, Seq(Identifier, OptionalComma, (m, _) => m).Items(), CloseBrace,
            (_, name, _, members, _) => (name, members)),
        (d, span) => (DeclarationSyntax)new EnumSyntax(d.name, d.members.ToImmutableArray(), span));

    internal static readonly Parser<DeclarationSyntax> Type = Node(
        Seq(Keyword("type"), Name, OpenBrace, Seq(Field, OptionalComma, (f, _) => f).Items(), CloseBrace,
            (_, name, _, fields, _) => (name, fields)),
        (d, span) => (DeclarationSyntax)new TypeSyntax(d.name, d.fields.ToImmutableArray(), span));

    private static readonly Parser<(IdentifierSyntax Name, ImmutableArray<ParameterSyntax> Parameters, TypeRefSyntax Returns)> Signature =
        Seq(Name, Parameters, Arrow, TypeRef, (name, parameters, _, returns) => (name, parameters, returns));

    internal static readonly Parser<DeclarationSyntax> Agent = Node(
        Seq(Keyword("agent"), Signature, Block, (_, signature, body) => (signature, body)),
        (d, span) => (DeclarationSyntax)new AgentSyntax(d.signature.Name, d.signature.Parameters, d.signature.Returns, d.body, span));

    internal static readonly Parser<DeclarationSyntax> Human = Node(
        Seq(Keyword("human"), Signature, Block, (_, signature, body) => (signature, body)),
        (d, span) => (DeclarationSyntax)new HumanSyntax(d.signature.Name, d.signature.Parameters, d.signature.Returns, d.body, span));

    internal static readonly Parser<DeclarationSyntax> Tool = Node(
        Seq(Keyword("tool"), Signature, Block.XOptional(), (_, signature, body) => (signature, body)),
        (d, span) => (DeclarationSyntax)new ToolSyntax(d.signature.Name, d.signature.Parameters, d.signature.Returns, span, d.body.IsDefined ? d.body.Get() : null));

    internal static readonly Parser<ReturnSyntax> Return = Node(
        Seq(Keyword("return"), Defer(() => Expression!), (_, value) => value),
        (value, span) => new ReturnSyntax(value, span));

    private static readonly Expectation StepOrSetting = new("`=`", "`{`");

    private static readonly Parser<ExpressionSyntax> StepValue =
        Seq(Equal, Defer(() => Expression!), (_, value) => value);

    /// <summary>
    /// One item of a workflow body: a step <c>name = expr</c>, or a setting <c>name { ... }</c>
    /// (<c>budget { usd = 0.5 }</c>). The token after the name decides, so a setting can never be
    /// read as a step; any other token is the step's missing <c>=</c>.
    /// </summary>
    internal static readonly Parser<SyntaxNode> WorkflowItem = input =>
    {
        var start = (ParseInput)input;
        var name = Name(start);
        if (!name.WasSuccessful) return Result.Failure<SyntaxNode>(name.Remainder, name.Message, name.Expectations);
        if (OpenBrace(name.Remainder).WasSuccessful)
        {
            var block = Block(name.Remainder);
            if (!block.WasSuccessful) return Result.Failure<SyntaxNode>(block.Remainder, block.Message, block.Expectations);
            var span = SpanOf(start, block.Remainder);
            var value = new BlockValueSyntax(null, block.Value, block.Value.Span);
            return Result.Success<SyntaxNode>(new AttributeSyntax(name.Value, value, span), block.Remainder);
        }

        if (!Equal(name.Remainder).WasSuccessful) return Result.Failure<SyntaxNode>(name.Remainder, StepOrSetting.Message, StepOrSetting.Items);
        var step = StepValue(name.Remainder);
        if (!step.WasSuccessful) return Result.Failure<SyntaxNode>(step.Remainder, step.Message, step.Expectations);
        return Result.Success<SyntaxNode>(new StepSyntax(name.Value, step.Value, SpanOf(start, step.Remainder)), step.Remainder);
    };

    internal static readonly Parser<DeclarationSyntax> Workflow = Node(
        Seq(Keyword("workflow"), Signature, OpenBrace, WorkflowItem.Items(), Return.XOptional(), CloseBrace,
            (_, signature, _, items, ret, _) => (signature, items: items.ToList(), ret)),
        (d, span) => (DeclarationSyntax)new WorkflowSyntax(
            d.signature.Name,
            d.signature.Parameters,
            d.signature.Returns,
            d.items.OfType<StepSyntax>().ToImmutableArray(),
            d.ret.IsDefined ? d.ret.Get() : null,
            span,
            d.items.OfType<AttributeSyntax>().ToImmutableArray()));

    internal static readonly Parser<DeclarationSyntax> Declaration =
        OneOf(new Expectation("a declaration"), Provider, Route, Enum, Type, Agent, Human, Tool, Mcp, Knowledge, Workflow);

    internal static readonly string[] DeclarationKeywords =
        { "provider", "route", "enum", "type", "agent", "human", "tool", "mcp", "knowledge", "workflow" };

    // ---------- expressions ----------

    internal static readonly Parser<ExpressionSyntax> Expression = Nested(Defer(() => ExpressionRule!));

    private static readonly Parser<ExpressionSyntax> Literal = Node(
        OneOf(new Expectation("a literal"), StringLiteral.Select(s => (ValueSyntax)s), NumberOrDuration, BoolValue),
        (value, span) => (ExpressionSyntax)new LiteralExpressionSyntax(value, span));

    private static readonly Parser<ExpressionSyntax> ListExpression = Node(
        Seq(OpenBracket, Seq(Expression, OptionalComma, (e, _) => e).Items(), CloseBracket, (_, items, _) => items.ToImmutableArray()),
        (items, span) => (ExpressionSyntax)new ListExpressionSyntax(items, span));

    private static readonly Parser<ExpressionSyntax> Parenthesized =
        Seq(OpenParen, Expression, CloseParen, (_, inner, _) => inner);

    internal static readonly Parser<FieldInitializerSyntax> FieldInitializer = Node(
        Seq(Identifier, Equal, Expression, (name, _, value) => (name, value)),
        (f, span) => new FieldInitializerSyntax(f.name, f.value, span));

    private static readonly Parser<IEnumerable<FieldInitializerSyntax>> FieldInitializers =
        Seq(OpenBrace, Seq(FieldInitializer, OptionalComma, (f, _) => f).Items(), CloseBrace, (_, inits, _) => inits);

    /// <summary>A name, or <c>Type { field = expr }</c> when objects are allowed here.</summary>
    private static Parser<ExpressionSyntax> NameOrObject(bool allowObject) => input =>
    {
        var start = (ParseInput)input;
        var name = Name(start);
        if (!name.WasSuccessful) return Result.Failure<ExpressionSyntax>(name.Remainder, name.Message, name.Expectations);
        var rest = (ParseInput)name.Remainder;
        if (allowObject && OpenBrace(rest).WasSuccessful)
        {
            var fields = FieldInitializers(rest);
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
        Seq(OpenParen, Argument.SeparatedBy(Comma).XOptional(), CloseParen,
            (_, args, _) => args.IsDefined ? args.Get().ToImmutableArray() : ImmutableArray<ArgumentSyntax>.Empty);

    private static readonly Parser<ExpressionSyntax> PrimaryWithObject =
        OneOf(new Expectation("an expression"), Literal, ListExpression, Parenthesized, NameOrObject(allowObject: true));

    private static readonly Parser<ExpressionSyntax> PrimaryWithoutObject =
        OneOf(new Expectation("an expression"), Literal, ListExpression, Parenthesized, NameOrObject(allowObject: false));

    private static readonly Parser<IdentifierSyntax> DotMember = Seq(Dot, Identifier, (_, name) => name);

    /// <summary>A primary followed by any number of <c>.member</c> and <c>(args) [with { ... }]</c>.</summary>
    private static Parser<ExpressionSyntax> Postfix(bool allowObject)
    {
        var primary = allowObject ? PrimaryWithObject : PrimaryWithoutObject;
        var with = Seq(Keyword("with"), Block, (_, block) => block);
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
                    var member = DotMember(rest);
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
        OneOf(
            new Expectation("a case (`_`, a name or a literal)"),
            StringLiteral.Select(s => (ValueSyntax)s),
            NumberOrDuration,
            BoolValue,
            Identifier.Select(id => (ValueSyntax)new NameValueSyntax(id, id.Span)));

    internal static readonly Parser<SwitchCaseSyntax> SwitchCase = Node(
        Seq(Pattern, FatArrow, Expression, (pattern, _, result) => (pattern, result)),
        (c, span) => new SwitchCaseSyntax(
            c.pattern is NameValueSyntax { Name.Name: "_" } ? null : c.pattern, c.result, c.pattern.Span, span));

    internal static readonly Parser<ExpressionSyntax> Switch = Node(
        Seq(Keyword("switch"), Postfix(allowObject: false), OpenBrace, Seq(SwitchCase, OptionalComma, (c, _) => c).Items(), CloseBrace,
            (keyword, subject, _, cases, _) => (keyword, subject, cases)),
        (s, span) => (ExpressionSyntax)new SwitchExpressionSyntax(s.subject, s.cases.ToImmutableArray(), s.keyword, span));

    private static readonly Parser<NumberValueSyntax> WholeNumber = input =>
    {
        var result = NumberOrDuration(input);
        if (result.WasSuccessful && result.Value is NumberValueSyntax number) return Result.Success(number, result.Remainder);
        return Fail<NumberValueSyntax>((ParseInput)input, Expectation.Number);
    };

    internal static readonly Parser<ExpressionSyntax> For = Node(
        Seq(Seq(Keyword("for"), Name, Keyword("in"), Postfix(allowObject: false), (_, variable, _, source) => (variable, source)),
            Seq(Keyword("parallel"), WholeNumber, (_, n) => n).XOptional(),
            FatArrow,
            Expression,
            (head, parallel, _, body) => (head.variable, head.source, parallel, body)),
        (f, span) => (ExpressionSyntax)new ForExpressionSyntax(f.variable, f.source, f.parallel.IsDefined ? f.parallel.Get() : null, f.body, span));

    private static readonly Parser<ExpressionSyntax> ExpressionRule = OneOf(new Expectation("an expression"), Switch, For, Postfix(allowObject: true));

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
