using System;
using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Atlas.Runtime.Benchmarks;

/// <summary>
/// Throughput of the 3-step pipeline when every call waits: 10,000 items, the mock answering after
/// 20 ms per step, 64 calls per step at once. The ideal is 64 / 20 ms = 3,200 items/s, i.e. 312.5 us
/// per item; the mean here is per item (<c>OperationsPerInvoke</c>), so items/s = 1 / mean.
/// </summary>
/// <remarks>
/// Each invocation is one whole 10,000-item stream (about 3 s), so the Monitoring strategy with a
/// few iterations. Peak memory is not a BenchmarkDotNet column: <c>--throughput N</c> samples it.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ThroughputBenchmarks
{
    public const int Items = 10_000;
    private const int Parallelism = 64;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(20);

    private string[] _inputs = [];
    private AtlasRuntime _runtime = null!;
    private PipelineWork _work = null!;
    private SummarizeWorkflow _generated = null!;

    private static WorkflowBlockOptions BlockOptions => Engines.AtlasStreamOptions(Parallelism, capacity: Parallelism);

    [GlobalSetup]
    public void Setup()
    {
        _inputs = Engines.Inputs(Items).ToArray();
        var options = new AtlasRuntimeOptions { GetEnvironmentVariable = _ => null };
        options.Providers.Add(new ProviderDescriptor("offline", ProviderKind.Mock, Latency: Latency));
        _runtime = new AtlasRuntime(options);
        _work = new PipelineWork(new MockChatClient(latency: Latency));
        _generated = new SummarizeWorkflow(_runtime);
    }

    [GlobalCleanup]
    public void Cleanup() => _runtime.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Items, Description = "20 ms x 3 steps: hand-written Dataflow")]
    public async Task<long> HandWrittenDataflow() =>
        (await Engines.PumpAsync(Engines.HandWrittenDataflow(_work, Parallelism, Parallelism), _inputs, static s => s)).Checksum;

    [Benchmark(OperationsPerInvoke = Items, Description = "20 ms x 3 steps: Atlas generated workflow (agents)")]
    public async Task<long> AtlasGenerated() =>
        (await Engines.PumpAsync(_generated.CreateBlock(BlockOptions), _inputs, static r => r.Value)).Checksum;
}
