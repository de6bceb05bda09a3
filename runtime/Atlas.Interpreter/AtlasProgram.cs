using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler.Lowering;
using Atlas.Compiler.Model;
using Atlas.Runtime;

namespace Atlas.Interpreter;

/// <summary>
/// A checked <see cref="AtlasModel"/> made ready to run on <see cref="AtlasRuntime"/>: the
/// providers, routes and knowledge bases as descriptors, each agent as an
/// <see cref="AgentDescriptor"/>, each human as a <see cref="HumanDescriptor"/>, and each workflow as a <see cref="WorkflowGraph{TState}"/> over
/// JSON values (built on first use).
/// </summary>
/// <remarks>
/// This is the interpreter's counterpart of generated code: the same descriptors, the same
/// graphs (step names, dependencies, switch arms, policies), so the same results and the same
/// event sequence on the same deterministic provider. Only a model without errors can be run.
/// Thread-safe; one instance serves any number of concurrent runs. A host usually gets one from
/// <see cref="AtlasInterpreter"/> (<see cref="AtlasCompilation.Program"/>).
/// </remarks>
public sealed class AtlasProgram
{
    private readonly Dictionary<string, (AgentModel Model, AgentDescriptor Descriptor)> _agents;
    private readonly Dictionary<string, (HumanModel Model, HumanDescriptor Descriptor)> _humans;
    private readonly Dictionary<string, (WorkflowModel Model, WorkflowPlan Plan)> _workflowModels;
    private readonly Dictionary<string, ToolModel> _tools;
    private readonly Dictionary<string, TypeModel> _types;
    private readonly ConcurrentDictionary<string, Lazy<WorkflowInterpreter>> _workflows = new(StringComparer.Ordinal);

    /// <summary>Prepares <paramref name="model"/> to run; agents' descriptors are built now, workflows' graphs on first use.</summary>
    /// <param name="model">A model whose compilation had no errors.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">The model has errors that make it impossible to prepare (a delegation cycle).</exception>
    public AtlasProgram(AtlasModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Plan = AtlasLowering.Lower(model);
        Shapes = new TypeShapes(model);
        Schemas = new JsonSchemas(model);
        _agents = AgentDescriptors(Plan);
        _humans = Plan.Humans.ToDictionary(h => h.Human.Name, h => (h.Human, Descriptors.Human(h)), StringComparer.Ordinal);
        _workflowModels = model.Workflows.ToDictionary(w => w.Name, w => (w, Plan.Workflow(w.Name)!), StringComparer.Ordinal);
        _tools = model.Tools.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _types = model.Types.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The bound model the program runs.</summary>
    public AtlasModel Model { get; }

    /// <summary>The model lowered: what every back-end runs, agents and workflows decided once (the same plan generated code prints).</summary>
    public ProjectPlan Plan { get; }

    /// <summary>The JSON schemas of the model's types (and of tools' parameters), as generated code has them.</summary>
    public JsonSchemas Schemas { get; }

    /// <summary>Every agent's descriptor; a delegating agent's holds its delegates' (built first: a checked model has no delegation cycle).</summary>
    private static Dictionary<string, (AgentModel, AgentDescriptor)> AgentDescriptors(ProjectPlan plan)
    {
        var plans = plan.Agents.ToDictionary(a => a.Agent.Name, StringComparer.Ordinal);
        var built = new Dictionary<string, (AgentModel, AgentDescriptor)>(StringComparer.Ordinal);
        var building = new HashSet<string>(StringComparer.Ordinal);
        AgentDescriptor Build(string name)
        {
            if (built.TryGetValue(name, out var done)) return done.Item2;
            // Only a model with errors (ATL3007) has a cycle; fail plainly rather than recurse forever.
            if (!building.Add(name)) throw new ArgumentException($"Agent '{name}' delegates to itself through other agents (ATL3007); only a model without errors can be run.", nameof(plan));
            var agent = plans[name];
            var descriptor = Descriptors.Agent(agent, Build);
            built[name] = (agent.Agent, descriptor);
            return descriptor;
        }

        foreach (var agent in plan.Agents) Build(agent.Agent.Name);
        return built;
    }

    /// <summary>Checks and canonicalizes JSON values against the model's types.</summary>
    public TypeShapes Shapes { get; }

    /// <summary>The names of the declared workflows, sorted.</summary>
    public IEnumerable<string> WorkflowNames => Model.Workflows.Select(w => w.Name);

    /// <summary>
    /// Adds the declared providers, routes, knowledge bases and MCP servers to <paramref name="options"/>. The clients of
    /// remote provider kinds and of MCP come from their packages, which the host registers for whatever files it may load
    /// (<c>options.UseOpenAI()</c> from Atlas.Runtime.OpenAI, <c>UseAnthropic()</c>, <c>UseOllama()</c>, <c>UseMcp()</c>);
    /// a provider of a kind not registered is unavailable, its reason naming the package.
    /// </summary>
    /// <param name="options">The options of the runtime the program will run on.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public void AddDeclarationsTo(AtlasRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var provider in Model.Providers) options.Providers.Add(Descriptors.Provider(provider));
        foreach (var route in Model.Routes) options.Routes.Add(Descriptors.Route(route));
        foreach (var knowledge in Model.KnowledgeBases) options.KnowledgeBases.Add(Descriptors.Knowledge(knowledge));
        foreach (var server in Model.McpServers) options.McpServers.Add(Descriptors.Mcp(server));
    }

    /// <summary>Whether an agent of that name is declared.</summary>
    /// <param name="name">The agent's declared name.</param>
    /// <returns><see langword="true"/> when it is declared.</returns>
    public bool HasAgent(string name) => _agents.ContainsKey(name);

    /// <summary>The agent as the runtime runs it (<see cref="AtlasRuntime.InvokeAgentAsync"/>), as generated code declares it.</summary>
    /// <param name="name">The agent's declared name.</param>
    /// <returns>The descriptor, shared by every call.</returns>
    /// <exception cref="KeyNotFoundException">No agent has that name.</exception>
    public AgentDescriptor AgentDescriptor(string name) => _agents[name].Descriptor;

    /// <summary>The agent's bound declaration (parameters, result type, prompt).</summary>
    /// <param name="name">The agent's declared name.</param>
    /// <returns>The agent's model.</returns>
    /// <exception cref="KeyNotFoundException">No agent has that name.</exception>
    public AgentModel AgentModel(string name) => _agents[name].Model;

    /// <summary>The human as the runtime asks it (<see cref="AtlasRuntime.AskHumanAsync"/>), as generated code declares it.</summary>
    /// <param name="name">The human's declared name.</param>
    /// <returns>The descriptor, shared by every call.</returns>
    /// <exception cref="KeyNotFoundException">No human has that name.</exception>
    public HumanDescriptor HumanDescriptor(string name) => _humans[name].Descriptor;

    /// <summary>The human's bound declaration (parameters, result type, prompt, timeout).</summary>
    /// <param name="name">The human's declared name.</param>
    /// <returns>The human's model.</returns>
    /// <exception cref="KeyNotFoundException">No human has that name.</exception>
    internal HumanModel HumanModel(string name) => _humans[name].Model;

    /// <summary>Whether a workflow of that name is declared.</summary>
    /// <param name="name">The workflow's declared name.</param>
    /// <returns><see langword="true"/> when it is declared.</returns>
    public bool HasWorkflow(string name) => _workflowModels.ContainsKey(name);

    /// <summary>The workflow's interpreter, its graph built on first use.</summary>
    /// <param name="name">The workflow's declared name.</param>
    /// <returns>The interpreter, shared by every run of the workflow.</returns>
    /// <exception cref="KeyNotFoundException">No workflow has that name.</exception>
    public WorkflowInterpreter Workflow(string name)
    {
        var (model, plan) = _workflowModels[name];
        return _workflows.GetOrAdd(name, _ => new Lazy<WorkflowInterpreter>(() => new WorkflowInterpreter(this, model, plan))).Value;
    }

    internal ToolModel Tool(string name) => _tools[name];

    internal TypeModel? Type(string name) => _types.GetValueOrDefault(name);
}
