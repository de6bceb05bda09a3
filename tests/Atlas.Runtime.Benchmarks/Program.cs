using Atlas.Runtime.Benchmarks;
using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "--throughput")
{
    return await Throughput.RunAsync(args);
}

if (args.Length > 0 && args[0] == "--streams")
{
    return await Streams.RunAsync(args);
}

if (args.Length > 0 && args[0] == "--verify")
{
    return await Verify.RunAsync();
}

BenchmarkSwitcher.FromAssembly(typeof(ShapeBenchmarks).Assembly).Run(args);
return 0;
