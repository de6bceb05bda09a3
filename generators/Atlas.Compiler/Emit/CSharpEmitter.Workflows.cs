using System;
using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler.Lowering;
using Atlas.Compiler.Model;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Emit;

// workflow w(...) -> R  →  public sealed partial class WWorkflow over a WorkflowGraph<State>
public static partial class CSharpEmitter
{
    private static string EmitWorkflow(WorkflowUnit unit) => new WorkflowEmitter(unit).Emit();

    private static string EmitFingerprints(FingerprintsUnit unit)
    {
        var w = StartFile(unit.Options, "System.Collections.Generic");
        w.WriteLines("""
            /// <summary>
            /// A stable hash of what each workflow computes (its lowered plan, with the agents, tools, routes and knowledge
            /// bases it reaches): equal for the same declarations on every machine, and the same for <c>atlas run</c>.
            /// </summary>
            public static class AtlasFingerprints
            {
            """);
        w.Indent();
        for (int i = 0; i < unit.Workflows.Count; i++)
        {
            if (i > 0) w.WriteLine();
            var workflow = unit.Workflows[i];
            w.WriteLine($"/// <summary>The plan of workflow <c>{workflow.Workflow}</c>.</summary>");
            w.WriteLine($"public const string {CSharpNames.WorkflowClass(workflow.Workflow)} = {CSharpLiterals.String(workflow.Fingerprint)};");
            w.WriteLine();
            w.WriteLine($"/// <summary>The plan of each node of workflow <c>{workflow.Workflow}</c>, in graph order: a resumed run reuses a step's recorded result only while it is the same.</summary>");
            w.WriteLine($"public static IReadOnlyList<string> {CSharpNames.WorkflowClass(workflow.Workflow)}Steps {{ get; }} = {CSharpLiterals.StringList(workflow.Nodes)};");
        }

        w.CloseBrace();
        return w.ToString();
    }
}

/// <summary>
/// Prints one workflow's plan: a private <c>State</c> class (one field per slot), the graph built
/// once with <c>WorkflowGraphBuilder</c> (a <c>Step</c> per step node with its policy, a <c>Switch</c>
/// per switch node with one body per arm, the return node), and the public run methods. Every
/// decision about the shape was made by the lowering; this only spells it in C#.
/// </summary>
internal sealed class WorkflowEmitter
{
    private readonly WorkflowUnit _unit;
    private readonly WorkflowPlan _workflow;
    private readonly Dictionary<string, TypeModel> _types;
    private readonly Dictionary<string, EnumModel> _enums;
    private readonly Dictionary<(CallKind, string), CalleeSignature> _callees;
    private readonly Dictionary<string, string> _parameterFields = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nodeFields = new(StringComparer.Ordinal);
    private readonly string _className;
    private readonly string _ns;
    private readonly string? _toolsField;
    private bool _usesLinq;
    private bool _usesJsonNodes;
    private bool _usesUnreachable;

    public WorkflowEmitter(WorkflowUnit unit)
    {
        _unit = unit;
        _workflow = unit.Plan;
        _types = _workflow.Uses.Types.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _enums = _workflow.Uses.Enums.ToDictionary(e => e.Name, StringComparer.Ordinal);
        _callees = _workflow.Uses.Callees.ToDictionary(c => (c.Kind, c.Name));
        _className = CSharpNames.WorkflowClass(_workflow.Name);
        _ns = unit.Options.Namespace;

        var taken = new HashSet<string>(StringComparer.Ordinal) { "State", "GetResult", "SaveInput", "LoadState", "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize" };
        if (_workflow.Uses.NeedsTools) _toolsField = CSharpNames.Unique("Tools", taken);
        foreach (var p in _workflow.Parameters) _parameterFields[p.Name] = CSharpNames.Unique(CSharpNames.Pascal(p.Name), taken);
        foreach (var node in _workflow.Nodes) _nodeFields[node.Name] = CSharpNames.Unique(node is ReturnNode ? "Result" : CSharpNames.Pascal(node.Name), taken);
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
        WriteInputJson(body);
        body.WriteLine();
        WriteState(body);
        var graph = body.ToString();

        var usings = new List<string>
        {
            "System", "System.Collections.Generic", "System.Threading", "System.Threading.Tasks", "System.Threading.Tasks.Dataflow", "Atlas.Runtime",
        };
        if (_usesLinq) usings.Add("System.Linq");
        if (_usesJsonNodes) usings.Add("System.Text.Json.Nodes");
        if (_usesUnreachable) usings.Add("System.Diagnostics");
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
        w.WriteLine("/// <summary>A stable hash of what this workflow computes (its plan); the same for <c>atlas run</c> of the same declarations.</summary>");
        w.WriteLine($"public const string Fingerprint = AtlasFingerprints.{_className};");
        w.WriteLine();
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
            /// Resumes the recorded run <paramref name="runId"/> (failed, cancelled, waiting, or killed) from the runtime's run
            /// store: its steps and <c>for</c> items that completed, unchanged, are reused; the rest run.
            /// </summary>
            /// <param name="runId">The run, or a prefix of its id that only it has.</param>
            /// <param name="cancellationToken">Stops every step.</param>
            public Task<{{returns}}> ResumeAsync(string runId, CancellationToken cancellationToken = default) =>
                _runtime.ResumeAsync(Graph, runId, LoadState, GetResult, cancellationToken);

            /// <summary>Records the answers to a waiting run's human steps (JSON by step name), then resumes it.</summary>
            /// <param name="runId">The waiting run.</param>
            /// <param name="answers">Each answer as JSON of its human's result type, by the step that asked.</param>
            /// <param name="cancellationToken">Stops every step.</param>
            public Task<{{returns}}> ResumeAsync(string runId, IReadOnlyDictionary<string, string> answers, CancellationToken cancellationToken = default) =>
                _runtime.ResumeAsync(Graph, runId, answers, LoadState, GetResult, cancellationToken);

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
        w.WriteLine(".WithCheckpoints(new WorkflowCheckpoints<State>(Fingerprint, SaveInput, static state => AtlasJson.Serialize(GetResult(state))))");
        for (var i = 0; i < _workflow.Nodes.Count; i++)
        {
            switch (_workflow.Nodes[i])
            {
                case SwitchNode switchNode:
                    WriteSwitch(w, switchNode, i);
                    break;
                case StepNode step:
                    WriteStep(w, step.Name, step.DependsOn, step.Value, step.Policy, i);
                    break;
                case ReturnNode returnNode:
                    WriteStep(w, returnNode.Name, returnNode.DependsOn, returnNode.Value, CallOptions.None, i);
                    break;
            }
        }

        w.WriteLine($".Build({CSharpLiterals.StringList(_workflow.Outputs)});");
        w.Unindent();
        w.Unindent();
    }

    private void WriteStep(SourceWriter w, string name, EquatableArray<string> dependsOn, ExprModel value, CallOptions policy, int index)
    {
        w.WriteLine($".Step({CSharpLiterals.String(name)}, {CSharpLiterals.StringList(dependsOn)}, {BodyLambdaHead(value)}");
        w.OpenBrace();
        var node = _workflow.Nodes[index];
        WriteAssignment(w, "state." + _nodeFields[name], value, node.Type);
        w.CloseBrace((policy.IsEmpty ? "" : ", " + Policy(policy, parallelism: null)) + ",");
        w.Indent();
        w.WriteLine($"checkpoint: {Checkpoint(node, index)})");
        w.Unindent();
    }

    /// <summary>How a recorded run keeps a node's result: under the node's fingerprint, as its type's JSON.</summary>
    private string Checkpoint(PlanNode node, int index)
    {
        var field = _nodeFields[node.Name];
        return $"StepCheckpoint<State>.Of(AtlasFingerprints.{_className}Steps[{index}], static state => state.{field}, static (state, value) => state.{field} = value, AtlasJson.GetTypeInfo<{CSharpNames.Type(node.Type, _ns)}>())";
    }

    /// <summary>A switch node: the subject picks an arm index, one body per arm.</summary>
    private void WriteSwitch(SourceWriter w, SwitchNode node, int index)
    {
        w.WriteLine(".Switch(");
        w.Indent();
        w.WriteLine(CSharpLiterals.String(node.Name) + ",");
        w.WriteLine(CSharpLiterals.StringList(node.DependsOn) + ",");
        w.WriteLine($"selectArm: static state => {Primary(Expr(node.Subject, Scope.ForSelector()).Text, node.Subject)} switch");
        w.OpenBrace();
        bool hasDefault = false;
        for (int i = 0; i < node.Arms.Count; i++)
        {
            if (node.Arms[i].Case is { } value) w.WriteLine($"{Pattern(node.Subject.Type, value)} => {i},");
            else
            {
                w.WriteLine($"_ => {i},");
                hasDefault = true;
            }
        }

        if (!hasDefault && NeedsUnreachableArm(node.Subject.Type)) w.WriteLine(UnreachableArm() + ",");
        w.CloseBrace(",");
        w.WriteLine("arms:");
        w.WriteLine("[");
        w.Indent();
        foreach (var arm in node.Arms)
        {
            w.WriteLine(BodyLambdaHead(arm.Value));
            w.OpenBrace();
            WriteAssignment(w, "state." + _nodeFields[node.Name], arm.Value, node.Type);
            w.CloseBrace(",");
        }

        w.Unindent();
        w.WriteLine("],");
        w.WriteLine($"checkpoint: {Checkpoint(node, index)})");
        w.Unindent();
    }

    private string BodyLambdaHead(ExprModel value) =>
        IsAsync(value) ? "static async (state, step, cancellationToken) =>" : "static (state, _, _) =>";

    private void WriteAssignment(SourceWriter w, string field, ExprModel value, TypeRef type)
    {
        w.WriteLines($"{field} = {Convert(Expr(value, Scope.ForStep()).Text, value, type)};");
        if (!IsAsync(value)) w.WriteLine("return Task.CompletedTask;");
    }

    /// <summary>A run's input as JSON and back (durable runs): with one parameter its value, with several an object by name.</summary>
    private void WriteInputJson(SourceWriter w)
    {
        var parameters = _workflow.Parameters;
        var tools = _toolsField is null ? "" : "_tools" + (parameters.Count > 0 ? ", " : "");
        var load = _toolsField is null ? "private static State LoadState(string json)" : "private State LoadState(string json)";
        if (parameters.Count == 0)
        {
            w.WriteLine("private static string SaveInput(State state) => \"null\";");
            w.WriteLine();
            w.WriteLine($"{load} => new State({tools.TrimEnd(',', ' ')});");
            return;
        }

        if (parameters.Count == 1)
        {
            var type = CSharpNames.Type(parameters[0].Type, _ns);
            w.WriteLine($"private static string SaveInput(State state) => AtlasJson.Serialize(state.{_parameterFields[parameters[0].Name]});");
            w.WriteLine();
            w.WriteLine($"{load} => new State({tools}AtlasJson.Deserialize<{type}>(json)!);");
            return;
        }

        _usesJsonNodes = true;
        w.WriteLine("private static string SaveInput(State state) =>");
        w.Indent();
        w.WriteLine("new JsonObject");
        w.OpenBrace();
        foreach (var p in parameters) w.WriteLine($"[{CSharpLiterals.String(p.Name)}] = AtlasJson.ToNode(state.{_parameterFields[p.Name]}),");
        w.CloseBrace(".ToJsonString();");
        w.Unindent();
        w.WriteLine();
        w.WriteLine(load);
        w.OpenBrace();
        w.WriteLine("var input = JsonNode.Parse(json)!.AsObject();");
        w.WriteLine($"return new State({tools}{Join(parameters.Select(p => $"AtlasJson.FromNode<{CSharpNames.Type(p.Type, _ns)}>(input[{CSharpLiterals.String(p.Name)}])!"))});");
        w.CloseBrace();
    }

    private void WriteResult(SourceWriter w, string returns)
    {
        if (_workflow.Result is not { } result)
        {
            w.WriteLine($"private static {returns} GetResult(State state) => state.{_nodeFields[WorkflowPlan.ReturnNodeName]};");
            return;
        }

        w.WriteLine($"private static {returns} GetResult(State state) =>");
        w.Indent();
        w.WriteLines(Convert(Expr(result, Scope.ForSelector()).Text, result, _workflow.Returns) + ";");
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

        foreach (var node in _workflow.Nodes) fields.Add(Field(node.Type, _nodeFields[node.Name]));

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
        private Scope(string? step, string? token)
        {
            Step = step;
            Token = token;
        }

        public string? Step { get; private set; }

        public string? Token { get; private set; }

        public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Taken { get; } = new(StringComparer.Ordinal) { "state", "step", "cancellationToken", "_", "attemptToken" };

        public static Scope ForStep() => new("step", "cancellationToken");

        /// <summary>A synchronous context (selectArm, the return value): no calls, no step.</summary>
        public static Scope ForSelector() => new(null, null);

        public Scope Loop(string variable, out string item, out string step, out string token)
        {
            var inner = new Scope(null, null);
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

    /// <summary>
    /// Emitted C# for an expression: its <see cref="Text"/>, and when that text is one awaited task
    /// (<c>await task.ConfigureAwait(false)</c>) with no other await in it, the <see cref="Task"/> itself,
    /// which a lambda can hand back as it is.
    /// </summary>
    private readonly struct Code
    {
        private Code(string text, string? task)
        {
            Text = text;
            Task = task;
        }

        public string Text { get; }

        public string? Task { get; }

        public static Code Value(string text) => new(text, null);

        public static Code Await(string task, bool awaitsInside) => new($"await {task}.ConfigureAwait(false)", awaitsInside ? null : task);
    }

    private static bool IsAsync(ExprModel? expr) => ExprModelFacts.IsAsync(expr);

    private static string Policy(CallOptions? options, int? parallelism)
    {
        var parts = new List<string>();
        if (options?.Retry is { } retry) parts.Add("Retry: " + CSharpLiterals.Int(retry));
        if (options?.TimeoutMs is { } timeout) parts.Add("Timeout: " + CSharpLiterals.TimeSpan(timeout));
        if (parallelism is { } n) parts.Add("Parallelism: " + CSharpLiterals.Int(n));
        return "new StepPolicy(" + Join(parts) + ")";
    }

    /// <summary>C# for a lowered expression: a call or search with a <c>with</c> of its own runs under it.</summary>
    private Code Expr(ExprModel expr, Scope scope)
    {
        switch (expr)
        {
            case RefExpr r:
                return Code.Value(r.Kind switch
                {
                    RefKind.Parameter => "state." + _parameterFields[r.Name],
                    RefKind.Step => "state." + _nodeFields[r.Name],
                    _ => scope.Variables[r.Name],
                });
            case MemberExpr m:
            {
                var target = Primary(Expr(m.Target, scope).Text, m.Target);
                var property = m.Target.Type.Kind == TypeKind.Passage
                    ? CSharpNames.PassageProperty(m.Member)
                    : CSharpNames.Property(_types[m.Target.Type.Name], m.Member);
                return Code.Value(target + (m.Target.Type.IsOptional ? "?." : ".") + property);
            }

            case LiteralExpr literal:
                return Code.Value(literal.Kind switch
                {
                    LiteralKind.String => CSharpLiterals.String(literal.Text),
                    LiteralKind.Float => CSharpLiterals.DoubleText(literal.Text),
                    _ => literal.Text,
                });
            case EnumValueExpr value:
                return Code.Value(CSharpNames.Ref(value.Enum, _ns) + "." + CSharpNames.EnumMember(_enums[value.Enum], value.Member));
            case ListExpr list:
                return Code.Value("[" + Join(list.Items.Select(i => Convert(Expr(i, scope).Text, i, list.Type.Element))) + "]");
            case ObjectExpr obj:
            {
                var type = _types[obj.TypeName];
                var properties = CSharpNames.Properties(type);
                var arguments = new List<string>();
                for (int i = 0; i < type.Fields.Count; i++)
                {
                    var given = obj.Fields.FirstOrDefault(f => string.Equals(f.Name, type.Fields[i].Name, StringComparison.Ordinal));
                    arguments.Add(properties[i] + ": " + (given is null ? "null" : Convert(Expr(given.Value, scope).Text, given.Value, type.Fields[i].Type)));
                }

                return Code.Value($"new {CSharpNames.Ref(obj.TypeName, _ns)}({Join(arguments)})");
            }

            case SwitchExpr s:
            {
                var arms = s.Cases.Select(c => $"{Pattern(s.Subject.Type, c.Value)} => {Convert(Expr(c.Result, scope).Text, c.Result, s.Type)}").ToList();
                if (s.Default is not null) arms.Add($"_ => {Convert(Expr(s.Default, scope).Text, s.Default, s.Type)}");
                else if (NeedsUnreachableArm(s.Subject.Type)) arms.Add(UnreachableArm());
                return Code.Value($"{Primary(Expr(s.Subject, scope).Text, s.Subject)} switch {{ {Join(arms)} }}");
            }

            case CallExpr call:
                return Call(call, scope);
            case SearchExpr search:
            {
                var options = new List<string> { "Top: " + CSharpLiterals.Int(search.Top) };
                // The runtime's SearchMode has the model's members (RuntimeEnumTests).
                if (search.Mode != SearchMode.Hybrid) options.Add("Mode: global::Atlas.Runtime.SearchMode." + search.Mode);
                if (search.MinScore is { } minScore) options.Add("MinScore: " + CSharpLiterals.Double(minScore));
                if (!search.Where.IsEmpty)
                    options.Add("Where: SearchOptions.Match(" + string.Join(", ", search.Where.Select(f => $"({CSharpLiterals.String(f.Key)}, {CSharpLiterals.String(f.Pattern)})")) + ")");
                var query = Expr(search.Query, scope).Text;
                string Invoke(string token) =>
                    $"{scope.Step}.Runtime.SearchAsync({CSharpLiterals.String(search.Knowledge)}, {query}, new SearchOptions({Join(options)}), {scope.Step}, {token})";
                return WithPolicy(search.Options, IsAsync(search.Query), Invoke, scope);
            }

            case ForExpr loop:
                return For(loop, scope);
            default:
                throw new InvalidOperationException($"Cannot emit {expr.GetType().Name}: the model has errors.");
        }
    }

    /// <summary><c>step.ForEachAsync</c> with the loop's parallelism and per-item policy; the body becomes a lambda per item.</summary>
    private Code For(ForExpr loop, Scope scope)
    {
        var inner = scope.Loop(loop.Variable, out var item, out var itemStep, out var itemToken);
        var element = loop.Source.Type.Element;
        var result = loop.Type.Element;
        var source = Expr(loop.Source, scope).Text;
        if (loop.Source.Type.IsOptional) source = $"({source} ?? Array.Empty<{CSharpNames.Type(element, _ns)}>())";
        var body = Expr(loop.Body, inner);
        string lambda;
        if (!IsAsync(loop.Body))
        {
            lambda = $"({item}, _, _) => Task.FromResult<{CSharpNames.Type(result, _ns)}>({Convert(body.Text, loop.Body, result)})";
        }
        else if (body.Task is { } task && !NeedsConversion(loop.Body.Type, result))
        {
            // One awaited call per item: hand its task straight back.
            lambda = $"({item}, {itemStep}, {itemToken}) => {task}";
        }
        else
        {
            lambda = $"async ({item}, {itemStep}, {itemToken}) => {Convert(body.Text, loop.Body, result)}";
        }

        if (!ReadsState(loop.Body)) lambda = "static " + lambda;
        return Code.Value(
            $"await {scope.Step}.ForEachAsync<{CSharpNames.Type(element, _ns)}, {CSharpNames.Type(result, _ns)}>(\n" +
            $"    {source},\n" +
            $"    {Policy(loop.ItemOptions, loop.Parallelism)},\n" +
            $"    {lambda},\n" +
            $"    AtlasJson.GetTypeInfo<{CSharpNames.Type(result, _ns)}>(),\n" +
            $"    {scope.Token}).ConfigureAwait(false)");
    }

    private Code Call(CallExpr call, Scope scope)
    {
        var callee = _callees[(call.Kind, call.Target)];
        var arguments = call.Arguments.Select((a, i) => Convert(Expr(a, scope).Text, a, callee.Parameters[i].Type)).ToList();
        string Invoke(string token) => call.Kind switch
        {
            CallKind.Agent => $"new {CSharpNames.AgentClass(call.Target)}({scope.Step}.Runtime).InvokeAsync({string.Concat(arguments.Select(a => a + ", "))}{scope.Step}, {token})",
            CallKind.Tool => $"state.{_toolsField}.{CSharpNames.ToolMethod(call.Target)}({string.Concat(arguments.Select(a => a + ", "))}{token})",
            _ => $"new {CSharpNames.WorkflowClass(call.Target)}({scope.Step}.Runtime{(callee.NeedsTools ? ", state." + _toolsField : "")}).RunAsync({string.Concat(arguments.Select(a => a + ", "))}{scope.Step}, {token})",
        };
        return WithPolicy(call.Options, call.Arguments.Any(IsAsync), Invoke, scope);
    }

    /// <summary>The awaited call, or, for a call with a <c>with</c> of its own, the call retried through <c>step.ExecuteAsync</c>.</summary>
    private static Code WithPolicy(CallOptions options, bool argumentsAwait, Func<string, string> invoke, Scope scope)
    {
        if (options.IsEmpty) return Code.Await(invoke(scope.Token!), argumentsAwait);
        var attempt = invoke("attemptToken");
        var lambda = argumentsAwait ? $"async attemptToken => await {attempt}.ConfigureAwait(false)" : $"attemptToken => {attempt}";
        return Code.Await($"{scope.Step}.ExecuteAsync({Policy(options, null)}, {lambda}, {scope.Token})", argumentsAwait);
    }

    /// <summary>
    /// True if the C# for <paramref name="expr"/> reads the run's state: a parameter or step, a tool, or a
    /// workflow that takes the tools. A lambda that reads none is <c>static</c>.
    /// </summary>
    private bool ReadsState(ExprModel expr) => ExprWalker.DescendantsAndSelf(expr).Any(e => e switch
    {
        RefExpr r => r.Kind != RefKind.Variable,
        CallExpr { Kind: CallKind.Tool } => true,
        CallExpr { Kind: CallKind.Workflow } call => _callees[(call.Kind, call.Target)].NeedsTools,
        _ => false,
    });

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
    private static bool NeedsUnreachableArm(TypeRef subject) => subject.Kind != TypeKind.Bool || subject.IsOptional;

    private string UnreachableArm()
    {
        _usesUnreachable = true;
        return "_ => throw new UnreachableException()";
    }

    /// <summary>Whether C# needs a conversion for an Atlas assignment from <paramref name="from"/> to <paramref name="to"/> (see <see cref="Convert"/>).</summary>
    private static bool NeedsConversion(TypeRef from, TypeRef to) =>
        from.Kind != TypeKind.Error && to.Kind != TypeKind.Error
        && ((from.IsList && to.IsList && from.Kind == TypeKind.Int && to.Kind == TypeKind.Float) || (from.IsOptional && !to.IsOptional));

    /// <summary>Converts where C# has no implicit conversion for an Atlas assignment: <c>int[]</c> → <c>float[]</c>, and list items that are optional.</summary>
    private string Convert(string code, ExprModel expr, TypeRef to)
    {
        var from = expr.Type;
        if (!NeedsConversion(from, to)) return code;
        if (from.IsList && to.IsList && from.Kind == TypeKind.Int && to.Kind == TypeKind.Float)
        {
            _usesLinq = true;
            return $"{Primary(code, expr)}{(from.IsOptional ? "?." : ".")}Select(static x => (double)x).ToArray()";
        }

        // Only an item of a list (which cannot hold optionals) gets here.
        return CSharpNames.IsValueType(from)
            ? $"({code} ?? throw new InvalidOperationException(\"A list item is null.\"))"
            : $"{Primary(code, expr)}!";
    }

    private static string Join(IEnumerable<string> items) => string.Join(", ", items);
}
