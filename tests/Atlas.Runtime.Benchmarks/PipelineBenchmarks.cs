using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Agents.AI.Workflows;

namespace Atlas.Runtime.Benchmarks;

/// <summary>
/// Per-item overhead and allocations of the same 3-step pipeline (render a prompt, call the mock
/// chat client with zero latency, parse the reply) on each engine; 1,000 items per invocation, so
/// every number is per item.
/// </summary>
/// <remarks>
/// Streams: a long-lived pipeline with 4 items per step at once, inputs sent with SendAsync and
/// results read as they come. Per run: one input at a time, each run its own graph (how
/// <c>RunAsync</c> and Agent Framework workflows are called).
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class PipelineBenchmarks
{
    public const int Items = 1000;
    private const int Parallelism = 4;
    private const int Capacity = 64;

    private string[] _inputs = [];
    private AtlasRuntime _runtime = null!;
    private PipelineWork _work = null!;
    private SummarizeWorkflow _generated = null!;
    private Workflow _agentFramework = null!;

    private static WorkflowBlockOptions BlockOptions => new(BoundedCapacity: Capacity, MaxConcurrentRuns: Capacity) { MaxParallelismPerStep = Parallelism };

    [GlobalSetup]
    public void Setup()
    {
        _inputs = Engines.Inputs(Items).ToArray();
        var options = new AtlasRuntimeOptions { GetEnvironmentVariable = _ => null };
        options.Providers.Add(new ProviderDescriptor("offline", ProviderKind.Mock));
        _runtime = new AtlasRuntime(options);
        _work = new PipelineWork(new MockChatClient());
        _generated = new SummarizeWorkflow(_runtime);
        _agentFramework = Engines.AgentFrameworkWorkflow(_work);
    }

    [GlobalCleanup]
    public void Cleanup() => _runtime.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Items, Description = "Stream: hand-written Dataflow")]
    public async Task<long> Stream_HandWrittenDataflow() =>
        (await Engines.PumpAsync(Engines.HandWrittenDataflow(_work, Parallelism, Capacity), _inputs, static s => s)).Checksum;

    [Benchmark(OperationsPerInvoke = Items, Description = "Stream: Atlas generated workflow (agents)")]
    public async Task<long> Stream_AtlasGenerated() =>
        (await Engines.PumpAsync(_generated.CreateBlock(BlockOptions), _inputs, static r => r.Value)).Checksum;

    [Benchmark(OperationsPerInvoke = Items, Description = "Per run: direct awaits (no engine)")]
    public async Task<long> PerRun_DirectAwaits()
    {
        long checksum = 0;
        foreach (var input in _inputs)
        {
            var o = await _work.RunStepAsync(0, input, default);
            var d = await _work.RunStepAsync(1, o, default);
            checksum += (await _work.RunStepAsync(2, d, default)).Length;
        }

        return checksum;
    }

    [Benchmark(OperationsPerInvoke = Items, Description = "Per run: Atlas generated RunAsync (agents)")]
    public async Task<long> PerRun_AtlasGenerated()
    {
        long checksum = 0;
        foreach (var input in _inputs)
        {
            checksum += (await _generated.RunAsync(input)).Length;
        }

        return checksum;
    }

    [Benchmark(OperationsPerInvoke = Items, Description = "Per run: Agent Framework InProcessExecution")]
    public async Task<long> PerRun_AgentFramework()
    {
        long checksum = 0;
        foreach (var input in _inputs)
        {
            checksum += (await Engines.RunAgentFrameworkAsync(InProcessExecution.Default, _agentFramework, input)).Length;
        }

        return checksum;
    }
}
