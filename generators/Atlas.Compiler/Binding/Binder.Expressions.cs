using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Model;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Binding;

// Workflow expressions: names, members, calls, searches, literals, lists, objects, switch and for.
internal sealed partial class Binder
{
    private static readonly string[] WithAttributes = { "retry", "timeout" };
    private static readonly string[] SearchModes = { "hybrid", "vector", "keyword" };

    /// <summary>The metadata keys <c>kb.search(...)</c> filters on, each a named argument holding a pattern.</summary>
    private static readonly string[] SearchFilterKeys = { "source", "heading", "title", "format", "extension" };
    private const int DefaultSearchTop = 5;

    /// <summary>The types a literal can have, and those a switch can be over (for ATL2017).</summary>
    private static readonly string[] LiteralTypes = { "string", "int", "float", "bool" };
    private static readonly string[] SwitchableTypes = { "enum", "string", "int", "bool" };

    /// <summary>A callee's parameter as matching and messages see it.</summary>
    private readonly record struct ParameterSignature(string Name, string Display, bool IsRequired);

    private ExprModel BindExpression(ExpressionSyntax? syntax, WorkflowScope scope, int depth)
    {
        if (syntax is null) return new ErrorExpr();
        if (depth > MaxNesting)
        {
            if (!scope.ReportedNesting) Report(At(scope.File, syntax.Span).NestingTooDeep("expression", MaxNesting));
            scope.ReportedNesting = true;
            return new ErrorExpr();
        }

        return syntax switch
        {
            NameExpressionSyntax name => BindName(name.Name, scope),
            MemberAccessSyntax member => BindMemberAccess(member, scope, depth),
            CallExpressionSyntax call => BindCall(call, scope, depth),
            LiteralExpressionSyntax literal => BindLiteral(literal, scope.File),
            ListExpressionSyntax list => BindList(list, scope, depth),
            ObjectExpressionSyntax obj => BindObject(obj, scope, depth),
            SwitchExpressionSyntax switchExpression => BindSwitch(switchExpression, scope, depth),
            ForExpressionSyntax loop => BindFor(loop, scope, depth),
            _ => new ErrorExpr(),
        };
    }

    // ---------- names and members ----------

    private ExprModel? BindLocal(string name, WorkflowScope scope)
    {
        for (int i = scope.Variables.Count - 1; i >= 0; i--)
        {
            if (string.Equals(scope.Variables[i].Key, name, StringComparison.Ordinal)) return new RefExpr(RefKind.Variable, name, scope.Variables[i].Value);
        }

        if (scope.Parameters.TryGetValue(name, out var parameterType)) return new RefExpr(RefKind.Parameter, name, parameterType);

        if (scope.Steps.TryGetValue(name, out var step))
        {
            scope.Reads.Add(name);
            return new RefExpr(RefKind.Step, name, step.Value?.Type ?? TypeRef.Error);
        }

        return null;
    }

    private static string? DescribeLocal(string name, WorkflowScope scope)
    {
        if (scope.Variables.Any(v => string.Equals(v.Key, name, StringComparison.Ordinal))) return "a loop variable";
        if (scope.Parameters.ContainsKey(name)) return "a parameter";
        if (scope.Steps.ContainsKey(name)) return "a step";
        return null;
    }

    private ExprModel BindName(IdentifierSyntax? id, WorkflowScope scope)
    {
        if (id?.Name is null) return new ErrorExpr();
        if (BindLocal(id.Name, scope) is { } local) return local;

        if (Lookup(id.Name) is { } symbol)
        {
            MarkUsed(id.Name, scope.Workflow);
            Report(At(scope.File, id.Span).WrongKindOfName(id.Name, Symbol.Describe(symbol.Kind), "a value"));
        }
        else
        {
            Report(At(scope.File, id.Span).UnknownName(id.Name, Suggest(id.Name, scope.LocalNames)));
        }

        return new ErrorExpr();
    }

    private ExprModel BindMemberAccess(MemberAccessSyntax member, WorkflowScope scope, int depth)
    {
        if (member.Member?.Name is null) return new ErrorExpr();

        // `Category.billing`: an enum's name (unless a local hides it) followed by one of its members.
        if (member.Target is NameExpressionSyntax { Name.Name: { } targetName }
            && DescribeLocal(targetName, scope) is null
            && Lookup(targetName) is { Kind: SymbolKind.Enum } enumSymbol)
        {
            MarkUsed(targetName, scope.Workflow);
            if (enumSymbol.Members.Contains(member.Member.Name)) return new EnumValueExpr(targetName, member.Member.Name, new TypeRef(targetName, TypeKind.Enum));
            Report(At(scope.File, member.Member.Span).UnknownMember(targetName, member.Member.Name, Suggest(member.Member.Name, enumSymbol.Members)));
            return new ErrorExpr();
        }

        var target = BindExpression(member.Target, scope, depth + 1);
        var type = MemberType(target.Type, member.Member, scope.File);
        return type.Kind == TypeKind.Error ? new ErrorExpr() : new MemberExpr(target, member.Member.Name, type);
    }

    // ---------- calls ----------

    private ExprModel BindCall(CallExpressionSyntax call, WorkflowScope scope, int depth)
    {
        var options = BindWith(call.With, scope.File);

        if (call.Target is NameExpressionSyntax { Name: { Name: { } name } id })
        {
            var symbol = Lookup(name);
            if (symbol is { Kind: SymbolKind.Agent or SymbolKind.Human or SymbolKind.Tool or SymbolKind.Workflow })
            {
                MarkUsed(name, scope.Workflow);
                if (symbol.Kind == SymbolKind.Workflow) scope.Calls.Add(name);
                return BindInvocation(symbol, id, call, options, scope, depth);
            }

            const string Callable = "an agent, human, tool or workflow";
            if (symbol is { Kind: SymbolKind.Knowledge })
            {
                MarkUsed(name, scope.Workflow);
                Report(At(scope.File, id.Span).WrongKindOfName(name, "a knowledge base", Callable + $" (search it with `{name}.search(query)`)"));
            }
            else if (symbol is not null)
            {
                MarkUsed(name, scope.Workflow);
                Report(At(scope.File, id.Span).WrongKindOfName(name, Symbol.Describe(symbol.Kind), Callable));
            }
            else if (DescribeLocal(name, scope) is { } local)
            {
                Report(At(scope.File, id.Span).WrongKindOfName(name, local, Callable));
            }
            else
            {
                var candidates = NamesOf(SymbolKind.Agent, SymbolKind.Human, SymbolKind.Tool, SymbolKind.Workflow);
                Report(At(scope.File, id.Span).UnknownName(name, Suggest(name, candidates)));
            }
        }
        else if (call.Target is MemberAccessSyntax { Target: NameExpressionSyntax { Name.Name: { } knowledge }, Member: { Name: { } method } methodId }
                 && Lookup(knowledge) is { Kind: SymbolKind.Knowledge })
        {
            MarkUsed(knowledge, scope.Workflow);
            if (method == "search") return BindSearch(knowledge, call, options, scope, depth);
            Report(At(scope.File, methodId.Span).UnknownMember(knowledge, method, Suggest(method, new[] { "search" })));
        }
        else if (call.Target is not null && BindExpression(call.Target, scope, depth + 1) is not ErrorExpr)
        {
            Report(At(scope.File, call.Target.Span).WrongKindOfName(Snippet(scope.File, call.Target.Span), "a value", "an agent, human, tool, workflow or knowledge search"));
        }

        foreach (var argument in Items(call.Arguments)) BindExpression(argument.Value, scope, depth + 1);
        return new ErrorExpr();
    }

    private ExprModel BindInvocation(Symbol callee, IdentifierSyntax id, CallExpressionSyntax call, CallOptions options, WorkflowScope scope, int depth)
    {
        var parameters = callee.Parameters;
        var signature = parameters.Select(p => new ParameterSignature(p.Name, $"{p.Name}: {p.Type}", IsRequired: true)).ToList();
        var matched = MatchArguments(callee.Name, signature, call.Arguments, id.Span, scope, depth);

        var arguments = new List<ExprModel>();
        for (int i = 0; i < parameters.Count; i++)
        {
            var argument = matched[i];
            if (argument is null)
            {
                arguments.Add(new ErrorExpr());
                continue;
            }

            var value = BindExpression(argument.Value, scope, depth + 1);
            if (!IsAssignable(value.Type, parameters[i].Type))
            {
                Report(At(scope.File, argument.Value!.Span).ArgumentTypeMismatch(parameters[i].Name, callee.Name, parameters[i].Type, value.Type));
            }

            arguments.Add(value);
        }

        var kind = callee.Kind switch
        {
            SymbolKind.Agent => CallKind.Agent,
            SymbolKind.Human => CallKind.Human,
            SymbolKind.Tool => CallKind.Tool,
            _ => CallKind.Workflow,
        };
        return new CallExpr(kind, callee.Name, arguments.ToEquatableArray(), options, callee.Returns);
    }

    /// <summary>
    /// Matches positional then named arguments to parameters (by position, then by name). Reports a
    /// wrong count (ATL2004), unknown names (ATL2018), positional after named (ATL2035) and repeated ones (ATL2033); arguments that
    /// match no parameter are still bound, for their own diagnostics. The result has one slot per parameter.
    /// </summary>
    private ArgumentSyntax?[] MatchArguments(string callee, IReadOnlyList<ParameterSignature> parameters, ImmutableArray<ArgumentSyntax> arguments, TextSpan calleeSpan, WorkflowScope scope, int depth)
    {
        var matched = new ArgumentSyntax?[parameters.Count];
        var given = Items(arguments).ToList();
        int positional = 0;
        bool seenNamed = false;
        bool countReported = false;
        bool unknownNamed = false;

        foreach (var argument in given)
        {
            if (argument.Name?.Name is not { } name)
            {
                if (seenNamed)
                {
                    Report(At(scope.File, argument.Span).PositionalAfterNamed());
                    BindExpression(argument.Value, scope, depth + 1);
                }
                else if (positional < parameters.Count)
                {
                    matched[positional++] = argument;
                }
                else
                {
                    if (!countReported) ReportArgumentCount(callee, parameters, given.Count, argument.Span, scope.File);
                    countReported = true;
                    BindExpression(argument.Value, scope, depth + 1);
                }

                continue;
            }

            seenNamed = true;
            int index = -1;
            for (int i = 0; i < parameters.Count; i++)
            {
                if (string.Equals(parameters[i].Name, name, StringComparison.Ordinal)) index = i;
            }

            if (index < 0)
            {
                Report(At(scope.File, argument.Name.Span).UnknownArgument(callee, name, Suggest(name, parameters.Select(p => p.Name))));
                unknownNamed = true;
                BindExpression(argument.Value, scope, depth + 1);
            }
            else if (matched[index] is not null)
            {
                Report(At(scope.File, argument.Name.Span).RepeatedArgument(name, callee, isObjectField: false));
                BindExpression(argument.Value, scope, depth + 1);
            }
            else
            {
                matched[index] = argument;
            }
        }

        // A misspelled argument name already explains the missing parameter; don't report it twice.
        if (!countReported && !unknownNamed && parameters.Where((p, i) => p.IsRequired && matched[i] is null).Any())
        {
            ReportArgumentCount(callee, parameters, given.Count, calleeSpan, scope.File);
        }

        return matched;
    }

    private void ReportArgumentCount(string callee, IReadOnlyList<ParameterSignature> parameters, int given, TextSpan span, SourceFile file)
    {
        Report(At(file, span).ArgumentCountMismatch(callee, parameters.Count(p => p.IsRequired), parameters.Select(p => p.Display).ToList(), given));
    }

    /// <summary><c>kb.search(query, top = 5, mode = hybrid, min_score = 0.3, source = "docs/*", heading = "Refunds*")</c>.</summary>
    private ExprModel BindSearch(string knowledge, CallExpressionSyntax call, CallOptions options, WorkflowScope scope, int depth)
    {
        string callee = knowledge + ".search";
        var signature = new[]
        {
            new ParameterSignature("query", "query: string", IsRequired: true),
            new ParameterSignature("top", "top: int = 5", IsRequired: false),
            new ParameterSignature("mode", "mode = hybrid | vector | keyword", IsRequired: false),
            new ParameterSignature("min_score", "min_score: float", IsRequired: false),
        }.Concat(SearchFilterKeys.Select(key => new ParameterSignature(key, key + ": \"pattern\"", IsRequired: false))).ToArray();
        var calleeSpan = call.Target is MemberAccessSyntax { Member: { } member } ? member.Span : call.Span;
        var matched = MatchArguments(callee, signature, call.Arguments, calleeSpan, scope, depth);

        ExprModel query = new ErrorExpr();
        if (matched[0] is { } queryArgument)
        {
            query = BindExpression(queryArgument.Value, scope, depth + 1);
            if (!IsAssignable(query.Type, TypeRef.String))
            {
                Report(At(scope.File, queryArgument.Value!.Span).ArgumentTypeMismatch("query", callee, TypeRef.String, query.Type));
            }
        }

        int top = DefaultSearchTop;
        if (matched[1] is { } topArgument && ConstantNumber(topArgument, "top", "a whole number written out (e.g. `top = 5`)", scope, depth) is { } topNumber)
        {
            top = CheckInt("top", topNumber, scope.File, 1) ?? DefaultSearchTop;
        }

        var mode = SearchMode.Hybrid;
        if (matched[2] is { Value: { } modeValue })
        {
            if (modeValue is NameExpressionSyntax { Name: { Name: not null } modeName })
            {
                mode = CheckOption(modeName, scope.File, "search mode", SearchModes) switch
                {
                    "vector" => SearchMode.Vector,
                    "keyword" => SearchMode.Keyword,
                    _ => SearchMode.Hybrid,
                };
            }
            else
            {
                Report(At(scope.File, modeValue.Span).UnknownOption(Snippet(scope.File, modeValue.Span), "search mode", SearchModes, suggestion: null));
            }
        }

        double? minScore = null;
        if (matched[3] is { } scoreArgument && ConstantNumber(scoreArgument, "min_score", "a number written out (e.g. `min_score = 0.3`)", scope, depth) is { } scoreNumber)
        {
            minScore = scoreNumber.Value;
        }

        var where = new List<SearchFilter>();
        for (int i = 0; i < SearchFilterKeys.Length; i++)
        {
            if (matched[4 + i] is not { Value: { } filterValue }) continue;
            if (filterValue is LiteralExpressionSyntax { Value: StringValueSyntax pattern })
            {
                where.Add(new SearchFilter(SearchFilterKeys[i], pattern.Value));
            }
            else
            {
                var bound = BindExpression(filterValue, scope, depth + 1);
                if (bound is not ErrorExpr)
                {
                    Report(At(scope.File, filterValue.Span).InvalidAttributeValue(SearchFilterKeys[i], "a string written out (e.g. `source = \"docs/billing/*\"`)", "`" + Snippet(scope.File, filterValue.Span) + "`"));
                }
            }
        }

        // Filters in the order written, so the model (and generated code) doesn't depend on the parameter list's order.
        var written = call.Arguments.Select(a => a.Name?.Name).ToList();
        where.Sort((a, b) => written.IndexOf(a.Key).CompareTo(written.IndexOf(b.Key)));
        return new SearchExpr(knowledge, query, top, mode, minScore, options, TypeRef.Passage.AsList()) { Where = new EquatableArray<SearchFilter>(where) };
    }

    /// <summary>A number literal argument; anything else is bound for its own errors and reported as ATL2008.</summary>
    private NumberValueSyntax? ConstantNumber(ArgumentSyntax argument, string name, string expected, WorkflowScope scope, int depth)
    {
        if (argument.Value is LiteralExpressionSyntax { Value: NumberValueSyntax number }) return number;
        if (argument.Value is null) return null;
        var value = BindExpression(argument.Value, scope, depth + 1);
        if (value is not ErrorExpr)
        {
            Report(At(scope.File, argument.Value.Span).InvalidAttributeValue(name, expected, "`" + Snippet(scope.File, argument.Value.Span) + "`"));
        }

        return null;
    }

    /// <summary><c>with { retry = 3, timeout = 20s }</c>.</summary>
    private CallOptions BindWith(BlockSyntax? with, SourceFile file)
    {
        if (with is null) return CallOptions.None;
        var attributes = ReadBlock(with, file, "with", WithAttributes);
        int? retry = attributes.TryGetValue("retry", out var retryAttribute) ? ReadInt(retryAttribute, file, 0) : null;
        long? timeout = attributes.TryGetValue("timeout", out var timeoutAttribute) ? ReadTimeout(timeoutAttribute, file) : null;
        return new CallOptions(retry, timeout);
    }

    // ---------- literals, lists, objects ----------

    private ExprModel BindLiteral(LiteralExpressionSyntax literal, SourceFile file)
    {
        switch (literal.Value)
        {
            case StringValueSyntax s:
                return new LiteralExpr(LiteralKind.String, s.Value ?? "", TypeRef.String);
            case BoolValueSyntax b:
                return new LiteralExpr(LiteralKind.Bool, b.Value ? "true" : "false", TypeRef.Bool);
            case NumberValueSyntax n when n.IsInteger:
                // The tokenizer reports these (ATL0005) in text; this guards trees built otherwise.
                if (double.IsNaN(n.Value) || n.Value > int.MaxValue || n.Value < int.MinValue)
                {
                    Report(At(file, n.Span).InvalidNumber(n.Text, InvalidNumberReason.OutsideInt32));
                    return new ErrorExpr();
                }

                return new LiteralExpr(LiteralKind.Int, ((long)n.Value).ToString(CultureInfo.InvariantCulture), TypeRef.Int);
            case NumberValueSyntax n:
                if (double.IsNaN(n.Value) || double.IsInfinity(n.Value))
                {
                    Report(At(file, n.Span).InvalidNumber(n.Text, InvalidNumberReason.TooLarge));
                    return new ErrorExpr();
                }

                return new LiteralExpr(LiteralKind.Float, Invariant(n.Value), TypeRef.Float);
            case DurationValueSyntax d:
                Report(At(file, literal.Span).TypeMismatch(d.Text, LiteralTypes, "duration"));
                return new ErrorExpr();
            case { } other:
                Report(At(file, literal.Span).TypeMismatch(Snippet(file, literal.Span), LiteralTypes, DescribeValue(other)));
                return new ErrorExpr();
            default:
                return new ErrorExpr();
        }
    }

    private ExprModel BindList(ListExpressionSyntax list, WorkflowScope scope, int depth)
    {
        var items = new List<ExprModel>();
        TypeRef? element = null;
        foreach (var itemSyntax in Items(list.Items))
        {
            var item = BindExpression(itemSyntax, scope, depth + 1);
            items.Add(item);
            if (item.Type.Kind == TypeKind.Error) continue;
            if (item.Type.IsList)
            {
                Report(At(scope.File, itemSyntax.Span).TypeMismatch(Snippet(scope.File, itemSyntax.Span), new[] { (element ?? item.Type.Element).ToString() }, item.Type.ToString()));
                continue;
            }
            if (item.Type.IsOptional)
            {
                // Lists hold values, never nulls: the language has T[] and T[]?, no T?[].
                Report(At(scope.File, itemSyntax.Span).TypeMismatch(Snippet(scope.File, itemSyntax.Span), new[] { item.Type.Element.ToString() }, item.Type.ToString()));
                continue;
            }

            if (element is null)
            {
                element = item.Type;
            }
            else if (Unify(element, item.Type) is { } unified)
            {
                element = unified;
            }
            else
            {
                Report(At(scope.File, itemSyntax.Span).TypeMismatch(Snippet(scope.File, itemSyntax.Span), new[] { element.ToString() }, item.Type.ToString()));
            }
        }

        return new ListExpr(items.ToEquatableArray(), (element ?? TypeRef.Error).AsList());
    }

    private ExprModel BindObject(ObjectExpressionSyntax obj, WorkflowScope scope, int depth)
    {
        var typeId = obj.Type;
        var symbol = typeId?.Name is null ? null : Lookup(typeId.Name);
        if (typeId?.Name is null || symbol is not { Kind: SymbolKind.Type })
        {
            if (typeId?.Name is { } name)
            {
                if (symbol is not null)
                {
                    MarkUsed(name, scope.Workflow);
                    Report(At(scope.File, typeId.Span).WrongKindOfName(name, Symbol.Describe(symbol.Kind), "a record type"));
                }
                else if (Array.IndexOf(BuiltInTypeNames, name) >= 0)
                {
                    Report(At(scope.File, typeId.Span).WrongKindOfName(name, "a built-in type", "a declared record type"));
                }
                else
                {
                    Report(At(scope.File, typeId.Span).UnknownType(name, Suggest(name, NamesOf(SymbolKind.Type))));
                }
            }

            foreach (var field in Items(obj.Fields)) BindExpression(field.Value, scope, depth + 1);
            return new ErrorExpr();
        }

        MarkUsed(typeId.Name, scope.Workflow);
        var given = new Dictionary<string, ExprModel>(StringComparer.Ordinal);
        foreach (var initializer in Items(obj.Fields))
        {
            var value = BindExpression(initializer.Value, scope, depth + 1);
            if (initializer.Name?.Name is not { } fieldName) continue;

            var field = symbol.Fields.FirstOrDefault(f => string.Equals(f.Name, fieldName, StringComparison.Ordinal));
            if (field is null)
            {
                Report(At(scope.File, initializer.Name.Span).UnknownMember(typeId.Name, fieldName, Suggest(fieldName, symbol.Fields.Select(f => f.Name))));
            }
            else if (given.ContainsKey(fieldName))
            {
                Report(At(scope.File, initializer.Name.Span).RepeatedArgument(fieldName, typeId.Name, isObjectField: true));
            }
            else
            {
                if (!IsAssignable(value.Type, field.Type) && initializer.Value is not null)
                {
                    Report(At(scope.File, initializer.Value.Span).TypeMismatch(typeId.Name + "." + fieldName, new[] { field.Type.ToString() }, value.Type.ToString()));
                }

                given.Add(fieldName, value);
            }
        }

        foreach (var field in symbol.Fields)
        {
            if (!given.ContainsKey(field.Name) && !field.Type.IsOptional)
            {
                Report(At(scope.File, typeId.Span).MissingField(typeId.Name, field.Name));
            }
        }

        var values = symbol.Fields
            .Where(f => given.ContainsKey(f.Name))
            .Select(f => new FieldValue(f.Name, given[f.Name]))
            .ToEquatableArray();
        return new ObjectExpr(typeId.Name, values, new TypeRef(typeId.Name, TypeKind.Record));
    }

    // ---------- switch and for ----------

    private ExprModel BindSwitch(SwitchExpressionSyntax switchExpression, WorkflowScope scope, int depth)
    {
        var file = scope.File;
        var subject = BindExpression(switchExpression.Subject, scope, depth + 1);
        var subjectType = subject.Type;
        bool checkable = subjectType.Kind != TypeKind.Error;
        if (checkable && (subjectType.IsList || subjectType.Kind is not (TypeKind.Enum or TypeKind.String or TypeKind.Int or TypeKind.Bool)))
        {
            if (switchExpression.Subject is not null)
            {
                Report(At(file, switchExpression.Subject.Span).TypeMismatch(Snippet(file, switchExpression.Subject.Span), SwitchableTypes, subjectType.ToString()));
            }

            checkable = false;
        }

        var members = subjectType.Kind == TypeKind.Enum && Lookup(subjectType.Name) is { Kind: SymbolKind.Enum } enumSymbol
            ? enumSymbol.Members
            : new List<string>();

        var cases = new List<SwitchCaseModel>();
        var handled = new HashSet<string>(StringComparer.Ordinal);
        ExprModel? fallback = null;
        bool hasDiscard = false;
        TypeRef? resultType = null;
        TypeRef? firstType = null;

        foreach (var arm in Items(switchExpression.Cases))
        {
            var result = BindExpression(arm.Result, scope, depth + 1);
            if (result.Type.Kind != TypeKind.Error)
            {
                if (resultType is null)
                {
                    resultType = firstType = result.Type;
                }
                else if (Unify(resultType, result.Type) is { } unified)
                {
                    resultType = unified;
                }
                else if (arm.Result is not null)
                {
                    Report(At(file, arm.Result.Span).SwitchArmTypeMismatch(result.Type, firstType!));
                }
            }

            if (hasDiscard)
            {
                Report(At(file, arm.PatternSpan).UnreachableSwitchCase(alreadyHandledValue: null));
                continue;
            }

            if (arm.Pattern is null)
            {
                hasDiscard = true;
                fallback = result;
                continue;
            }

            if (!checkable) continue;
            var value = CheckPattern(arm.Pattern, subjectType, members, file);
            if (value is null) continue;
            if (!handled.Add(value))
            {
                Report(At(file, arm.PatternSpan).UnreachableSwitchCase(value));
                continue;
            }

            cases.Add(new SwitchCaseModel(value, result));
        }

        if (checkable && !hasDiscard)
        {
            var missing = subjectType.Kind switch
            {
                TypeKind.Enum => members.Where(m => !handled.Contains(m)).ToList(),
                TypeKind.Bool => new[] { "true", "false" }.Where(m => !handled.Contains(m)).ToList(),
                _ => null,
            };

            // Null lists nothing: every other string or number is unhandled.
            if (missing is not null && subjectType.IsOptional) missing.Add("null");
            if (missing is null || missing.Count > 0)
            {
                Report(At(file, switchExpression.KeywordSpan).NonExhaustiveSwitch(subjectType, missing));
            }
        }

        return new SwitchExpr(subject, cases.ToEquatableArray(), fallback, resultType ?? TypeRef.Error);
    }

    /// <summary>The case's value (an enum member's name or a literal's invariant text), or null after reporting ATL3009 or ATL3004.</summary>
    private string? CheckPattern(ValueSyntax pattern, TypeRef subject, List<string> members, SourceFile file)
    {
        switch (subject.Kind)
        {
            case TypeKind.Enum when pattern is NameValueSyntax { Name.Name: { } name } named:
                if (members.Contains(name)) return name;
                Report(At(file, named.Span).SwitchCaseNotAMember(name, subject.Name, Suggest(name, members)));
                return null;
            case TypeKind.String when pattern is StringValueSyntax { Value: { } text }:
                return text;
            case TypeKind.Int when pattern is NumberValueSyntax { IsInteger: true } number && Math.Abs(number.Value) <= int.MaxValue:
                return ((long)number.Value).ToString(CultureInfo.InvariantCulture);
            case TypeKind.Bool when pattern is BoolValueSyntax b:
                return b.Value ? "true" : "false";
        }

        string expected = subject.Kind switch
        {
            TypeKind.Enum => $"one of its members ({string.Join(", ", members)})",
            TypeKind.String => "a string",
            TypeKind.Int => "a whole number",
            _ => "`true` or `false`",
        };
        Report(At(file, pattern.Span).InvalidSwitchCase(subject, expected, DescribeValue(pattern)));
        return null;
    }

    private ExprModel BindFor(ForExpressionSyntax loop, WorkflowScope scope, int depth)
    {
        var file = scope.File;
        var source = BindExpression(loop.Source, scope, depth + 1);
        var element = TypeRef.Error;
        if (source.Type.Kind != TypeKind.Error && loop.Source is not null)
        {
            if (source.Type.IsList) element = source.Type.Element;
            else Report(At(file, loop.Source.Span).NotAList(Snippet(file, loop.Source.Span), source.Type));
        }

        int parallelism = 1;
        if (loop.Parallel is { } parallel)
        {
            if (!parallel.IsInteger || double.IsNaN(parallel.Value) || parallel.Value < 1 || parallel.Value > int.MaxValue)
            {
                Report(At(file, parallel.Span).AttributeOutOfRange("parallel", "a whole number of at least 1", parallel.Text));
            }
            else
            {
                parallelism = (int)parallel.Value;
            }
        }

        var variable = loop.Variable?.Name;
        if (variable is not null) scope.Variables.Add(new KeyValuePair<string, TypeRef>(variable, element));
        var body = BindExpression(loop.Body, scope, depth + 1);
        if (variable is not null) scope.Variables.RemoveAt(scope.Variables.Count - 1);

        var type = TypeRef.Error;
        if (body.Type.Kind != TypeKind.Error && loop.Body is not null)
        {
            if (body.Type.IsList || body.Type.IsOptional)
            {
                // The result is a list of the body's values: neither nested lists nor nulls (no T?[]).
                Report(At(file, loop.Body.Span).TypeMismatch(Snippet(file, loop.Body.Span), new[] { body.Type.Element.ToString() }, body.Type.ToString()));
            }
            else
            {
                type = body.Type.AsList();
            }
        }

        return new ForExpr(variable ?? "", source, parallelism, body, type);
    }
}
