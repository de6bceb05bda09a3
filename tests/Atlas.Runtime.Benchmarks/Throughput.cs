using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime.Benchmarks;

/// <summary>
/// <c>--throughput ITEMS [--latency MS] [--parallelism N] [--engine atlas|dataflow]</c>: pushes ITEMS inputs
/// through the 3-step pipeline with the mock answering after MS per step and N calls per step at once,
/// and prints items/s against the ideal (N / MS per second) and the peak working set and GC heap
/// (sampled every 10 ms). Inputs are made as they are sent and results are counted, not kept,
/// so memory reflects the engine alone.
/// </summary>
internal static class Throughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var items = int.Parse(args[1], CultureInfo.InvariantCulture);
        var latency = TimeSpan.FromMilliseconds(Option(args, "--latency", 20));
        var parallelism = Option(args, "--parallelism", 64);
        var engine = OptionText(args, "--engine", "atlas");

        var work = new PipelineWork(new MockChatClient(latency: latency));
        using var runtime = new AtlasRuntime(new AtlasRuntimeOptions { GetEnvironmentVariable = _ => null });
        var graph = Engines.AtlasGraph(work);

        // Warm up JIT and thread pool with a short run, then measure.
        await RunOnce(engine, runtime, graph, work, Math.Min(items, parallelism * 6), parallelism);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        work.ResetTiming();
        using var sampler = new PeakSampler();
        var clock = Stopwatch.StartNew();
        var (checksum, failed) = await RunOnce(engine, runtime, graph, work, items, parallelism);
        clock.Stop();
        var (peakWorkingSet, peakHeap, peakThreads) = sampler.Stop();

        var rate = items / clock.Elapsed.TotalSeconds;
        var ideal = parallelism / latency.TotalSeconds;
        var idealAtMeasured = parallelism / work.MeanCall.TotalSeconds;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"engine={engine} items={items} latency={latency.TotalMilliseconds}ms parallelism={parallelism} elapsed={clock.Elapsed.TotalSeconds:0.00}s " +
            $"rate={rate:0} items/s ideal={ideal:0} ({100 * rate / ideal:0.0}%) mean_call={work.MeanCall.TotalMilliseconds:0.00}ms ideal_at_mean_call={idealAtMeasured:0} ({100 * rate / idealAtMeasured:0.0}%) failed={failed} checksum={checksum} " +
            $"peak_working_set={peakWorkingSet / 1048576.0:0.0}MB peak_gc_heap={peakHeap / 1048576.0:0.0}MB peak_pool_threads={peakThreads} gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)}"));
        return failed == 0 ? 0 : 1;
    }

    private static Task<(long Checksum, int Failed)> RunOnce(string engine, AtlasRuntime runtime, WorkflowGraph<SameWorkState> graph, PipelineWork work, int items, int parallelism) => engine switch
    {
        "dataflow" => Engines.PumpAsync(Engines.HandWrittenDataflow(work, parallelism, parallelism), Engines.Inputs(items), static s => s),

        // Three steps in a row: admit three times the per-step parallelism, plus one step's worth of slack, so no step waits.
        _ => Engines.PumpAsync(
            Engines.AtlasBlock(runtime, graph, new WorkflowBlockOptions(BoundedCapacity: parallelism, MaxConcurrentRuns: parallelism * 4) { MaxParallelismPerStep = parallelism }),
            Engines.Inputs(items),
            static r => r.Value),
    };

    private static int Option(string[] args, string name, int fallback)
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
