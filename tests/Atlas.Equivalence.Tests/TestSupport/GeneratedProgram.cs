using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks.Dataflow;
using Atlas.Compiler.Model;
using Atlas.Emitter.Tests.TestSupport;
using Atlas.Runtime;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Atlas.Equivalence.Tests.TestSupport;

/// <summary>
/// A project's generated code, compiled in memory with Roslyn and loaded, as a consumer would use
/// it: <c>new ServiceCollection().AddAtlas(...)</c>, a workflow class resolved from it, typed inputs
/// read with the generated <c>AtlasJson.Options</c>, and the typed result written with them.
/// </summary>
/// <remarks>
/// An example is compiled with its own <c>Program.cs</c> (its <c>AtlasTools</c> implementation, in
/// its namespace, exactly as <c>dotnet build</c> of the example sees it); a project without one
/// (the sketch) gets the emitter tests' fixed tool answers. One compile per project per test run.
/// </remarks>
internal sealed partial class GeneratedProgram
{
    private static readonly ConcurrentDictionary<string, Lazy<GeneratedProgram>> Cache = new(StringComparer.Ordinal);

    private readonly Assembly _assembly;
    private readonly string _namespace;

    private GeneratedProgram(Assembly assembly, string ns)
    {
        _assembly = assembly;
        _namespace = ns;
    }

    /// <summary>The generated <c>AtlasJson.Options</c>: declared names, the generated converters.</summary>
    public JsonSerializerOptions JsonOptions => (JsonSerializerOptions)Type("AtlasJson").GetProperty("Options")!.GetValue(null)!;

    /// <summary>
    /// The project's generated code. With <paramref name="baseDirectory"/>, compiled as the generator compiles it for Atlas
    /// files in that folder (its <c>AtlasDeclarations.BaseDirectory</c>); without, with no base directory of its own.
    /// </summary>
    public static GeneratedProgram For(AtlasProject project, string? baseDirectory = null) =>
        Cache.GetOrAdd(project.Name + "|" + baseDirectory, _ => new Lazy<GeneratedProgram>(() => Compile(project, baseDirectory))).Value;

    private static GeneratedProgram Compile(AtlasProject project, string? baseDirectory)
    {
        var model = project.Compile();
        var program = Path.Combine(Path.GetDirectoryName(project.Files[0])!, "Program.cs");
        string ns;
        string consumer;
        if (File.Exists(program))
        {
            consumer = File.ReadAllText(program);
            ns = NamespaceRegex().Match(consumer) is { Success: true } match
                ? match.Groups[1].Value
                : throw new InvalidOperationException($"{program} has no file-scoped namespace");
        }
        else
        {
            ns = AtlasProject.Namespace;
            consumer = Consumer.ToolImplementations(model, ns);
        }

        var assembly = RoslynCompiler.Load(RoslynCompiler.Compile(AtlasProject.Generate(model, ns, baseDirectory), consumer));
        return new GeneratedProgram(assembly, ns);
    }

    /// <summary>The generated agent class's <c>Descriptor</c>: what generated code hands the runtime for <paramref name="agent"/>.</summary>
    public AgentDescriptor AgentDescriptor(string agent) =>
        (AgentDescriptor)Type(Consumer.Pascal(agent) + "Agent").GetProperty("Descriptor")!.GetValue(null)!;

    /// <summary>The generated <c>XxxHuman.Descriptor</c> of a human.</summary>
    public HumanDescriptor HumanDescriptor(string human) =>
        (HumanDescriptor)Type(Consumer.Pascal(human) + "Human").GetProperty("Descriptor")!.GetValue(null)!;

    /// <summary>The runtime options the generated <c>AtlasDeclarations</c> fill (declared providers, routes, knowledge bases; the tools of <c>AtlasTools</c>).</summary>
    public AtlasRuntimeOptions Declarations()
    {
        var options = new AtlasRuntimeOptions();
        Type("AtlasDeclarations").GetMethod("AddTo")!.Invoke(null, [options, null]);
        return options;
    }

    /// <summary>
    /// The project's C# tools as generated code registers them (<c>AtlasTools</c> from <c>AddAtlas</c>), or none:
    /// for the interpreter's side, so that both sides' models are offered, and really call, the same tools.
    /// </summary>
    public IReadOnlyList<AIFunction> ToolFunctions()
    {
        var tools = _assembly.GetType(_namespace + ".AtlasTools");
        if (tools is null) return [];
        var services = new ServiceCollection();
        Type("AtlasServiceCollectionExtensions").GetMethod("AddAtlas")!.Invoke(null, [services, null]);
        var instance = services.BuildServiceProvider().GetRequiredService(tools);
        return (IReadOnlyList<AIFunction>)tools.GetMethod("CreateFunctions")!.Invoke(instance, null)!;
    }

    /// <summary>The services the generated <c>AddAtlas(configure)</c> registers.</summary>
    private ServiceProvider AddAtlas(Action<AtlasRuntimeOptions> configure)
    {
        var services = new ServiceCollection();
        Type("AtlasServiceCollectionExtensions").GetMethod("AddAtlas")!.Invoke(null, [services, configure]);
        return services.BuildServiceProvider();
    }

    /// <summary>The generated workflow class, its registered instance, and its <c>RunAsync(params..., CancellationToken)</c> (not the overload that also takes a calling StepContext).</summary>
    private (Type Type, object Instance, MethodInfo Run) Workflow(IServiceProvider provider, WorkflowModel workflow)
    {
        var type = Type(Consumer.Pascal(workflow.Name) + "Workflow");
        var run = type.GetMethods().Single(m => m.Name == "RunAsync" && !m.GetParameters().Any(p => p.ParameterType == typeof(StepContext)));
        return (type, provider.GetRequiredService(type), run);
    }

    /// <summary>Runs <paramref name="workflow"/> once streaming (for its events) and once with <c>RunAsync</c> (for its result, or the error it throws).</summary>
    public async Task<RunOutcome> RunAsync(WorkflowModel workflow, JsonNode? input, Action<AtlasRuntimeOptions> configure)
    {
        await using var provider = AddAtlas(configure);

        var (type, instance, run) = Workflow(provider, workflow);
        var options = JsonOptions;
        var arguments = Arguments(workflow, run.GetParameters(), input, options);

        var events = new List<AtlasEvent>();
        var stream = (IAsyncEnumerable<AtlasEvent>)Invoke(type.GetMethod("RunStreamingAsync")!, instance, arguments)!;
        await foreach (var atlasEvent in stream) events.Add(atlasEvent);

        var nodes = (IReadOnlyList<WorkflowNode>)type.GetProperty("Nodes")!.GetValue(null)!;
        var fingerprint = (string)type.GetField("Fingerprint")!.GetValue(null)!;
        var task = (Task)Invoke(run, instance, arguments)!;
        try
        {
            await task;
        }
        catch (Exception e)
        {
            return new RunOutcome(fingerprint, nodes, events, RunOutcome.Failure(e));
        }

        var result = task.GetType().GetProperty("Result")!.GetValue(task);
        var json = JsonSerializer.Serialize(result, run.ReturnType.GetGenericArguments()[0], options);

        return new RunOutcome(fingerprint, nodes, events, json);
    }

    /// <summary>Searches <paramref name="knowledge"/> on the runtime the generated <c>AddAtlas(configure)</c> registers.</summary>
    public async Task<IReadOnlyList<Passage>> SearchAsync(Action<AtlasRuntimeOptions> configure, string knowledge, string query, SearchOptions options)
    {
        await using var provider = AddAtlas(configure);
        return await provider.GetRequiredService<AtlasRuntime>().SearchAsync(knowledge, query, options, null, CancellationToken.None);
    }

    /// <summary>
    /// <paramref name="workflow"/> on one input through the block path: the generated <c>CreateBlock</c>, its events
    /// through <see cref="WorkflowBlockOptions.OnEvent"/> and its one <see cref="WorkflowResult{T}"/>, as a stream of
    /// one item. The result is the value's JSON, or the block's error text.
    /// </summary>
    public async Task<(IReadOnlyList<AtlasEvent> Events, string Result)> RunBlockAsync(WorkflowModel workflow, JsonNode? input, Action<AtlasRuntimeOptions> configure)
    {
        await using var provider = AddAtlas(configure);

        var (type, instance, run) = Workflow(provider, workflow);
        var options = JsonOptions;
        var arguments = Arguments(workflow, run.GetParameters(), input, options)[..^1];

        // The block's input: the one parameter's value, or the generated input record of all of them.
        var createBlock = type.GetMethod("CreateBlock")!;
        var inputType = createBlock.ReturnType.GetGenericArguments()[0];
        var blockInput = workflow.Parameters.Count == 1 ? arguments[0] : Activator.CreateInstance(inputType, arguments);

        var events = new ConcurrentQueue<AtlasEvent>();
        var block = (IDataflowBlock)Invoke(createBlock, instance, [new WorkflowBlockOptions(OnEvent: events.Enqueue)])!;
        var send = typeof(DataflowBlock).GetMethods().Single(m => m.Name == nameof(DataflowBlock.SendAsync) && m.GetParameters().Length == 2).MakeGenericMethod(inputType);
        Assert.True(await (Task<bool>)send.Invoke(null, [block, blockInput])!);
        block.Complete();
        var receive = typeof(DataflowBlock).GetMethods().Single(m => m.Name == nameof(DataflowBlock.ReceiveAsync) && m.GetParameters().Length == 1)
            .MakeGenericMethod(createBlock.ReturnType.GetGenericArguments()[1]);
        var received = (Task)receive.Invoke(null, [block])!;
        await received;
        var workflowResult = received.GetType().GetProperty("Result")!.GetValue(received)!;
        await block.Completion;

        var error = (string?)workflowResult.GetType().GetProperty("Error")!.GetValue(workflowResult);
        var value = workflowResult.GetType().GetProperty("Value")!.GetValue(workflowResult);
        var json = error ?? JsonSerializer.Serialize(value, run.ReturnType.GetGenericArguments()[0], options);
        return (events.ToArray(), json);
    }

    /// <summary>The typed arguments: one parameter takes the whole input, several an object keyed by parameter name (as <c>atlas run --input</c>).</summary>
    private static object?[] Arguments(WorkflowModel workflow, ParameterInfo[] parameters, JsonNode? input, JsonSerializerOptions options)
    {
        var declared = parameters[..^1];
        Assert.Equal(workflow.Parameters.Count, declared.Length);
        var arguments = new object?[parameters.Length];
        for (var i = 0; i < declared.Length; i++)
        {
            var value = declared.Length == 1 ? input : input![workflow.Parameters[i].Name];
            arguments[i] = value?.Deserialize(declared[i].ParameterType, options);
        }

        arguments[^1] = CancellationToken.None;
        return arguments;
    }

    private Type Type(string name) =>
        _assembly.GetType(_namespace + "." + name) ?? throw new InvalidOperationException($"The generated code has no {_namespace}.{name}.");

    private static object? Invoke(MethodInfo method, object instance, object?[] arguments)
    {
        try
        {
            return method.Invoke(instance, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceRegex();
}
