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

    /// <summary>A callee's parameter as matching and messages see it.</summary>
    private readonly record struct ParameterSignature(string Name, string Display, bool IsRequired);

    private ExprModel BindExpression(ExpressionSyntax? syntax, WorkflowScope scope, int depth)
    {
        if (syntax is null) return new ErrorExpr();
        if (depth > MaxNesting)
        {
            if (!scope.ReportedNesting) Report(DiagnosticDescriptors.NestingTooDeep, scope.File, syntax.Span, "expression", MaxNesting);
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
            Report(DiagnosticDescriptors.WrongKindOfName, scope.File, id.Span, id.Name, Symbol.Describe(symbol.Kind), "a value");
        }
        else
        {
            Report(DiagnosticDescriptors.UnknownName, scope.File, id.Span, id.Name, DidYouMean(id.Name, scope.LocalNames));
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
            Report(DiagnosticDescriptors.UnknownMember, scope.File, member.Member.Span, targetName, member.Member.Name, DidYouMean(member.Member.Name, enumSymbol.Members));
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
            if (symbol is { Kind: SymbolKind.Agent or SymbolKind.Tool or SymbolKind.Workflow })
            {
                MarkUsed(name, scope.Workflow);
                if (symbol.Kind == SymbolKind.Workflow) scope.Calls.Add(name);
                return BindInvocation(symbol, id, call, options, scope, depth);
            }

            const string Callable = "an agent, tool or workflow";
            if (symbol is { Kind: SymbolKind.Knowledge })
            {
                MarkUsed(name, scope.Workflow);
                Report(DiagnosticDescriptors.WrongKindOfName, scope.File, id.Span, name, "a knowledge base", Callable + $" (search it with `{name}.search(query)`)");
            }
            else if (symbol is not null)
            {
                MarkUsed(name, scope.Workflow);
                Report(DiagnosticDescriptors.WrongKindOfName, scope.File, id.Span, name, Symbol.Describe(symbol.Kind), Callable);
            }
            else if (DescribeLocal(name, scope) is { } local)
            {
                Report(DiagnosticDescriptors.WrongKindOfName, scope.File, id.Span, name, local, Callable);
            }
            else
            {
                var candidates = NamesOf(SymbolKind.Agent, SymbolKind.Tool, SymbolKind.Workflow);
                Report(DiagnosticDescriptors.UnknownName, scope.File, id.Span, name, DidYouMean(name, candidates));
            }
        }
        else if (call.Target is MemberAccessSyntax { Target: NameExpressionSyntax { Name.Name: { } knowledge }, Member: { Name: { } method } methodId }
                 && Lookup(knowledge) is { Kind: SymbolKind.Knowledge })
        {
            MarkUsed(knowledge, scope.Workflow);
            if (method == "search") return BindSearch(knowledge, call, options, scope, depth);
            Report(DiagnosticDescriptors.UnknownMember, scope.File, methodId.Span, knowledge, method, DidYouMean(method, new[] { "search" }));
        }
        else if (call.Target is not null && BindExpression(call.Target, scope, depth + 1) is not ErrorExpr)
        {
            Report(DiagnosticDescriptors.WrongKindOfName, scope.File, call.Target.Span, Snippet(scope.File, call.Target.Span), "a value", "an agent, tool, workflow or knowledge search");
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
                Report(DiagnosticDescriptors.ArgumentTypeMismatch, scope.File, argument.Value!.Span, parameters[i].Name, callee.Name, parameters[i].Type.ToString(), value.Type.ToString());
            }

            arguments.Add(value);
        }

        var kind = callee.Kind switch
        {
            SymbolKind.Agent => CallKind.Agent,
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
                    Report(DiagnosticDescriptors.PositionalAfterNamed, scope.File, argument.Span);
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
                string suggestion = DidYouMean(name, parameters.Select(p => p.Name));
                Report(DiagnosticDescriptors.UnknownArgument, scope.File, argument.Name.Span, $"`{callee}` has no parameter `{name}`{suggestion}");
                unknownNamed = true;
                BindExpression(argument.Value, scope, depth + 1);
            }
            else if (matched[index] is not null)
            {
                Report(DiagnosticDescriptors.RepeatedArgument, scope.File, argument.Name.Span, name, $"given to `{callee}`", "pass");
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
        int required = parameters.Count(p => p.IsRequired);
        string Count(int n) => n.ToString(CultureInfo.InvariantCulture) + (n == 1 ? " argument" : " arguments");
        string takes = required == parameters.Count
            ? (required == 0 ? "no arguments" : Count(required))
            : $"{required.ToString(CultureInfo.InvariantCulture)} to {Count(parameters.Count)}";
        string list = parameters.Count == 0 ? "none" : string.Join(", ", parameters.Select(p => p.Display));
        Report(DiagnosticDescriptors.ArgumentCountMismatch, file, span, callee, takes, list, given.ToString(CultureInfo.InvariantCulture));
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
                Report(DiagnosticDescriptors.ArgumentTypeMismatch, scope.File, queryArgument.Value!.Span, "query", callee, "string", query.Type.ToString());
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
                Report(DiagnosticDescriptors.UnknownOption, scope.File, modeValue.Span, Snippet(scope.File, modeValue.Span), "search mode", string.Join(", ", SearchModes), "");
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
                    Report(DiagnosticDescriptors.InvalidAttributeValue, scope.File, filterValue.Span, SearchFilterKeys[i], "a string written out (e.g. `source = \"docs/billing/*\"`)", "`" + Snippet(scope.File, filterValue.Span) + "`");
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
            Report(DiagnosticDescriptors.InvalidAttributeValue, scope.File, argument.Value.Span, name, expected, "`" + Snippet(scope.File, argument.Value.Span) + "`");
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
                if (double.IsNaN(n.Value) || Math.Abs(n.Value) > int.MaxValue)
                {
                    // The tokenizer reports these (ATL0005) in text; this guards trees built otherwise.
                    Report(DiagnosticDescriptors.InvalidNumber, file, n.Span, n.Text, "does not fit in 32 bits; whole numbers must be between -2147483648 and 2147483647");
                    return new ErrorExpr();
                }

                return new LiteralExpr(LiteralKind.Int, ((long)n.Value).ToString(CultureInfo.InvariantCulture), TypeRef.Int);
            case NumberValueSyntax n:
                if (double.IsNaN(n.Value) || double.IsInfinity(n.Value))
                {
                    Report(DiagnosticDescriptors.InvalidNumber, file, n.Span, n.Text, "is too large to be a number");
                    return new ErrorExpr();
                }

                return new LiteralExpr(LiteralKind.Float, Invariant(n.Value), TypeRef.Float);
            case DurationValueSyntax d:
                Report(DiagnosticDescriptors.TypeMismatch, file, literal.Span, d.Text, "string`, `int`, `float` or `bool", "duration");
                return new ErrorExpr();
            case { } other:
                Report(DiagnosticDescriptors.TypeMismatch, file, literal.Span, Snippet(file, literal.Span), "string`, `int`, `float` or `bool", DescribeValue(other));
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
                Report(DiagnosticDescriptors.TypeMismatch, scope.File, itemSyntax.Span, Snippet(scope.File, itemSyntax.Span), (element ?? item.Type.Element).ToString(), item.Type.ToString());
                continue;
            }
            if (item.Type.IsOptional)
            {
                // Lists hold values, never nulls: the language has T[] and T[]?, no T?[].
                Report(DiagnosticDescriptors.TypeMismatch, scope.File, itemSyntax.Span, Snippet(scope.File, itemSyntax.Span), item.Type.Element.ToString(), item.Type.ToString());
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
                Report(DiagnosticDescriptors.TypeMismatch, scope.File, itemSyntax.Span, Snippet(scope.File, itemSyntax.Span), element.ToString(), item.Type.ToString());
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
                    Report(DiagnosticDescriptors.WrongKindOfName, scope.File, typeId.Span, name, Symbol.Describe(symbol.Kind), "a record type");
                }
                else if (Array.IndexOf(BuiltInTypeNames, name) >= 0)
                {
                    Report(DiagnosticDescriptors.WrongKindOfName, scope.File, typeId.Span, name, "a built-in type", "a declared record type");
                }
                else
                {
                    Report(DiagnosticDescriptors.UnknownType, scope.File, typeId.Span, name, DidYouMean(name, NamesOf(SymbolKind.Type)));
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
                Report(DiagnosticDescriptors.UnknownMember, scope.File, initializer.Name.Span, typeId.Name, fieldName, DidYouMean(fieldName, symbol.Fields.Select(f => f.Name)));
            }
            else if (given.ContainsKey(fieldName))
            {
                Report(DiagnosticDescriptors.RepeatedArgument, scope.File, initializer.Name.Span, fieldName, $"set in this `{typeId.Name}`", "set");
            }
            else
            {
                if (!IsAssignable(value.Type, field.Type) && initializer.Value is not null)
                {
                    Report(DiagnosticDescriptors.TypeMismatch, scope.File, initializer.Value.Span, typeId.Name + "." + fieldName, field.Type.ToString(), value.Type.ToString());
                }

                given.Add(fieldName, value);
            }
        }

        foreach (var field in symbol.Fields)
        {
            if (!given.ContainsKey(field.Name) && !field.Type.IsOptional)
            {
                Report(DiagnosticDescriptors.MissingField, scope.File, typeId.Span, typeId.Name, field.Name);
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
                Report(DiagnosticDescriptors.TypeMismatch, file, switchExpression.Subject.Span, Snippet(file, switchExpression.Subject.Span), "enum`, `string`, `int` or `bool", subjectType.ToString());
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
                    Report(DiagnosticDescriptors.SwitchArmTypeMismatch, file, arm.Result.Span, result.Type.ToString(), firstType!.ToString());
                }
            }

            if (hasDiscard)
            {
                Report(DiagnosticDescriptors.UnreachableSwitchCase, file, arm.PatternSpan, "This case comes after `_`", "move it above the `_` case");
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
                Report(DiagnosticDescriptors.UnreachableSwitchCase, file, arm.PatternSpan, $"`{value}` is already handled by an earlier case", "remove this one");
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

            string? unhandled = missing is null
                ? $"every other `{subjectType.Name}` value"
                : missing.Count > 0 || subjectType.IsOptional
                    ? JoinCode(subjectType.IsOptional ? missing.Concat(new[] { "null" }).ToList() : missing)
                    : null;
            if (unhandled is not null)
            {
                Report(DiagnosticDescriptors.NonExhaustiveSwitch, file, switchExpression.KeywordSpan, subjectType.ToString(), unhandled);
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
                Report(DiagnosticDescriptors.SwitchCaseNotAMember, file, named.Span, name, subject.Name, DidYouMean(name, members));
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
        Report(DiagnosticDescriptors.InvalidSwitchCase, file, pattern.Span, $"This switch is over `{subject}`, so each case must be {expected} or `_`, not {DescribeValue(pattern)}");
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
            else Report(DiagnosticDescriptors.NotAList, file, loop.Source.Span, Snippet(file, loop.Source.Span), source.Type.ToString());
        }

        int parallelism = 1;
        if (loop.Parallel is { } parallel)
        {
            if (!parallel.IsInteger || double.IsNaN(parallel.Value) || parallel.Value < 1 || parallel.Value > int.MaxValue)
            {
                Report(DiagnosticDescriptors.AttributeOutOfRange, file, parallel.Span, $"`parallel` must be a whole number of at least 1, not {parallel.Text}");
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
                Report(DiagnosticDescriptors.TypeMismatch, file, loop.Body.Span, Snippet(file, loop.Body.Span), body.Type.Element.ToString(), body.Type.ToString());
            }
            else
            {
                type = body.Type.AsList();
            }
        }

        return new ForExpr(variable ?? "", source, parallelism, body, type);
    }
}
