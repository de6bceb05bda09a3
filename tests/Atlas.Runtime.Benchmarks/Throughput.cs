using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime.Benchmarks;

/// <summary>
/// <c>--throughput ITEMS [--latency MS] [--parallelism N] [--engine atlas|dataflow|plain]</c>: pushes ITEMS inputs
/// through <c>chain</c> (shapes.atlas: three tool steps in a row), each tool waiting MS (0: answering at once), N
/// calls per step at once, and prints one line of <c>key=value</c>: items/s against the ideal (N / MS per second),
/// bytes allocated per item, and the peak working set and GC heap (sampled every 10 ms) of the measured run.
/// Engines: <c>atlas</c> the generated <c>ChainWorkflow.CreateBlock</c>, <c>dataflow</c> three TransformBlocks by
/// hand, <c>plain</c> no engine (3 x N loops of plain async/await: with a latency, what Task.Delay allows here).
/// Inputs cycle through 1,000 strings made once and results are counted, not kept, so memory reflects the engine.
/// One process per measurement (<c>--streams</c> starts them), so peaks do not mix.
/// </summary>
internal static class Throughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var items = int.Parse(args[1], CultureInfo.InvariantCulture);
        var latency = TimeSpan.FromMilliseconds(Option(args, "--latency", 20));
        var parallelism = Option(args, "--parallelism", 64);
        var engine = OptionText(args, "--engine", "atlas");
        if (engine is not ("atlas" or "dataflow" or "plain"))
        {
            Console.Error.WriteLine($"--engine: expected atlas, dataflow or plain, not '{engine}'");
            return 2;
        }

        var tools = new AtlasTools { Latency = latency };
        using var runtime = AtlasDeclarations.CreateRuntime(tools, static options => options.GetEnvironmentVariable = static _ => null);
        var chain = new ChainWorkflow(runtime, tools);

        // Warm up the JIT and the thread pool, then measure. Answering at once, the warm-up is the same whatever ITEMS is
        // and allocates well past a gen0 budget (~17 MB here): a measured run starts from the same heap and JIT state
        // for 10,000 items as for 100,000, so their peaks differ by what the run itself holds.
        await RunOnce(engine, chain, tools, latency == TimeSpan.Zero ? 50_000 : parallelism * 6, parallelism);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        using var sampler = new PeakSampler();
        var clock = Stopwatch.StartNew();
        var (checksum, failed) = await RunOnce(engine, chain, tools, items, parallelism);
        clock.Stop();
        var (peakWorkingSet, peakHeap, peakThreads) = sampler.Stop();
        var allocatedPerItem = (double)(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / items;

        var rate = items / clock.Elapsed.TotalSeconds;
        var ideal = parallelism / latency.TotalSeconds;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"engine={engine} items={items} latency={latency.TotalMilliseconds}ms parallelism={parallelism} elapsed={clock.Elapsed.TotalSeconds:0.000}s " +
            $"rate={rate:0} {(latency == TimeSpan.Zero ? "" : $"ideal={ideal:0} of_ideal={100 * rate / ideal:0.0}% ")}alloc_per_item={allocatedPerItem:0} failed={failed} checksum={checksum} " +
            $"peak_working_set={peakWorkingSet / 1048576.0:0.0}MB peak_gc_heap={peakHeap / 1048576.0:0.0}MB peak_pool_threads={peakThreads} " +
            $"gen0={GC.CollectionCount(0) - gen0} gen1={GC.CollectionCount(1) - gen1} gen2={GC.CollectionCount(2) - gen2}"));
        return failed == 0 ? 0 : 1;
    }

    private static Task<(long Checksum, int Failed)> RunOnce(string engine, ChainWorkflow chain, AtlasTools tools, int items, int parallelism) => engine switch
    {
        "dataflow" => Engines.PumpAsync(ShapeEngines.ChainDataflow(tools, parallelism, parallelism), ShapeEngines.Inputs(items), static s => s),
        "plain" => ShapeEngines.PlainLoopsAsync(tools, ShapeEngines.Inputs(items), loops: parallelism * 3),
        _ => Engines.PumpAsync(chain.CreateBlock(Engines.AtlasStreamOptions(parallelism, capacity: parallelism)), ShapeEngines.Inputs(items), static r => r.Value),
    };

    internal static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string OptionText(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>Samples the working set and the GC heap size every 10 ms on its own thread, keeping the peaks.</summary>
    private sealed class PeakSampler : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _peakWorkingSet;
        private long _peakHeap;
        private int _peakThreads;

        public PeakSampler()
        {
            _thread = new Thread(Sample) { IsBackground = true, Name = "peak-sampler" };
            _thread.Start();
        }

        public (long WorkingSet, long Heap, int Threads) Stop()
        {
            _stop = true;
            _thread.Join();
            return (_peakWorkingSet, _peakHeap, _peakThreads);
        }

        public void Dispose()
        {
            if (!_stop)
            {
                Stop();
            }
        }

        private void Sample()
        {
            while (!_stop)
            {
                _peakWorkingSet = Math.Max(_peakWorkingSet, Environment.WorkingSet);
                _peakHeap = Math.Max(_peakHeap, GC.GetGCMemoryInfo().HeapSizeBytes);
                _peakThreads = Math.Max(_peakThreads, ThreadPool.ThreadCount);
                Thread.Sleep(10);
            }
        }
    }
}
