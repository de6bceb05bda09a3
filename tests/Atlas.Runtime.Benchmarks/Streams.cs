using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace Atlas.Runtime.Benchmarks;

/// <summary>
/// <c>--streams [--rounds N]</c>: the stream measurements of issue 13, each a fresh <c>--throughput</c> process (so
/// peaks do not mix), rounds interleaved so a change in the box's load hits every engine alike, medians printed as
/// markdown tables:
/// <list type="bullet">
/// <item>tools answering at once, 64 per step: 10,000 and 100,000 inputs on each engine (items/s, bytes per item, peak
/// working set);</item>
/// <item>tools waiting 20 ms, 64 per step, 10,000 inputs: each engine against the plain async/await loops of the same
/// round, i.e. against what Task.Delay allows on this box, measured in the same run.</item>
/// </list>
/// </summary>
internal static class Streams
{
    private const int Parallelism = 64;
    private static readonly string[] EngineNames = ["plain", "dataflow", "atlas"];

    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal)
    {
        ["plain"] = "plain async/await (192 loops, no engine)",
        ["dataflow"] = "hand-written Dataflow",
        ["atlas"] = "Atlas generated `CreateBlock`",
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = Throughput.Option(args, "--rounds", 3);
        var cells = new List<(int Latency, int Items, string Engine)>();
        foreach (var items in new[] { 10_000, 100_000 })
        {
            cells.AddRange(EngineNames.Select(engine => (0, items, engine)));
        }

        cells.AddRange(EngineNames.Select(engine => (20, 10_000, engine)));

        var results = new Dictionary<(int Latency, int Items, string Engine), List<Dictionary<string, string>>>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var cell in cells)
            {
                var line = await RunChildAsync(cell.Items, cell.Latency, cell.Engine);
                if (line is null)
                {
                    return 1;
                }

                Console.WriteLine($"round {round}: {line}");
                if (!results.TryGetValue(cell, out var list))
                {
                    results[cell] = list = [];
                }

                list.Add(Parse(line));
            }
        }

        double Value(Dictionary<string, string> result, string key) => double.Parse(result[key].TrimEnd('%', 'M', 'B', 's'), CultureInfo.InvariantCulture);
        double Median(int latency, int items, string engine, string key) =>
            MedianOf(results[(latency, items, engine)].Select(r => Value(r, key)));

        // A ratio is taken within each round (the two processes ran seconds apart) and then the median over rounds.
        double MedianRatio(int latency, int items, string engine, string reference) =>
            MedianOf(results[(latency, items, engine)].Zip(results[(latency, items, reference)], (a, b) => Value(a, "rate") / Value(b, "rate")));

        Console.WriteLine();
        Console.WriteLine($"Tools answering at once, {Parallelism} per step, median of {rounds} processes each (ratios: median of each round's):");
        Console.WriteLine();
        Console.WriteLine("| engine | items/s (100k) | vs Dataflow | B/item (100k) | peak WS 10k | peak WS 100k | 100k − 10k | peak GC heap 100k |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var engine in EngineNames)
        {
            var rate = Median(0, 100_000, engine, "rate");
            var peak10 = Median(0, 10_000, engine, "peak_working_set");
            var peak100 = Median(0, 100_000, engine, "peak_working_set");
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {Labels[engine]} | {rate:N0} | {MedianRatio(0, 100_000, engine, "dataflow"):0.00}× | {Median(0, 100_000, engine, "alloc_per_item"):N0} | {peak10:0.0} MB | {peak100:0.0} MB | {peak100 - peak10:+0.0;−0.0;0.0} MB | {Median(0, 100_000, engine, "peak_gc_heap"):0.0} MB |"));
        }

        Console.WriteLine();
        Console.WriteLine($"Tools waiting 20 ms, {Parallelism} per step, 10,000 inputs (ideal {Parallelism / 0.020:N0} items/s), median of {rounds} processes each (ratios: median of each round's):");
        Console.WriteLine();
        Console.WriteLine("| engine | items/s | of ideal | of plain async/await (calibrated) | B/item | peak WS |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var engine in EngineNames)
        {
            var rate = Median(20, 10_000, engine, "rate");
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {Labels[engine]} | {rate:N0} | {100 * rate / (Parallelism / 0.020):0.0}% | {100 * MedianRatio(20, 10_000, engine, "plain"):0.0}% | {Median(20, 10_000, engine, "alloc_per_item"):N0} | {Median(20, 10_000, engine, "peak_working_set"):0.0} MB |"));
        }

        return 0;
    }

    private static async Task<string?> RunChildAsync(int items, int latency, string engine)
    {
        // Run the same build again: under `dotnet Atlas.Runtime.Benchmarks.dll` the host is dotnet, else the apphost.
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(Streams).Assembly.Location);
        }

        foreach (var argument in new[] { "--throughput", items.ToString(CultureInfo.InvariantCulture), "--latency", latency.ToString(CultureInfo.InvariantCulture), "--parallelism", Parallelism.ToString(CultureInfo.InvariantCulture), "--engine", engine })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("engine=", StringComparison.Ordinal));
        if (child.ExitCode != 0 || line is null)
        {
            Console.Error.WriteLine($"--throughput {items} --latency {latency} --engine {engine} failed (exit {child.ExitCode}): {output.Trim()}");
            return null;
        }

        return line.Trim();
    }

    private static Dictionary<string, string> Parse(string line) =>
        line.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);

    private static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
