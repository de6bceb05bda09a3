using System;
using System.Linq;
using Atlas.Runtime;
using Atlas.Runtime.Benchmarks;
using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "--throughput")
{
    return await Throughput.RunAsync(args);
}

if (args.Length > 0 && args[0] == "--verify")
{
    // Every engine does the same work: the same inputs must give the same outputs.
    var inputs = Engines.Inputs(20).ToArray();
    var options = new AtlasRuntimeOptions { GetEnvironmentVariable = _ => null };
    options.Providers.Add(new ProviderDescriptor("offline", ProviderKind.Mock));
    using var runtime = new AtlasRuntime(options);
    var work = new PipelineWork(new MockChatClient());
    var graph = Engines.AtlasGraph(work);
    var agentFramework = Engines.AgentFrameworkWorkflow(work);
    var generated = new SummarizeWorkflow(runtime);
    var ok = true;
    foreach (var input in inputs)
    {
        var direct = await work.RunStepAsync(2, await work.RunStepAsync(1, await work.RunStepAsync(0, input, default), default), default);
        var results = new[]
        {
            await runtime.RunAsync(graph, new SameWorkState(input), static s => s.P, default),
            await generated.RunAsync(input),
            await Engines.RunAgentFrameworkAsync(agentFramework, input),
        };
        ok &= results.All(r => r == direct);
    }

    Console.WriteLine(ok ? "verify: every engine gives the same outputs" : "verify: engines disagree");
    return ok ? 0 : 1;
}

BenchmarkSwitcher.FromAssembly(typeof(PipelineBenchmarks).Assembly).Run(args);
return 0;
