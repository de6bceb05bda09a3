using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Atlas.Compiler.Model;

namespace Atlas.Compiler.Lowering;

/// <summary>
/// Bound expressions, templates and policies as .atlas-like text, in one of two spellings:
/// <see cref="Readable"/> names things as written (plan snapshots, <c>atlas graph</c> labels);
/// a canonical writer (<see cref="Canonical"/>) spells every part that changes a result and names
/// what an expression reads by its fingerprint, so its text is the input of a fingerprint: equal
/// computations give equal text whatever the steps or loop variables are called.
/// </summary>
/// <remarks>Thread-safe: the writers hold only their lookups. Expressions nest at most 64 levels (the binder's limit), so recursion is bounded.</remarks>
public sealed class PlanText
{
    private readonly bool _canonical;
    private readonly Func<string, string> _step;
    private readonly Func<CallKind, string, string> _callee;
    private readonly Func<string, string> _knowledge;

    private PlanText(bool canonical, Func<string, string> step, Func<CallKind, string, string> callee, Func<string, string> knowledge)
    {
        _canonical = canonical;
        _step = step;
        _callee = callee;
        _knowledge = knowledge;
    }

    /// <summary>Names as written: <c>classifier(ticket) with { retry = 3 }</c>.</summary>
    public static PlanText Readable { get; } = new(false, name => name, (_, name) => name, name => name);

    /// <summary>
    /// The fingerprint spelling: steps read as <c>@fingerprint</c>, callees and knowledge bases as
    /// <c>agent#fingerprint</c>, loop variables by depth (<c>$0</c> is the innermost), literals with their kind.
    /// </summary>
    internal static PlanText Canonical(Func<string, string> stepFingerprint, Func<CallKind, string, string> calleeFingerprint, Func<string, string> knowledgeFingerprint) =>
        new(true, stepFingerprint, calleeFingerprint, knowledgeFingerprint);

    /// <summary>The expression's text.</summary>
    public string Expression(ExprModel expr)
    {
        var text = new StringBuilder();
        Write(text, expr, new List<string>());
        return text.ToString();
    }

    /// <summary><c>with { retry = 3, timeout = 20s }</c>, or empty for no policy.</summary>
    public static string Policy(CallOptions options)
    {
        var parts = new List<string>();
        if (options.Retry is { } retry) parts.Add("retry = " + retry.ToString(CultureInfo.InvariantCulture));
        if (options.TimeoutMs is { } timeout) parts.Add("timeout = " + Duration(timeout));
        return parts.Count == 0 ? "" : "with { " + string.Join(", ", parts) + " }";
    }

    /// <summary><c>500ms</c>, <c>20s</c>, <c>2m</c>, <c>24h</c>: the shortest exact .atlas spelling of a duration.</summary>
    public static string Duration(long milliseconds) => milliseconds switch
    {
        > 0 when milliseconds % 3_600_000 == 0 => (milliseconds / 3_600_000).ToString(CultureInfo.InvariantCulture) + "h",
        > 0 when milliseconds % 60_000 == 0 => (milliseconds / 60_000).ToString(CultureInfo.InvariantCulture) + "m",
        > 0 when milliseconds % 1000 == 0 => (milliseconds / 1000).ToString(CultureInfo.InvariantCulture) + "s",
        _ => milliseconds.ToString(CultureInfo.InvariantCulture) + "ms",
    };

    /// <summary>A template as a quoted string with its <c>{{ }}</c> tags.</summary>
    public static string Template(TemplateModel template)
    {
        var text = new StringBuilder();
        WriteTemplate(text, template.Parts);
        return Quote(text.ToString());
    }

    /// <summary><paramref name="text"/> in double quotes with JSON escapes, so any text reads back unambiguously.</summary>
    public static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\r': quoted.Append("\\r"); break;
                case '\t': quoted.Append("\\t"); break;
                default:
                    if (c < ' ' || char.IsSurrogate(c) || c is '\u2028' or '\u2029' || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069'))
                        quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        quoted.Append(c);
                    break;
            }
        }

        return quoted.Append('"').ToString();
    }

    private void Write(StringBuilder text, ExprModel expr, List<string> variables)
    {
        switch (expr)
        {
            case RefExpr r:
                text.Append(r.Kind switch
                {
                    RefKind.Step => _canonical ? "@" + _step(r.Name) : r.Name,
                    RefKind.Variable => _canonical ? "$" + (variables.Count - 1 - variables.LastIndexOf(r.Name)).ToString(CultureInfo.InvariantCulture) : r.Name,
                    _ => _canonical ? "param:" + r.Name : r.Name,
                });
                return;
            case MemberExpr m:
                Write(text, m.Target, variables);
                text.Append(m.Target.Type.IsOptional && _canonical ? "?." : ".").Append(m.Member);
                return;
            case LiteralExpr literal:
                if (literal.Kind == LiteralKind.String) text.Append(Quote(literal.Text));
                else text.Append(literal.Text);
                if (_canonical) text.Append(':').Append(literal.Kind.ToString().ToLowerInvariant());
                return;
            case EnumValueExpr value:
                text.Append(value.Enum).Append('.').Append(value.Member);
                return;
            case ListExpr list:
                text.Append('[');
                WriteList(text, list.Items, variables);
                text.Append(']');
                if (_canonical) text.Append(':').Append(list.Type);
                return;
            case ObjectExpr obj:
                text.Append(obj.TypeName).Append(" { ");
                for (int i = 0; i < obj.Fields.Count; i++)
                {
                    if (i > 0) text.Append(", ");
                    text.Append(obj.Fields[i].Name).Append(" = ");
                    Write(text, obj.Fields[i].Value, variables);
                }

                text.Append(" }");
                return;
            case SwitchExpr s:
                text.Append("switch ");
                Write(text, s.Subject, variables);
                text.Append(" { ");
                foreach (var arm in s.Cases)
                {
                    text.Append(s.Subject.Type.Kind == TypeKind.String ? Quote(arm.Value) : arm.Value).Append(" => ");
                    Write(text, arm.Result, variables);
                    text.Append(", ");
                }

                if (s.Default is not null)
                {
                    text.Append("_ => ");
                    Write(text, s.Default, variables);
                    text.Append(", ");
                }

                text.Append('}');
                if (_canonical) text.Append(':').Append(s.Type);
                return;
            case CallExpr call:
                text.Append(_canonical ? call.Kind.ToString().ToLowerInvariant() + "#" + _callee(call.Kind, call.Target) : call.Target).Append('(');
                WriteList(text, call.Arguments, variables);
                text.Append(')');
                WritePolicy(text, call.Options);
                return;
            case SearchExpr search:
                text.Append(_canonical ? "knowledge#" + _knowledge(search.Knowledge) : search.Knowledge).Append(".search(");
                Write(text, search.Query, variables);
                text.Append(", top = ").Append(search.Top.ToString(CultureInfo.InvariantCulture));
                if (search.Mode != SearchMode.Hybrid || _canonical) text.Append(", mode = ").Append(search.Mode.ToString().ToLowerInvariant());
                if (search.MinScore is { } minScore) text.Append(", min_score = ").Append(minScore.ToString("R", CultureInfo.InvariantCulture));
                foreach (var filter in search.Where) text.Append(", ").Append(filter.Key).Append(" = ").Append(Quote(filter.Pattern));
                text.Append(')');
                WritePolicy(text, search.Options);
                return;
            case ForExpr loop:
                text.Append("for ").Append(_canonical ? "$" : loop.Variable).Append(" in ");
                Write(text, loop.Source, variables);
                text.Append(" parallel ").Append(loop.Parallelism.ToString(CultureInfo.InvariantCulture)).Append(" => ");
                variables.Add(loop.Variable);
                Write(text, loop.Body, variables);
                variables.RemoveAt(variables.Count - 1);
                if (!loop.ItemOptions.IsEmpty) text.Append(" per item ").Append(Policy(loop.ItemOptions));
                return;
            default:
                text.Append('?');
                return;
        }
    }

    private void WriteList(StringBuilder text, IReadOnlyList<ExprModel> items, List<string> variables)
    {
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0) text.Append(", ");
            Write(text, items[i], variables);
        }
    }

    private static void WritePolicy(StringBuilder text, CallOptions options)
    {
        if (!options.IsEmpty) text.Append(' ').Append(Policy(options));
    }

    private static void WriteTemplate(StringBuilder text, IReadOnlyList<TemplatePart> parts)
    {
        foreach (var part in parts)
        {
            switch (part)
            {
                case TextPart literal:
                    text.Append(literal.Text);
                    break;
                case PathPart path:
                    text.Append("{{").Append(string.Join(".", path.Path)).Append("}}");
                    break;
                case ForPart loop:
                    text.Append("{{for ").Append(loop.Variable).Append(" in ").Append(string.Join(".", loop.Source)).Append("}}");
                    WriteTemplate(text, loop.Body);
                    text.Append("{{end}}");
                    break;
            }
        }
    }
}
