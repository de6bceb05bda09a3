using System;
using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler.Model;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Emit;

// workflow w(...) -> R  →  public sealed partial class WWorkflow over a WorkflowGraph<State>
public static partial class CSharpEmitter
{
    private static string EmitWorkflow(WorkflowUnit unit) => new WorkflowEmitter(unit).Emit();
}

/// <summary>
/// Renders one workflow: a private <c>State</c> class (one field per parameter and step), the
/// graph built once with <c>WorkflowGraphBuilder</c> (a <c>Step</c> per step with its
/// dependencies, a <c>Switch</c> with one body per arm, <c>ForEachAsync</c> for <c>for</c>,
/// <c>with</c> as a <c>StepPolicy</c>), and the public run methods.
/// </summary>
internal sealed class WorkflowEmitter
{
    /// <summary>The name of the synthetic step that computes a return value which calls agents, tools or workflows.</summary>
    public const string ReturnStep = "return";

    private readonly WorkflowUnit _unit;
    private readonly WorkflowModel _workflow;
    private readonly Dictionary<string, TypeModel> _types;
    private readonly Dictionary<string, EnumModel> _enums;
    private readonly Dictionary<(CallKind, string), CalleeModel> _callees;
    private readonly Dictionary<string, string> _parameterFields = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _stepFields = new(StringComparer.Ordinal);
    private readonly string _className;
    private readonly string _ns;
    private readonly string? _toolsField;
    private readonly string? _resultField;
    private bool _usesLinq;

    public WorkflowEmitter(WorkflowUnit unit)
    {
        _unit = unit;
        _workflow = unit.Workflow;
        _types = unit.Types.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _enums = unit.Enums.ToDictionary(e => e.Name, StringComparer.Ordinal);
        _callees = unit.Callees.ToDictionary(c => (c.Kind, c.Name));
        _className = CSharpNames.WorkflowClass(_workflow.Name);
        _ns = unit.Options.Namespace;

        var taken = new HashSet<string>(StringComparer.Ordinal) { "State", "GetResult", "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize" };
        if (unit.NeedsTools) _toolsField = CSharpNames.Unique("Tools", taken);
        foreach (var p in _workflow.Parameters) _parameterFields[p.Name] = CSharpNames.Unique(CSharpNames.Pascal(p.Name), taken);
        foreach (var s in _workflow.Steps) _stepFields[s.Name] = CSharpNames.Unique(CSharpNames.Pascal(s.Name), taken);
        if (IsAsync(_workflow.Return)) _resultField = CSharpNames.Unique("Result", taken);
    }

    public string Emit()
    {
        var workflow = _workflow;
        var returns = CSharpNames.Type(workflow.Returns, _ns);
        var names = CSharpNames.Parameters(workflow.Parameters, "cancellationToken", "options", "input");
        var parameters = workflow.Parameters.Select((p, i) => CSharpNames.Type(p.Type, _ns) + " " + names[i]).ToList();
        var prefix = string.Concat(parameters.Select(p => p + ", "));
        var stateArguments = Join((_toolsField is null ? Array.Empty<string>() : new[] { "_tools" }).Concat(names));
        var paramDocs = string.Concat(workflow.Parameters.Select((p, i) => $"\n/// <param name=\"{CSharpNames.Bare(names[i])}\"><c>{p.Name}: {p.Type}</c></param>"));

        // The block's input: the single parameter's type, or a record of all of them.
        string inputType;
        string createState;
        string? inputRecord = null;
        if (workflow.Parameters.Count == 1)
        {
            inputType = CSharpNames.Type(workflow.Parameters[0].Type, _ns);
            createState = $"{names[0]} => new State({Join((_toolsField is null ? Array.Empty<string>() : new[] { "_tools" }).Concat(new[] { names[0] }))})";
        }
        else
        {
            inputType = CSharpNames.WorkflowInput(workflow.Name);
            var inputModel = new TypeModel(inputType, workflow.Parameters.Select(p => new FieldModel(p.Name, p.Type)).ToEquatableArray());
            var inputProperties = CSharpNames.Properties(inputModel);
            inputRecord = workflow.Parameters.Count == 0
                ? $"public sealed record {inputType};"
                : $"public sealed record {inputType}({Join(workflow.Parameters.Select((p, i) => CSharpNames.Type(p.Type, _ns) + " " + inputProperties[i]))});";
            createState = $"input => new State({Join((_toolsField is null ? Array.Empty<string>() : new[] { "_tools" }).Concat(inputProperties.Select(p => "input." + p)))})";
        }

        if (_toolsField is null) createState = "static " + createState;

        var body = new SourceWriter();
        WriteGraph(body);
        body.WriteLine();
        WriteResult(body, returns);
        body.WriteLine();
        WriteState(body);
        var graph = body.ToString();

        var usings = new List<string>
        {
            "System", "System.Collections.Generic", "System.Threading", "System.Threading.Tasks", "System.Threading.Tasks.Dataflow", "Atlas.Runtime",
        };
        if (_usesLinq) usings.Add("System.Linq");
        if (graph.Contains("UnreachableException")) usings.Add("System.Diagnostics");
        var w = CSharpEmitter.StartFile(_unit.Options, usings.ToArray());

        if (inputRecord is not null)
        {
            w.WriteLine($"/// <summary>The inputs of one run of <see cref=\"{_className}\"/>, for <see cref=\"{_className}.CreateBlock\"/>.</summary>");
            w.WriteLine(inputRecord);
            w.WriteLine();
        }

        w.WriteLine("/// <summary>");
        w.WriteLine($"/// The Atlas workflow <c>{workflow.Name}({Join(workflow.Parameters.Select(p => p.Name + ": " + p.Type))}) -&gt; {workflow.Returns}</c>: a graph of steps run on");
        w.WriteLine("/// <see cref=\"AtlasRuntime\"/>, where steps that don't read each other run concurrently. Thread-safe: runs share nothing.");
        w.WriteLine("/// </summary>");
        w.WriteLine($"public sealed partial class {_className}");
        w.OpenBrace();
        w.WriteLine("private static readonly WorkflowGraph<State> Graph = BuildGraph();");
        w.WriteLine();
        w.WriteLine("private readonly AtlasRuntime _runtime;");
        if (_toolsField is not null) w.WriteLine("private readonly AtlasTools _tools;");
        w.WriteLine();
        if (_toolsField is null)
        {
            w.WriteLines($$"""
                /// <summary>Creates the workflow on a runtime.</summary>
                public {{_className}}(AtlasRuntime runtime)
                {
                    ArgumentNullException.ThrowIfNull(runtime);
                    _runtime = runtime;
                }
                """);
        }
        else
        {
            w.WriteLines($$"""
                /// <summary>Creates the workflow on a runtime, with the tool implementations it calls.</summary>
                public {{_className}}(AtlasRuntime runtime, AtlasTools tools)
                {
                    ArgumentNullException.ThrowIfNull(runtime);
                    ArgumentNullException.ThrowIfNull(tools);
                    _runtime = runtime;
                    _tools = tools;
                }
                """);
        }

        w.WriteLines($$"""

            /// <summary>The steps of the workflow and what each depends on (for display).</summary>
            public static IReadOnlyList<WorkflowNode> Nodes => Graph.Nodes;

            /// <summary>Runs the workflow once and returns its result (throws <see cref="WorkflowFailedException"/> if a step fails).</summary>{{paramDocs}}
            /// <param name="cancellationToken">Stops every step.</param>
            public Task<{{returns}}> RunAsync({{prefix}}CancellationToken cancellationToken = default) =>
                _runtime.RunAsync(Graph, new State({{stateArguments}}), GetResult, cancellationToken);

            /// <summary>
            /// Runs the workflow as part of <paramref name="step"/> of another run: its streamed tokens and provider
            /// choices appear as that step's events, and its tokens and cost count toward that step.
            /// </summary>{{paramDocs}}
            /// <param name="step">The calling step, or null to run on its own.</param>
            /// <param name="cancellationToken">Stops every step.</param>
            public Task<{{returns}}> RunAsync({{prefix}}StepContext? step, CancellationToken cancellationToken = default) =>
                step is null
                    ? _runtime.RunAsync(Graph, new State({{stateArguments}}), GetResult, cancellationToken)
                    : step.RunWorkflowAsync(Graph, new State({{stateArguments}}), GetResult, cancellationToken);

            /// <summary>Runs the workflow once, yielding its events as they happen (ending with <see cref="RunCompleted"/>).</summary>{{paramDocs}}
            /// <param name="cancellationToken">Stops every step.</param>
            public IAsyncEnumerable<AtlasEvent> RunStreamingAsync({{prefix}}CancellationToken cancellationToken = default) =>
                _runtime.RunStreamingAsync(Graph, new State({{stateArguments}}), cancellationToken);

            /// <summary>
            /// A dataflow block for pushing many inputs through with bounded capacity: one result per input,
            /// a failed input gives an error result and the others go on.
            /// </summary>
            /// <param name="options">Capacity, concurrency, events and cancellation of the block.</param>
            public IPropagatorBlock<{{inputType}}, WorkflowResult<{{returns}}>> CreateBlock(WorkflowBlockOptions? options = null) =>
                _runtime.CreateBlock<{{inputType}}, State, {{returns}}>(Graph, {{createState}}, GetResult, options);

            """);
        w.WriteLines(graph.TrimEnd('\n'));
        w.CloseBrace();
        return w.ToString();
    }

    // ---------- the graph ----------

    private void WriteGraph(SourceWriter w)
    {
        w.WriteLine("private static WorkflowGraph<State> BuildGraph() =>");
        w.Indent();
        w.WriteLine($"new WorkflowGraphBuilder<State>({CSharpLiterals.String(_workflow.Name)})");
        w.Indent();
        if (_workflow.Budget is { } budget) w.WriteLine($".WithBudget({CSharpLiterals.Budget(budget)})");
        foreach (var step in _workflow.Steps) WriteStep(w, step);
        var returnDependsOn = _workflow.ReturnDependsOn.AsImmutableArray().AsEnumerable();
        if (_resultField is not null)
        {
            var scope = Scope.ForStep();
            w.WriteLine($".Step({CSharpLiterals.String(ReturnStep)}, {CSharpLiterals.StringList(_workflow.ReturnDependsOn)}, static async (state, step, cancellationToken) =>");
            w.OpenBrace();
            w.WriteLines($"state.{_resultField} = {Convert(Expr(_workflow.Return, scope), _workflow.Return, _workflow.Returns)};");
            w.CloseBrace(")");
            returnDependsOn = new[] { ReturnStep };
        }

        w.WriteLine($".Build({CSharpLiterals.StringList(returnDependsOn)});");
        w.Unindent();
        w.Unindent();
    }

    private void WriteStep(SourceWriter w, StepModel step)
    {
        var name = CSharpLiterals.String(step.Name);
        var dependsOn = CSharpLiterals.StringList(step.DependsOn);
        var field = "state." + _stepFields[step.Name];

        // switch over a subject that needs no await: conditional arms in the graph.
        if (step.Value is SwitchExpr switchExpr && !IsAsync(switchExpr.Subject))
        {
            var arms = switchExpr.Cases.Select(c => c.Result).ToList();
            if (switchExpr.Default is not null) arms.Add(switchExpr.Default);
            w.WriteLine(".Switch(");
            w.Indent();
            w.WriteLine(name + ",");
            w.WriteLine(dependsOn + ",");
            w.WriteLine($"selectArm: static state => {Primary(Expr(switchExpr.Subject, Scope.ForSelector()), switchExpr.Subject)} switch");
            w.OpenBrace();
            for (int i = 0; i < switchExpr.Cases.Count; i++) w.WriteLine($"{Pattern(switchExpr.Subject.Type, switchExpr.Cases[i].Value)} => {i},");
            if (switchExpr.Default is not null) w.WriteLine($"_ => {switchExpr.Cases.Count},");
            else if (NeedsUnreachableArm(switchExpr)) w.WriteLine("_ => throw new UnreachableException(),");
            w.CloseBrace(",");
            w.WriteLine("arms:");
            w.WriteLine("[");
            w.Indent();
            foreach (var arm in arms)
            {
                WriteBody(w, field, arm, step.Value.Type, Scope.ForStep(), policyHandled: false, ",");
            }

            w.Unindent();
            w.WriteLine("])");
            w.Unindent();
            return;
        }

        // A call or search with `with { ... }` is the whole step: its policy is the step's.
        var options = OptionsOf(step.Value);
        string policy = options is null ? "" : ", " + Policy(options, parallelism: null);
        w.WriteLine($".Step({name}, {dependsOn}, {BodyLambdaHead(step.Value)}");
        w.OpenBrace();
        WriteAssignment(w, field, step.Value, step.Value.Type, Scope.ForStep(), policyHandled: options is not null);
        w.CloseBrace(policy + ")");
    }

    /// <summary>A step body (or switch arm) lambda that assigns <paramref name="value"/> to <paramref name="field"/>.</summary>
    private void WriteBody(SourceWriter w, string field, ExprModel value, TypeRef type, Scope scope, bool policyHandled, string suffix)
    {
        w.WriteLine(BodyLambdaHead(value));
        w.OpenBrace();
        WriteAssignment(w, field, value, type, scope, policyHandled);
        w.CloseBrace(suffix);
    }

    private string BodyLambdaHead(ExprModel value) =>
        IsAsync(value) ? "static async (state, step, cancellationToken) =>" : "static (state, _, _) =>";

    private void WriteAssignment(SourceWriter w, string field, ExprModel value, TypeRef type, Scope scope, bool policyHandled)
    {
        w.WriteLines($"{field} = {Convert(Expr(value, scope, policyHandled), value, type)};");
        if (!IsAsync(value)) w.WriteLine("return Task.CompletedTask;");
    }

    private void WriteResult(SourceWriter w, string returns)
    {
        if (_resultField is not null)
        {
            w.WriteLine($"private static {returns} GetResult(State state) => state.{_resultField};");
            return;
        }

        w.WriteLine($"private static {returns} GetResult(State state) =>");
        w.Indent();
        w.WriteLines(Convert(Expr(_workflow.Return, Scope.ForSelector()), _workflow.Return, _workflow.Returns) + ";");
        w.Unindent();
    }

    private void WriteState(SourceWriter w)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var ctor = new List<string>();
        var fields = new List<string>();
        if (_toolsField is not null)
        {
            var tools = CSharpNames.Unique("tools", taken);
            ctor.Add("AtlasTools " + tools);
            fields.Add($"public readonly AtlasTools {_toolsField} = {tools};");
        }

        foreach (var p in _workflow.Parameters)
        {
            var local = CSharpNames.Escape(CSharpNames.Unique(CSharpNames.Bare(CSharpNames.Camel(p.Name)), taken));
            ctor.Add(CSharpNames.Type(p.Type, _ns) + " " + local);
            fields.Add($"public readonly {CSharpNames.Type(p.Type, _ns)} {_parameterFields[p.Name]} = {local};");
        }

        foreach (var s in _workflow.Steps) fields.Add(Field(s.Value.Type, _stepFields[s.Name]));
        if (_resultField is not null) fields.Add(Field(_workflow.Returns, _resultField));

        w.WriteLine("/// <summary>One run's data: its inputs, and each step's result once that step has run (a step writes only its own field).</summary>");
        w.WriteLine(ctor.Count == 0 ? "private sealed class State" : $"private sealed class State({Join(ctor)})");
        w.OpenBrace();
        foreach (var f in fields) w.WriteLine(f);
        w.CloseBrace();
    }

    private string Field(TypeRef type, string name)
    {
        var csharp = CSharpNames.Type(type, _ns);
        if (type.IsOptional || CSharpNames.IsValueType(type)) return $"public {csharp} {name};";
        return $"public {csharp} {name} = null!;";
    }

    // ---------- expressions ----------

    /// <summary>Where an expression is emitted: the names of the step context, token and loop variables in scope.</summary>
    private sealed class Scope
    {
        private Scope(string? step, string? token, bool canAwait)
        {
            Step = step;
            Token = token;
            CanAwait = canAwait;
        }

        public string? Step { get; private set; }

        public string? Token { get; private set; }

        public bool CanAwait { get; }

        public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Taken { get; } = new(StringComparer.Ordinal) { "state", "step", "cancellationToken", "_", "attemptToken" };

        public static Scope ForStep() => new("step", "cancellationToken", canAwait: true);

        /// <summary>A synchronous context (selectArm, the return value): no calls, no step.</summary>
        public static Scope ForSelector() => new(null, null, canAwait: false);

        public Scope Loop(string variable, out string item, out string step, out string token)
        {
            var inner = new Scope(null, null, canAwait: true);
            foreach (var v in Variables) inner.Variables[v.Key] = v.Value;
            inner.Taken.UnionWith(Taken);
            item = CSharpNames.Escape(CSharpNames.Unique(CSharpNames.Bare(CSharpNames.Camel(variable)), inner.Taken));
            var bare = CSharpNames.Bare(item);
            step = CSharpNames.Unique(bare + "Step", inner.Taken);
            token = CSharpNames.Unique(bare + "Token", inner.Taken);
            inner.Variables[variable] = item;
            inner.Step = step;
            inner.Token = token;
            return inner;
        }
    }

    private static bool IsAsync(ExprModel? expr) => ExprModelFacts.IsAsync(expr);

    private static CallOptions? OptionsOf(ExprModel expr) => ExprModelFacts.OptionsOf(expr);

    private static string Policy(CallOptions? options, int? parallelism)
    {
        var parts = new List<string>();
        if (options?.Retry is { } retry) parts.Add("Retry: " + CSharpLiterals.Int(retry));
        if (options?.TimeoutMs is { } timeout) parts.Add("Timeout: " + CSharpLiterals.TimeSpan(timeout));
        if (parallelism is { } n) parts.Add("Parallelism: " + CSharpLiterals.Int(n));
        return "new StepPolicy(" + Join(parts) + ")";
    }

    /// <summary>
    /// C# for <paramref name="expr"/>. <paramref name="policyHandled"/>: the caller already applies
    /// the expression's own <c>with</c> policy (the step's, or the <c>for</c>'s per item).
    /// </summary>
    private string Expr(ExprModel expr, Scope scope, bool policyHandled = false)
    {
        switch (expr)
        {
            case RefExpr r:
                return r.Kind switch
                {
                    RefKind.Parameter => "state." + _parameterFields[r.Name],
                    RefKind.Step => "state." + _stepFields[r.Name],
                    _ => scope.Variables[r.Name],
                };
            case MemberExpr m:
            {
                var target = Primary(Expr(m.Target, scope), m.Target);
                var property = m.Target.Type.Kind == TypeKind.Passage
                    ? CSharpNames.PassageProperty(m.Member)
                    : CSharpNames.Property(_types[m.Target.Type.Name], m.Member);
                return target + (m.Target.Type.IsOptional ? "?." : ".") + property;
            }

            case LiteralExpr literal:
                return literal.Kind switch
                {
                    LiteralKind.String => CSharpLiterals.String(literal.Text),
                    LiteralKind.Float => CSharpLiterals.DoubleText(literal.Text),
                    _ => literal.Text,
                };
            case EnumValueExpr value:
                return CSharpNames.Ref(value.Enum, _ns) + "." + CSharpNames.EnumMember(_enums[value.Enum], value.Member);
            case ListExpr list:
                return "[" + Join(list.Items.Select(i => Convert(Expr(i, scope), i, list.Type.Element))) + "]";
            case ObjectExpr obj:
            {
                var type = _types[obj.TypeName];
                var properties = CSharpNames.Properties(type);
                var arguments = new List<string>();
                for (int i = 0; i < type.Fields.Count; i++)
                {
                    var given = obj.Fields.FirstOrDefault(f => string.Equals(f.Name, type.Fields[i].Name, StringComparison.Ordinal));
                    arguments.Add(properties[i] + ": " + (given is null ? "null" : Convert(Expr(given.Value, scope), given.Value, type.Fields[i].Type)));
                }

                return $"new {CSharpNames.Ref(obj.TypeName, _ns)}({Join(arguments)})";
            }

            case SwitchExpr s:
            {
                var arms = s.Cases.Select(c => $"{Pattern(s.Subject.Type, c.Value)} => {Convert(Expr(c.Result, scope), c.Result, s.Type)}").ToList();
                if (s.Default is not null) arms.Add($"_ => {Convert(Expr(s.Default, scope), s.Default, s.Type)}");
                else if (NeedsUnreachableArm(s)) arms.Add("_ => throw new UnreachableException()");
                return $"{Primary(Expr(s.Subject, scope), s.Subject)} switch {{ {Join(arms)} }}";
            }

            case CallExpr call:
                return Call(call, scope, policyHandled);
            case SearchExpr search:
            {
                var options = new List<string> { "Top: " + CSharpLiterals.Int(search.Top) };
                // The runtime's SearchMode has the model's members (RuntimeEnumTests).
                if (search.Mode != SearchMode.Hybrid) options.Add("Mode: global::Atlas.Runtime.SearchMode." + search.Mode);
                if (search.MinScore is { } minScore) options.Add("MinScore: " + CSharpLiterals.Double(minScore));
                if (!search.Where.IsEmpty)
                    options.Add("Where: SearchOptions.Match(" + string.Join(", ", search.Where.Select(f => $"({CSharpLiterals.String(f.Key)}, {CSharpLiterals.String(f.Pattern)})")) + ")");
                string Invoke(string token) =>
                    $"{scope.Step}.Runtime.SearchAsync({CSharpLiterals.String(search.Knowledge)}, {Expr(search.Query, scope)}, new SearchOptions({Join(options)}), {scope.Step}, {token})";
                return WithPolicy(OptionsOf(search), policyHandled, IsAsync(search.Query), Invoke, scope);
            }

            case ForExpr loop:
            {
                var inner = scope.Loop(loop.Variable, out var item, out var itemStep, out var itemToken);
                var element = loop.Source.Type.Element;
                var result = loop.Type.Element;
                var source = Expr(loop.Source, scope);
                if (loop.Source.Type.IsOptional) source = $"({source} ?? Array.Empty<{CSharpNames.Type(element, _ns)}>())";
                var bodyOptions = OptionsOf(loop.Body);
                var body = Expr(loop.Body, inner, policyHandled: bodyOptions is not null);
                var converted = Convert(body, loop.Body, result);
                string lambda;
                if (!IsAsync(loop.Body))
                {
                    lambda = $"({item}, _, _) => Task.FromResult<{CSharpNames.Type(result, _ns)}>({converted})";
                }
                else if (converted == body && body.StartsWith("await ", StringComparison.Ordinal) && body.EndsWith(".ConfigureAwait(false)", StringComparison.Ordinal)
                         && loop.Body is CallExpr or SearchExpr && !HasAsyncParts(loop.Body))
                {
                    // One call per item: hand its task straight back.
                    var call = body.Substring("await ".Length, body.Length - "await ".Length - ".ConfigureAwait(false)".Length);
                    lambda = $"({item}, {itemStep}, {itemToken}) => {call}";
                }
                else
                {
                    lambda = $"async ({item}, {itemStep}, {itemToken}) => {converted}";
                }

                if (!lambda.Contains("state.")) lambda = "static " + lambda;
                return $"await {scope.Step}.ForEachAsync<{CSharpNames.Type(element, _ns)}, {CSharpNames.Type(result, _ns)}>(\n" +
                       $"    {source},\n" +
                       $"    {Policy(bodyOptions, loop.Parallelism)},\n" +
                       $"    {lambda},\n" +
                       $"    {scope.Token}).ConfigureAwait(false)";
            }

            default:
                throw new InvalidOperationException($"Cannot emit {expr.GetType().Name}: the model has errors.");
        }
    }

    private string Call(CallExpr call, Scope scope, bool policyHandled)
    {
        var callee = _callees[(call.Kind, call.Target)];
        var arguments = call.Arguments.Select((a, i) => Convert(Expr(a, scope), a, callee.Parameters[i].Type)).ToList();
        string Invoke(string token) => call.Kind switch
        {
            CallKind.Agent => $"new {CSharpNames.AgentClass(call.Target)}({scope.Step}.Runtime).InvokeAsync({string.Concat(arguments.Select(a => a + ", "))}{scope.Step}, {token})",
            CallKind.Tool => $"state.{_toolsField}.{CSharpNames.ToolMethod(call.Target)}({string.Concat(arguments.Select(a => a + ", "))}{token})",
            _ => $"new {CSharpNames.WorkflowClass(call.Target)}({scope.Step}.Runtime{(callee.NeedsTools ? ", state." + _toolsField : "")}).RunAsync({string.Concat(arguments.Select(a => a + ", "))}{scope.Step}, {token})",
        };
        return WithPolicy(OptionsOf(call), policyHandled, call.Arguments.Any(IsAsync), Invoke, scope);
    }

    /// <summary><c>await call</c>, or, for a nested call with its own <c>with</c>, the call retried through <c>step.ExecuteAsync</c>.</summary>
    private static string WithPolicy(CallOptions? options, bool policyHandled, bool argumentsAwait, Func<string, string> invoke, Scope scope)
    {
        if (options is null || policyHandled) return $"await {invoke(scope.Token!)}.ConfigureAwait(false)";
        var attempt = invoke("attemptToken");
        var lambda = argumentsAwait ? $"async attemptToken => await {attempt}.ConfigureAwait(false)" : $"attemptToken => {attempt}";
        return $"await {scope.Step}.ExecuteAsync({Policy(options, null)}, {lambda}, {scope.Token}).ConfigureAwait(false)";
    }

    /// <summary>True if a call's or search's arguments await (so its task cannot be handed back as it is).</summary>
    private static bool HasAsyncParts(ExprModel expr) => expr switch
    {
        CallExpr call => call.Arguments.Any(IsAsync),
        SearchExpr search => IsAsync(search.Query),
        _ => true,
    };

    /// <summary>Parenthesizes an expression that cannot take <c>.member</c> or <c>switch</c> as it is.</summary>
    private static string Primary(string code, ExprModel expr) =>
        expr is CallExpr or SearchExpr or ForExpr or SwitchExpr ? "(" + code + ")" : code;

    private string Pattern(TypeRef subject, string value) => subject.Kind switch
    {
        TypeKind.Enum => CSharpNames.Ref(subject.Name, _ns) + "." + CSharpNames.EnumMember(_enums[subject.Name], value),
        TypeKind.String => CSharpLiterals.String(value),
        _ => value,
    };

    /// <summary>An enum switch that names every member still needs <c>_</c> for C# (undefined values); a bool one doesn't.</summary>
    private static bool NeedsUnreachableArm(SwitchExpr s) => s.Subject.Type.Kind != TypeKind.Bool || s.Subject.Type.IsOptional;

    /// <summary>Converts where C# has no implicit conversion for an Atlas assignment: <c>int[]</c> → <c>float[]</c>, and list items that are optional.</summary>
    private string Convert(string code, ExprModel expr, TypeRef to)
    {
        var from = expr.Type;
        if (from.Kind == TypeKind.Error || to.Kind == TypeKind.Error) return code;
        if (from.IsList && to.IsList && from.Kind == TypeKind.Int && to.Kind == TypeKind.Float)
        {
            _usesLinq = true;
            return $"{Primary(code, expr)}{(from.IsOptional ? "?." : ".")}Select(static x => (double)x).ToArray()";
        }

        if (from.IsOptional && !to.IsOptional)
        {
            // Only an item of a list (which cannot hold optionals) gets here.
            return CSharpNames.IsValueType(from)
                ? $"({code} ?? throw new InvalidOperationException(\"A list item is null.\"))"
                : $"{Primary(code, expr)}!";
        }

        return code;
    }

    private static string Join(IEnumerable<string> items) => string.Join(", ", items);
}
