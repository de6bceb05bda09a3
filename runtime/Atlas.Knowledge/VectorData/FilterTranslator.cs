using System;
using System.Collections.Generic;
using System.Linq.Expressions;

namespace Atlas.Knowledge;

/// <summary>
/// Turns a VectorData filter into the store's metadata equalities. Supported: <c>r.Source == x</c>,
/// <c>r.Heading == x</c>, <c>r.Metadata["key"] == x</c> (either side), joined with <c>&amp;&amp;</c>;
/// <c>x</c> a constant or a captured variable. Anything else is a <see cref="NotSupportedException"/>,
/// as in the other VectorData connectors.
/// </summary>
internal static class FilterTranslator
{
    public static IReadOnlyDictionary<string, string>? Translate(Expression<Func<KnowledgeChunkRecord, bool>>? filter)
    {
        if (filter is null)
        {
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        Visit(filter.Body, filter.Parameters[0], result);
        return result;
    }

    private static void Visit(Expression node, ParameterExpression record, Dictionary<string, string> result)
    {
        switch (node)
        {
            case BinaryExpression { NodeType: ExpressionType.AndAlso } and:
                Visit(and.Left, record, result);
                Visit(and.Right, record, result);
                return;
            case BinaryExpression { NodeType: ExpressionType.Equal } equal:
                if (KeyOf(equal.Left, record) is { } leftKey && !References(equal.Right, record))
                {
                    Add(result, leftKey, equal.Right);
                    return;
                }

                if (KeyOf(equal.Right, record) is { } rightKey && !References(equal.Left, record))
                {
                    Add(result, rightKey, equal.Left);
                    return;
                }

                break;
        }

        throw new NotSupportedException($"Filter '{node}' is not supported by the SQLite knowledge store: use ==  on Source, Heading or Metadata[\"key\"], joined with &&.");
    }

    private static string? KeyOf(Expression node, ParameterExpression record) => node switch
    {
        MemberExpression { Member.Name: nameof(KnowledgeChunkRecord.Source) } m when m.Expression == record => "source",
        MemberExpression { Member.Name: nameof(KnowledgeChunkRecord.Heading) } m when m.Expression == record => "heading",
        MethodCallExpression { Method.Name: "get_Item", Object: MemberExpression { Member.Name: nameof(KnowledgeChunkRecord.Metadata) } m } call
            when m.Expression == record && call.Arguments.Count == 1 && !References(call.Arguments[0], record) => Evaluate(call.Arguments[0]),
        _ => null,
    };

    private static void Add(Dictionary<string, string> result, string key, Expression value) =>
        result[key] = Evaluate(value) ?? throw new NotSupportedException($"Filter on '{key}' compares with null, which the store does not support.");

    private static string? Evaluate(Expression node) => node is ConstantExpression constant
        ? constant.Value?.ToString()
        : Expression.Lambda<Func<object?>>(Expression.Convert(node, typeof(object))).Compile(preferInterpretation: true)()?.ToString();

    private static bool References(Expression node, ParameterExpression record)
    {
        var finder = new ParameterFinder(record);
        finder.Visit(node);
        return finder.Found;
    }

    private sealed class ParameterFinder(ParameterExpression record) : ExpressionVisitor
    {
        public bool Found { get; private set; }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            Found |= node == record;
            return node;
        }
    }
}
