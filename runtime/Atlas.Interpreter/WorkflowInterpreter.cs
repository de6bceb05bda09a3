using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Compiler.Lowering;
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
/// A workflow's <see cref="WorkflowPlan"/> as a <see cref="WorkflowGraph{TState}"/> over <see cref="JsonState"/>,
/// node for node as generated code prints it: a <c>Step</c> per step node with its policy, a <c>Switch</c> per
/// switch node with one body per arm, the return node, the plan's outputs; the state has the plan's slots.
/// </summary>
/// <remarks>
/// It decides nothing about the workflow's shape: the plan did. Only how an expression becomes a value differs
/// from generated code (a walk over the expression instead of compiled C#).
/// Thread-safe; the graph is immutable and shared by every run.
/// </remarks>
public sealed class WorkflowInterpreter
{
    private readonly AtlasProgram _program;
    private readonly ExpressionEvaluator _evaluator;

    internal WorkflowInterpreter(AtlasProgram program, WorkflowModel model, WorkflowPlan plan)
    {
        _program = program;
        Model = model;
        Plan = plan;
        _evaluator = new ExpressionEvaluator(program, plan);
        Graph = BuildGraph();
    }

    /// <summary>The workflow's bound declaration.</summary>
    public WorkflowModel Model { get; }

    /// <summary>The lowered plan the interpreter runs, the one generated code prints.</summary>
    public WorkflowPlan Plan { get; }

    /// <summary>The workflow's declared name.</summary>
    public string Name => Plan.Name;

    /// <summary>A stable hash of what the workflow computes; equal to generated code's <c>Fingerprint</c> for the same declarations.</summary>
    public string Fingerprint => Plan.Fingerprint;

    /// <summary>The graph the runtime runs: one node per plan node (a last <see cref="WorkflowPlan.ReturnNodeName"/> when the return calls something).</summary>
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
    /// <see cref="AtlasRuntime.RunStreamingAsync{TState}(WorkflowGraph{TState}, TState, CancellationToken)"/>, then call <see cref="GetResult"/> with that state.
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
        var parameters = Plan.Parameters;
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
        var parameters = Plan.Parameters;
        var state = new JsonState(Plan.SlotCount);
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
        var parameters = Plan.Parameters;
        if (arguments.Count != parameters.Count)
            throw new ArgumentException($"Workflow '{Name}' takes {parameters.Count} arguments, not {arguments.Count}.", nameof(arguments));
        var state = new JsonState(Plan.SlotCount);
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
        return Plan.Result is { } result
            ? _program.Shapes.Conform(_evaluator.Evaluate(result, new Frame(state)), Plan.Returns)
            : state[Plan.ReturnNode!.Slot];
    }

    private WorkflowGraph<JsonState> BuildGraph()
    {
        var builder = new WorkflowGraphBuilder<JsonState>(Plan.Name)
            .WithBudget(Descriptors.Budget(Plan.Budget))
            .WithCheckpoints(new WorkflowCheckpoints<JsonState>(Plan.Fingerprint, SaveInput, state => GetResult(state)?.ToJsonString() ?? "null"));
        var evaluator = _evaluator;
        foreach (var node in Plan.Nodes)
        {
            switch (node)
            {
                case SwitchNode switchNode:
                    builder.Switch(
                        switchNode.Name,
                        switchNode.DependsOn.ToArray(),
                        state => ExpressionEvaluator.SelectArm(switchNode, evaluator.Evaluate(switchNode.Subject, new Frame(state))),
                        switchNode.Arms.Select(arm => Body(arm.Value, switchNode)).ToArray(),
                        checkpoint: Checkpoint(switchNode));
                    break;
                case StepNode step:
                    builder.Step(step.Name, step.DependsOn.ToArray(), Body(step.Value, step), step.Policy.IsEmpty ? null : ExpressionEvaluator.Policy(step.Policy, parallelism: null), Checkpoint(step));
                    break;
                case ReturnNode returnNode:
                    builder.Step(returnNode.Name, returnNode.DependsOn.ToArray(), Body(returnNode.Value, returnNode), checkpoint: Checkpoint(returnNode));
                    break;
            }
        }

        return builder.Build(Plan.Outputs.ToArray());
    }

    /// <summary>A recorded run keeps a node's slot as JSON, under the node's plan fingerprint.</summary>
    private static StepCheckpoint<JsonState> Checkpoint(PlanNode node)
    {
        var slot = node.Slot;
        return StepCheckpoint<JsonState>.Of(node.Fingerprint, state => state[slot], (state, value) => state[slot] = value, ExpressionEvaluator.NodeJson);
    }

    /// <summary>A state's input as JSON, as <see cref="ConformInput"/> takes it: with one parameter its value, with several an object by name.</summary>
    private string SaveInput(JsonState state)
    {
        var parameters = Plan.Parameters;
        if (parameters.Count == 1) return state[0]?.ToJsonString() ?? "null";
        var input = new JsonObject();
        for (var i = 0; i < parameters.Count; i++) input[parameters[i].Name] = state[i]?.DeepClone();
        return input.ToJsonString();
    }

    /// <summary>A node's body: evaluate <paramref name="value"/> and write it, canonical, to the node's slot.</summary>
    private StepBody<JsonState> Body(ExprModel value, PlanNode node)
    {
        var shapes = _program.Shapes;
        var evaluator = _evaluator;
        var slot = node.Slot;
        var type = node.Type;
        return async (state, context, cancellationToken) =>
            state[slot] = shapes.Conform(await evaluator.EvaluateAsync(value, new Frame(state), context, cancellationToken).ConfigureAwait(false), type);
    }
}
