using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Compiler.Lowering;
using Atlas.Compiler.Model;
using Atlas.Runtime;

namespace Atlas.Interpreter;

/// <summary>Where an expression is evaluated: a run's state and the <c>for</c> variables in scope.</summary>
internal readonly struct Frame(JsonState state, Frame.Variable? variables = null)
{
    public JsonState State { get; } = state;

    public Variable? Variables { get; } = variables;

    public Frame With(string name, JsonNode? value) => new(State, new Variable(name, value, Variables));

    public JsonNode? Lookup(string name)
    {
        for (var v = Variables; v is not null; v = v.Next)
        {
            if (string.Equals(v.Name, name, StringComparison.Ordinal)) return v.Value;
        }

        throw new InvalidOperationException($"'{name}' is not in scope.");
    }

    public sealed record Variable(string Name, JsonNode? Value, Variable? Next);
}

/// <summary>
/// Evaluates a plan's expressions over JSON values: references, members, literals, enum values,
/// lists, objects, <c>switch</c>, <c>for</c>, and calls of agents, workflows and knowledge search
/// on the runtime. Mirrors generated code step for step: arguments evaluated in order, a call with a
/// <c>with</c> of its own run under it through <see cref="StepContext.ExecuteAsync{T}"/>, a <c>for</c>
/// under its per-item policy, a called workflow run as part of the calling step.
/// </summary>
/// <remarks>
/// The plan decided where each policy applies (<see cref="WorkflowPlan"/>); this only carries it out.
/// Thread-safe: it holds only the program and the workflow's slot numbers.
/// </remarks>
internal sealed class ExpressionEvaluator
{
    /// <summary>How the run store keeps a value (a step's slot, a <c>for</c> item's result): its JSON as it is.</summary>
    public static readonly JsonTypeInfo<JsonNode?> NodeJson = (JsonTypeInfo<JsonNode?>)JsonSerializerOptions.Default.GetTypeInfo(typeof(JsonNode));

    private readonly AtlasProgram _program;
    private readonly Dictionary<string, int> _parameterSlots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _stepSlots = new(StringComparer.Ordinal);

    public ExpressionEvaluator(AtlasProgram program, WorkflowPlan plan)
    {
        _program = program;
        for (var i = 0; i < plan.Parameters.Count; i++) _parameterSlots[plan.Parameters[i].Name] = i;
        foreach (var node in plan.Nodes) _stepSlots[node.Name] = node.Slot;
    }

    private static bool IsAsync(ExprModel? expr) => ExprModelFacts.IsAsync(expr);

    public static StepPolicy Policy(CallOptions options, int? parallelism) => new(
        Retry: options.Retry ?? 0,
        Timeout: options.TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
        Parallelism: parallelism ?? 1);

    /// <summary>Evaluates an expression that calls nothing (a switch subject, a plain return value).</summary>
    public JsonNode? Evaluate(ExprModel expr, Frame frame)
    {
        switch (expr)
        {
            case RefExpr r:
                return r.Kind switch
                {
                    RefKind.Parameter => frame.State[_parameterSlots[r.Name]],
                    RefKind.Step => frame.State[_stepSlots[r.Name]],
                    _ => frame.Lookup(r.Name),
                };
            case MemberExpr m:
                return Member(Evaluate(m.Target, frame), m);
            case LiteralExpr literal:
                return Literal(literal);
            case EnumValueExpr value:
                return JsonValue.Create(value.Member)!;
            case ListExpr list:
            {
                var items = new JsonArray();
                foreach (var item in list.Items) items.Add(_program.Shapes.Conform(Evaluate(item, frame), list.Type.Element));
                return items;
            }

            case ObjectExpr obj:
                return Object(obj, obj.Fields.Select(f => Evaluate(f.Value, frame)).ToList());
            case SwitchExpr s:
                return Evaluate(Arm(s, Evaluate(s.Subject, frame)), frame);
            default:
                throw new InvalidOperationException($"A {expr.GetType().Name} needs a step to run in.");
        }
    }

    /// <summary>Evaluates any expression within a step.</summary>
    public async ValueTask<JsonNode?> EvaluateAsync(ExprModel expr, Frame frame, StepContext step, CancellationToken cancellationToken)
    {
        if (!IsAsync(expr)) return Evaluate(expr, frame);
        switch (expr)
        {
            case MemberExpr m:
                return Member(await EvaluateAsync(m.Target, frame, step, cancellationToken).ConfigureAwait(false), m);
            case ListExpr list:
            {
                var items = new JsonArray();
                foreach (var item in list.Items)
                    items.Add(_program.Shapes.Conform(await EvaluateAsync(item, frame, step, cancellationToken).ConfigureAwait(false), list.Type.Element));
                return items;
            }

            case ObjectExpr obj:
            {
                var values = new List<JsonNode?>(obj.Fields.Count);
                foreach (var field in obj.Fields) values.Add(await EvaluateAsync(field.Value, frame, step, cancellationToken).ConfigureAwait(false));
                return Object(obj, values);
            }

            case SwitchExpr s:
                return await EvaluateAsync(Arm(s, await EvaluateAsync(s.Subject, frame, step, cancellationToken).ConfigureAwait(false)), frame, step, cancellationToken).ConfigureAwait(false);
            case CallExpr call:
                return await WithPolicyAsync(call.Options, step, token => CallAsync(call, frame, step, token), cancellationToken).ConfigureAwait(false);
            case SearchExpr search:
                return await WithPolicyAsync(search.Options, step, token => SearchAsync(search, frame, step, token), cancellationToken).ConfigureAwait(false);
            case ForExpr loop:
                return await ForAsync(loop, frame, step, cancellationToken).ConfigureAwait(false);
            default:
                throw new InvalidOperationException($"Cannot evaluate a {expr.GetType().Name}.");
        }
    }

    /// <summary>The arm of a switch expression that <paramref name="subject"/> takes.</summary>
    private static ExprModel Arm(SwitchExpr switchExpr, JsonNode? subject)
    {
        for (var i = 0; i < switchExpr.Cases.Count; i++)
        {
            if (Matches(subject, switchExpr.Subject.Type, switchExpr.Cases[i].Value)) return switchExpr.Cases[i].Result;
        }

        return switchExpr.Default ?? throw NoArm(subject);
    }

    /// <summary>The index of the arm of a switch node that <paramref name="subject"/> takes: the first case it matches, or the default.</summary>
    public static int SelectArm(SwitchNode node, JsonNode? subject)
    {
        for (var i = 0; i < node.Arms.Count; i++)
        {
            if (node.Arms[i].Case is not { } value || Matches(subject, node.Subject.Type, value)) return i;
        }

        throw NoArm(subject);
    }

    private static InvalidOperationException NoArm(JsonNode? subject) => new($"switch has no case for {subject?.ToJsonString() ?? "null"}");

    private static bool Matches(JsonNode? subject, TypeRef type, string pattern)
    {
        if (subject is not JsonValue value) return false;
        switch (type.Kind)
        {
            case TypeKind.Bool:
                return value.GetValueKind() switch
                {
                    JsonValueKind.True => pattern == "true",
                    JsonValueKind.False => pattern == "false",
                    _ => false,
                };
            case TypeKind.Int:
            case TypeKind.Float:
                return value.GetValueKind() == JsonValueKind.Number
                       && double.TryParse(pattern, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                       && ValueShapes.TryGetDouble(value, out var actual)
                       && actual == number;
            default:
                return value.GetValueKind() == JsonValueKind.String && string.Equals(value.GetValue<string>(), pattern, StringComparison.Ordinal);
        }
    }

    private static JsonNode? Member(JsonNode? target, MemberExpr member)
    {
        if (target is null)
        {
            // `a.b` on an optional `a` that is null is null (C#'s `?.` in generated code).
            if (member.Target.Type.IsOptional) return null;
            throw new InvalidOperationException($"cannot read '{member.Member}' of null");
        }

        if (target is not JsonObject obj) throw new InvalidOperationException($"cannot read '{member.Member}' of {target.GetValueKind().ToString().ToLowerInvariant()}");
        return obj.TryGetPropertyValue(member.Member, out var value) ? value : null;
    }

    private static JsonNode Literal(LiteralExpr literal) => literal.Kind switch
    {
        LiteralKind.String => JsonValue.Create(literal.Text)!,
        LiteralKind.Int when int.TryParse(literal.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => JsonValue.Create(i),
        LiteralKind.Int or LiteralKind.Float => JsonValue.Create(double.Parse(literal.Text, NumberStyles.Float, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(string.Equals(literal.Text, "true", StringComparison.Ordinal)),
    };

    /// <summary>A record value: every declared field in order, the ones not given as null.</summary>
    private JsonObject Object(ObjectExpr obj, IReadOnlyList<JsonNode?> values)
    {
        var given = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        for (var i = 0; i < obj.Fields.Count; i++) given[obj.Fields[i].Name] = values[i];
        var type = _program.Type(obj.TypeName) ?? throw new InvalidOperationException($"Unknown type '{obj.TypeName}'.");
        var result = new JsonObject();
        foreach (var field in type.Fields)
        {
            result.Add(field.Name, given.TryGetValue(field.Name, out var value) ? _program.Shapes.Conform(value, field.Type, field.Name) : null);
        }

        return result;
    }

    /// <summary>Runs <paramref name="invoke"/> directly, or, for a call with a <c>with</c> of its own, under that policy.</summary>
    private static async Task<JsonNode?> WithPolicyAsync(CallOptions options, StepContext step, Func<CancellationToken, Task<JsonNode?>> invoke, CancellationToken cancellationToken)
    {
        if (options.IsEmpty) return await invoke(cancellationToken).ConfigureAwait(false);
        return await step.ExecuteAsync(Policy(options, null), invoke, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonNode?> CallAsync(CallExpr call, Frame frame, StepContext step, CancellationToken cancellationToken)
    {
        var arguments = new List<JsonNode?>(call.Arguments.Count);
        foreach (var argument in call.Arguments) arguments.Add(await EvaluateAsync(argument, frame, step, cancellationToken).ConfigureAwait(false));
        switch (call.Kind)
        {
            case CallKind.Agent:
            {
                var agent = _program.AgentModel(call.Target);
                var result = await step.Runtime.InvokeAgentAsync(_program.AgentDescriptor(call.Target), Named(agent.Parameters, arguments), step, cancellationToken).ConfigureAwait(false);
                return _program.Shapes.Conform(result, agent.Returns);
            }

            case CallKind.Human:
            {
                // As generated code does: the runtime asks (or answers from the run's record) and validates the answer.
                var human = _program.HumanModel(call.Target);
                var result = await step.Runtime.AskHumanAsync(_program.HumanDescriptor(call.Target), Named(human.Parameters, arguments), step, cancellationToken).ConfigureAwait(false);
                return _program.Shapes.Conform(result, human.Returns);
            }

            case CallKind.Workflow:
            {
                // As generated code does: the called workflow runs as part of this step (its tokens,
                // provider choices and cost are this step's).
                var workflow = _program.Workflow(call.Target);
                return await step.RunWorkflowAsync(workflow.Graph, workflow.CreateState(arguments), workflow.GetResult, cancellationToken).ConfigureAwait(false);
            }

            default:
            {
                // A tool from --tools (or a host's AtlasRuntimeOptions.Tools); the runtime checks the arguments against its parameters.
                var tool = _program.Tool(call.Target);
                var result = await step.Runtime.InvokeToolAsync(tool.Name, Named(tool.Parameters, arguments), cancellationToken).ConfigureAwait(false);
                return _program.Shapes.Conform(result, tool.Returns);
            }
        }
    }

    /// <summary>The arguments by parameter name, each conformed to its parameter's type (a missing one as null).</summary>
    private Dictionary<string, JsonNode?> Named(IReadOnlyList<ParameterModel> parameters, List<JsonNode?> arguments)
    {
        var named = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        for (var i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            named[parameter.Name] = _program.Shapes.Conform(i < arguments.Count ? arguments[i] : null, parameter.Type, parameter.Name);
        }

        return named;
    }

    private async Task<JsonNode?> SearchAsync(SearchExpr search, Frame frame, StepContext step, CancellationToken cancellationToken)
    {
        var query = await EvaluateAsync(search.Query, frame, step, cancellationToken).ConfigureAwait(false);
        var text = query is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : query?.ToJsonString() ?? string.Empty;
        var passages = await step.Runtime.SearchAsync(
            search.Knowledge, text, new SearchOptions(search.Top, Descriptors.RuntimeMode(search.Mode), search.MinScore, Where(search)), step, cancellationToken).ConfigureAwait(false);
        // The passages' JSON as generated code writes it (the runtime's converter), checked against the model's Passage.
        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            AtlasJsonWriter.WriteList(writer, passages, JsonSerializerOptions.Default, PassageJsonConverter.WriteValue);
        }

        return _program.Shapes.Conform(JsonNode.Parse(json.WrittenSpan), search.Type);
    }

    private static IReadOnlyDictionary<string, string>? Where(SearchExpr search) =>
        search.Where.IsEmpty ? null : search.Where.ToDictionary(f => f.Key, f => f.Pattern, StringComparer.Ordinal);

    private async Task<JsonNode?> ForAsync(ForExpr loop, Frame frame, StepContext step, CancellationToken cancellationToken)
    {
        var source = await EvaluateAsync(loop.Source, frame, step, cancellationToken).ConfigureAwait(false);
        var items = source switch
        {
            null => [],
            JsonArray array => array.ToArray(),
            _ => throw new InvalidOperationException($"for: '{loop.Variable}' ranges over {source.GetValueKind().ToString().ToLowerInvariant()}, not a list"),
        };

        var body = loop.Body;
        var variable = loop.Variable;
        var results = await step.ForEachAsync<JsonNode?, JsonNode?>(
            items,
            Policy(loop.ItemOptions, loop.Parallelism),
            (item, itemStep, itemToken) => EvaluateAsync(body, frame.With(variable, item), itemStep, itemToken).AsTask(),
            NodeJson,
            cancellationToken).ConfigureAwait(false);
        var list = new JsonArray();
        foreach (var result in results) list.Add(_program.Shapes.Conform(result, loop.Type.Element));
        return list;
    }
}
