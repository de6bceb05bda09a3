using System;
using System.IO;
using System.Linq;
using Atlas.Benchmarks;
using Atlas.Compiler;
using Atlas.Compiler.Text;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

// `-- --emit DIR` writes the generated inputs; `-- --validate` compiles them and prints the
// diagnostics; anything else goes to BenchmarkDotNet (e.g. `--filter '*'`, `--job short`).
if (args.Length >= 1 && args[0] == "--validate")
{
    int errors = 0;
    foreach (var (path, text) in new[] { ("large.atlas", Inputs.Atlas), ("large.atlas.yaml", Inputs.Yaml) })
    {
        var result = AtlasCompiler.Compile(new SourceFile(path, text));
        Console.WriteLine($"{path}: {text.Length:N0} chars, {result.Model.Workflows.Count} workflows, {result.Model.Agents.Count} agents, {result.Diagnostics.Count} diagnostics");
        foreach (var d in result.Diagnostics.Take(20)) Console.WriteLine("  " + d);
        errors += result.Diagnostics.Count(d => d.IsError);
    }
    return errors == 0 ? 0 : 1;
}

if (args.Length >= 2 && args[0] == "--emit")
{
    Directory.CreateDirectory(args[1]);
    File.WriteAllText(Path.Combine(args[1], "large.atlas"), Inputs.Atlas);
    File.WriteAllText(Path.Combine(args[1], "large.atlas.yaml"), Inputs.Yaml);
    Console.WriteLine($"wrote {Inputs.AtlasBytes:N0} + {Inputs.YamlBytes:N0} bytes to {args[1]}");
    return 0;
}

// Two cores: a modest default job keeps a full run to a few minutes; `--job` overrides it.
var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(12).AsDefault())
    .AddColumn(ThroughputColumn.InputSize, ThroughputColumn.Throughput)
    .WithOptions(ConfigOptions.JoinSummary);

var summaries = BenchmarkSwitcher.FromAssembly(typeof(FrontEndBenchmarks).Assembly).Run(args, config);
return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
