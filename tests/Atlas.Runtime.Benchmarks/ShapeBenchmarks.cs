using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Microsoft.Agents.AI.Workflows;

namespace Atlas.Runtime.Benchmarks;

/// <summary>
/// One run of each shape of <c>shapes.atlas</c> (one input per invocation) on every engine: plain async/await (the
/// floor, and each category's baseline), hand-written TPL Dataflow (blocks built once, one input at a time through
/// them), Microsoft Agent Framework 1.28 in process (Default and Lockstep), and the generated workflow's
/// <c>RunAsync</c> and <c>RunStreamingAsync</c> (every event read). The tools answer at once (completed tasks), so
/// the numbers are each engine's own cost. Completed Work Items is the thread pool's count per run.
/// </summary>
[MemoryDiagnoser]
[ThreadingDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ShapeBenchmarks
{
    private const string Input = "ticket 42";

    private AtlasTools _tools = null!;
    private AtlasRuntime _runtime = null!;
    private ChainWorkflow _chain = null!;
    private FanWorkflow _fan = null!;
    private IPropagatorBlock<string, string> _chainDataflow = null!;
    private IPropagatorBlock<string, string> _fanDataflow = null!;
    private Workflow _chainAgentFramework = null!;
    private Workflow _fanAgentFramework = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tools = new AtlasTools();
        _runtime = AtlasDeclarations.CreateRuntime(_tools, static options => options.GetEnvironmentVariable = static _ => null);
        _chain = new ChainWorkflow(_runtime, _tools);
        _fan = new FanWorkflow(_runtime, _tools);
        _chainDataflow = ShapeEngines.ChainDataflow(_tools);
        _fanDataflow = ShapeEngines.FanDataflow(_tools);
        _chainAgentFramework = ShapeEngines.ChainAgentFramework(_tools);
        _fanAgentFramework = ShapeEngines.FanAgentFramework(_tools);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _chainDataflow.Complete();
        _fanDataflow.Complete();
        _runtime.Dispose();
    }

    [Benchmark(Baseline = true, Description = "plain async/await")]
    [BenchmarkCategory("chain")]
    public Task<string> Chain_PlainAsync() => ShapeEngines.ChainAsync(_tools, Input);

    [Benchmark(Description = "hand-written Dataflow")]
    [BenchmarkCategory("chain")]
    public Task<string> Chain_Dataflow() => ShapeEngines.RunThroughAsync(_chainDataflow, Input);

    [Benchmark(Description = "Agent Framework, Default")]
    [BenchmarkCategory("chain")]
    public Task<string> Chain_AgentFramework_Default() => Engines.RunAgentFrameworkAsync(InProcessExecution.Default, _chainAgentFramework, Input);

    [Benchmark(Description = "Agent Framework, Lockstep")]
    [BenchmarkCategory("chain")]
    public Task<string> Chain_AgentFramework_Lockstep() => Engines.RunAgentFrameworkAsync(InProcessExecution.Lockstep, _chainAgentFramework, Input);

    [Benchmark(Description = "Atlas RunAsync")]
    [BenchmarkCategory("chain")]
    public Task<string> Chain_Atlas_RunAsync() => _chain.RunAsync(Input);

    [Benchmark(Description = "Atlas RunStreamingAsync")]
    [BenchmarkCategory("chain")]
    public async Task<int> Chain_Atlas_RunStreamingAsync()
    {
        var events = 0;
        await foreach (var _ in _chain.RunStreamingAsync(Input))
        {
            events++;
        }

        return events;
    }

    [Benchmark(Baseline = true, Description = "plain async/await")]
    [BenchmarkCategory("fan")]
    public Task<string> Fan_PlainAsync() => ShapeEngines.FanAsync(_tools, Input);

    [Benchmark(Description = "hand-written Dataflow")]
    [BenchmarkCategory("fan")]
    public Task<string> Fan_Dataflow() => ShapeEngines.RunThroughAsync(_fanDataflow, Input);

    [Benchmark(Description = "Agent Framework, Default")]
    [BenchmarkCategory("fan")]
    public Task<string> Fan_AgentFramework_Default() => Engines.RunAgentFrameworkAsync(InProcessExecution.Default, _fanAgentFramework, Input);

    [Benchmark(Description = "Agent Framework, Lockstep")]
    [BenchmarkCategory("fan")]
    public Task<string> Fan_AgentFramework_Lockstep() => Engines.RunAgentFrameworkAsync(InProcessExecution.Lockstep, _fanAgentFramework, Input);

    [Benchmark(Description = "Atlas RunAsync")]
    [BenchmarkCategory("fan")]
    public Task<string> Fan_Atlas_RunAsync() => _fan.RunAsync(Input);

    [Benchmark(Description = "Atlas RunStreamingAsync")]
    [BenchmarkCategory("fan")]
    public async Task<int> Fan_Atlas_RunStreamingAsync()
    {
        var events = 0;
        await foreach (var _ in _fan.RunStreamingAsync(Input))
        {
            events++;
        }

        return events;
    }
}
