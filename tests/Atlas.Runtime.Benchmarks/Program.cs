using System;
using Atlas.Runtime.Benchmarks;
using BenchmarkDotNet.Configs;
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

// BenchmarkDotNet builds a project per run (the generator included); on a busy 2-core box that outlasts its
// default 2-minute limit.
BenchmarkSwitcher.FromAssembly(typeof(ShapeBenchmarks).Assembly).Run(args, ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(15)));
return 0;
