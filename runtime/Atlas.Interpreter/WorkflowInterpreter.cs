using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Compiler.Model;
using Atlas.Runtime;

namespace Atlas.Interpreter;

/// <summary>
/// One run's data: a slot per workflow parameter and per step (and one for a computed return),
/// each written once by its own step and read only by steps that depend on it.
/// </summary>
/// <remarks>Every run has its own state, so concurrent runs share nothing. Values in it are canonical and never modified.</remarks>
public sealed class JsonState
{
    private readonly JsonNode?[] _values;

    internal JsonState(int slots) => _values = new JsonNode?[slots];

    internal JsonNode? this[int slot]
    {
        get => Volatile.Read(ref _values[slot]);
        set => Volatile.Write(ref _values[slot], value);
    }
}

/// <summary>
/// A workflow of the model as a <see cref="WorkflowGraph{TState}"/> over <see cref="JsonState"/>,
/// built the way generated code builds its graph.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>One <c>Step</c> per step, with the step's dependencies. A call or search with
/// <c>with { retry, timeout }</c> that is the whole step gets that as the step's policy.</item>
/// <item>A step that is a <c>switch</c> over a subject that needs no call is a <c>Switch</c>: one
/// arm per case, then the default; only the chosen arm runs.</item>
/// <item><c>for x in xs parallel N => f(x) with {...}</c> runs through
/// <see cref="StepContext.ForEachAsync{TIn, TOut}"/> with parallelism N and the <c>with</c> policy per item.</item>
/// <item>A <c>return</c> that calls something is a last step named <c>return</c>; otherwise the
/// result is computed from the state when the run is done.</item>
/// </list>
/// Thread-safe; the graph is immutable and shared by every run.
/// </remarks>
public sealed class WorkflowInterpreter
{
    /// <summary>The name of the step that computes a <c>return</c> which calls agents, tools or workflows (as in generated code).</summary>
    public const string ReturnStep = "return";

    private readonly AtlasProgram _program;
    private readonly ExpressionEvaluator _evaluator;
    private readonly int _slots;
    private readonly int? _returnSlot;

    internal WorkflowInterpreter(AtlasProgram program, WorkflowModel model)
    {
        _program = program;
        Model = model;
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var parameter in model.Parameters) slots[parameter.Name] = slots.Count;
        var stepSlots = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var step in model.Steps) stepSlots[step.Name] = slots.Count + stepSlots.Count;
        _slots = slots.Count + stepSlots.Count;
        if (ExprModelFacts.IsAsync(model.Return)) _returnSlot = _slots++;
        _evaluator = new ExpressionEvaluator(program, slots, stepSlots);
        Graph = BuildGraph(stepSlots);
    }

    /// <summary>The workflow's bound declaration.</summary>
    public WorkflowModel Model { get; }

    /// <summary>The workflow's declared name.</summary>
    public string Name => Model.Name;

    /// <summary>The graph the runtime runs: one node per step (and a last <see cref="ReturnStep"/> when the return calls something).</summary>
    public WorkflowGraph<JsonState> Graph { get; }

    /// <summary>Runs the workflow once on <paramref name="runtime"/> and returns its result.</summary>
    /// <param name="runtime">A runtime with the program's declarations (<see cref="AtlasProgram.AddDeclarationsTo"/>).</param>
    /// <param name="input">As for <see cref="ConformInput"/>: with one parameter its value, with several an object keyed by parameter name.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The result in canonical form (as generated code's record would serialize).</returns>
    /// <remarks>Like generated code's <c>RunAsync</c>. The input is checked before anything runs; a caller keeps ownership of it (it is copied).</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="runtime"/> is null.</exception>
    /// <exception cref="JsonShapeException">The input does not fit the parameters; the message says where and why.</exception>
    /// <exception cref="WorkflowFailedException">A step failed; <see cref="WorkflowFailedException.Step"/> names it.</exception>
    public Task<JsonNode?> RunAsync(AtlasRuntime runtime, JsonNode? input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var state = CreateState(ConformInput(input));
        return runtime.RunAsync(Graph, state, GetResult, cancellationToken);
    }

    /// <summary>Runs the workflow once on <paramref name="runtime"/>, yielding its events as they happen (the last is <see cref="RunCompleted"/>).</summary>
    /// <param name="runtime">A runtime with the program's declarations (<see cref="AtlasProgram.AddDeclarationsTo"/>).</param>
    /// <param name="input">As for <see cref="ConformInput"/>.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The run's events; a failed run does not throw, its <see cref="RunCompleted"/> has <c>Succeeded = false</c>.</returns>
    /// <remarks>
    /// Like generated code's <c>RunStreamingAsync</c>. The input is checked now, before the first event. To read the
    /// result of a streamed run, run <see cref="Graph"/> on a state from <see cref="CreateState(JsonNode?)"/> with
    /// <see cref="AtlasRuntime.RunStreamingAsync"/>, then call <see cref="GetResult"/> with that state.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="runtime"/> is null.</exception>
    /// <exception cref="JsonShapeException">The input does not fit the parameters.</exception>
    public IAsyncEnumerable<AtlasEvent> RunStreamingAsync(AtlasRuntime runtime, JsonNode? input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var state = CreateState(ConformInput(input));
        return runtime.RunStreamingAsync(Graph, state, cancellationToken);
    }

    /// <summary>
    /// Checks a command-line input and returns it canonical: with one parameter, that parameter's
    /// value; with several, an object keyed by parameter name; with none, nothing (null or <c>{}</c>).
    /// </summary>
    /// <param name="input">The input; it is not modified (the result is a fresh tree).</param>
    /// <returns>The canonical input, for <see cref="CreateState(JsonNode?)"/>.</returns>
    /// <exception cref="JsonShapeException">The input does not fit the parameters.</exception>
    public JsonNode? ConformInput(JsonNode? input)
    {
        var parameters = Model.Parameters;
        if (parameters.Count == 1)
        {
            return _program.Shapes.Conform(input, parameters[0].Type);
        }

        if (parameters.Count == 0)
        {
            if (input is null || input.GetValueKind() == JsonValueKind.Null || input is JsonObject { Count: 0 }) return null;
            throw new JsonShapeException($"workflow '{Name}' takes no parameters; give no input (or {{}})");
        }

        if (input is not JsonObject obj)
        {
            throw new JsonShapeException(
                $"workflow '{Name}' takes {parameters.Count} parameters, so the input is an object keyed by parameter name: " +
                "{" + string.Join(", ", parameters.Select(p => $"\"{p.Name}\": {p.Type}")) + "}");
        }

        foreach (var (name, _) in obj)
        {
            if (!parameters.Any(p => p.Name == name))
                throw new JsonShapeException($"unknown parameter \"{name}\" (workflow '{Name}' takes {string.Join(", ", parameters.Select(p => p.Name))})");
        }

        var result = new JsonObject();
        foreach (var parameter in parameters)
        {
            if (!obj.TryGetPropertyValue(parameter.Name, out var value))
            {
                if (!parameter.Type.IsOptional) throw new JsonShapeException($"parameter \"{parameter.Name}\" is missing");
                result.Add(parameter.Name, null);
                continue;
            }

            result.Add(parameter.Name, _program.Shapes.Conform(value, parameter.Type, parameter.Name));
        }

        return result;
    }

    /// <summary>A run's state from an input that went through <see cref="ConformInput"/> (which the state takes over).</summary>
    /// <param name="conformedInput">What <see cref="ConformInput"/> returned; the state takes it over.</param>
    /// <returns>A new state for one run.</returns>
    /// <remarks>Already canonical, the input is not conformed again: for a large input that would be a second copy of it.</remarks>
    public JsonState CreateState(JsonNode? conformedInput)
    {
        var parameters = Model.Parameters;
        var state = new JsonState(_slots);
        if (parameters.Count == 1)
        {
            state[0] = conformedInput;
        }
        else if (parameters.Count > 1)
        {
            var arguments = (JsonObject)conformedInput!;
            for (var i = 0; i < parameters.Count; i++)
            {
                arguments.Remove(parameters[i].Name, out var value); // detached from the object, so the state owns it
                state[i] = value;
            }
        }

        return state;
    }

    /// <summary>A run's state from arguments in parameter order (each made canonical for its parameter).</summary>
    /// <param name="arguments">One value per parameter, in declaration order.</param>
    /// <returns>A new state for one run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="arguments"/> is null.</exception>
    /// <exception cref="ArgumentException">There are not as many arguments as parameters.</exception>
    /// <exception cref="JsonShapeException">An argument does not fit its parameter.</exception>
    public JsonState CreateState(IReadOnlyList<JsonNode?> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var parameters = Model.Parameters;
        if (arguments.Count != parameters.Count)
            throw new ArgumentException($"Workflow '{Name}' takes {parameters.Count} arguments, not {arguments.Count}.", nameof(arguments));
        var state = new JsonState(_slots);
        for (var i = 0; i < parameters.Count; i++)
        {
            state[i] = _program.Shapes.Conform(arguments[i], parameters[i].Type, parameters[i].Name);
        }

        return state;
    }

    /// <summary>The workflow's result for a finished, successful run.</summary>
    /// <param name="state">The state the run ran on.</param>
    /// <returns>The result in canonical form.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The return expression cannot be evaluated on this state (a null where a value is needed).</exception>
    /// <exception cref="JsonShapeException">The result does not fit the declared type.</exception>
    public JsonNode? GetResult(JsonState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return _returnSlot is { } slot
            ? state[slot]
            : _program.Shapes.Conform(_evaluator.Evaluate(Model.Return, new Frame(state)), Model.Returns);
    }

    private WorkflowGraph<JsonState> BuildGraph(Dictionary<string, int> stepSlots)
    {
        var builder = new WorkflowGraphBuilder<JsonState>(Model.Name).WithBudget(Descriptors.Budget(Model.Budget));
        var shapes = _program.Shapes;
        var evaluator = _evaluator;
        foreach (var step in Model.Steps)
        {
            var slot = stepSlots[step.Name];
            var type = step.Value.Type;
            if (step.Value is SwitchExpr switchExpr && !ExprModelFacts.IsAsync(switchExpr.Subject))
            {
                var arms = switchExpr.Cases.Select(c => c.Result).ToList();
                if (switchExpr.Default is not null) arms.Add(switchExpr.Default);
                builder.Switch(
                    step.Name,
                    step.DependsOn.ToArray(),
                    state => evaluator.SelectArm(switchExpr, evaluator.Evaluate(switchExpr.Subject, new Frame(state))),
                    arms.Select(arm => (StepBody<JsonState>)(async (state, context, cancellationToken) =>
                        state[slot] = shapes.Conform(await evaluator.EvaluateAsync(arm, new Frame(state), context, cancellationToken).ConfigureAwait(false), type))).ToArray());
                continue;
            }

            // A call or search with `with { ... }` that is the whole step: its policy is the step's.
            var options = ExprModelFacts.OptionsOf(step.Value);
            var value = step.Value;
            builder.Step(
                step.Name,
                step.DependsOn.ToArray(),
                async (state, context, cancellationToken) =>
                    state[slot] = shapes.Conform(await evaluator.EvaluateAsync(value, new Frame(state), context, cancellationToken, policyHandled: options is not null).ConfigureAwait(false), type),
                options is null ? null : ExpressionEvaluator.Policy(options, parallelism: null));
        }

        if (_returnSlot is { } returnSlot)
        {
            var returns = Model.Returns;
            var expression = Model.Return;
            builder.Step(
                ReturnStep,
                Model.ReturnDependsOn.ToArray(),
                async (state, context, cancellationToken) =>
                    state[returnSlot] = shapes.Conform(await evaluator.EvaluateAsync(expression, new Frame(state), context, cancellationToken).ConfigureAwait(false), returns));
            return builder.Build([ReturnStep]);
        }

        return builder.Build(Model.ReturnDependsOn.ToArray());
    }
}
