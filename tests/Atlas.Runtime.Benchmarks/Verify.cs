using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Agents.AI.Workflows;

namespace Atlas.Runtime.Benchmarks;

/// <summary>
/// <c>--verify</c>: every engine the benchmarks time does the same work, so the same inputs must give the same
/// outputs. Prints one line per check and the first difference; exits 1 if any engine disagrees.
/// </summary>
internal static class Verify
{
    public static async Task<int> RunAsync()
    {
        bool ok;
        try
        {
            ok = await AgentPipelineAsync();
            ok &= await ShapesAsync();
            ok &= await StreamsAsync(TimeSpan.Zero);
            ok &= await StreamsAsync(TimeSpan.FromMilliseconds(2));
        }
        catch (Exception exception) when (exception is InvalidOperationException or WorkflowFailedException)
        {
            Console.WriteLine($"verify: an engine failed: {exception.Message}");
            return 1;
        }

        Console.WriteLine(ok ? "verify: every engine gives the same outputs" : "verify: engines disagree");
        return ok ? 0 : 1;
    }

    /// <summary>pipeline.atlas: direct awaits, the generated workflow (run and block), hand-written Dataflow and Agent Framework.</summary>
    private static async Task<bool> AgentPipelineAsync()
    {
        var inputs = Engines.Inputs(20).ToArray();
        using var runtime = AtlasDeclarations.CreateRuntime(tools: null, static options => options.GetEnvironmentVariable = static _ => null);
        var work = new PipelineWork(new MockChatClient());
        var generated = new SummarizeWorkflow(runtime);
        var agentFramework = Engines.AgentFrameworkWorkflow(work);
        var check = new Check("pipeline.atlas (agents), per run");
        var expected = new List<string>();
        foreach (var input in inputs)
        {
            var direct = await work.RunStepAsync(2, await work.RunStepAsync(1, await work.RunStepAsync(0, input, default), default), default);
            expected.Add(direct);
            check.Same("Atlas generated RunAsync", input, direct, await generated.RunAsync(input));
            check.Same("Agent Framework, Default", input, direct, await Engines.RunAgentFrameworkAsync(InProcessExecution.Default, agentFramework, input));
        }

        var streams = new Check("pipeline.atlas (agents), streams");
        streams.SameOutputs("hand-written Dataflow", expected, await CollectAsync(Engines.HandWrittenDataflow(work, 4, 64), inputs, static s => s));
        streams.SameOutputs("Atlas generated CreateBlock", expected, await CollectAsync(generated.CreateBlock(new WorkflowBlockOptions(MaxConcurrentRuns: 64) { MaxParallelismPerStep = 4 }), inputs, static r => r.Value));
        return check.Report() & streams.Report();
    }

    /// <summary>shapes.atlas, one run at a time: every engine of <see cref="ShapeBenchmarks"/>, both shapes.</summary>
    private static async Task<bool> ShapesAsync()
    {
        var tools = new AtlasTools();
        using var runtime = AtlasDeclarations.CreateRuntime(tools, static options => options.GetEnvironmentVariable = static _ => null);
        var chain = new ChainWorkflow(runtime, tools);
        var fan = new FanWorkflow(runtime, tools);
        var chainDataflow = ShapeEngines.ChainDataflow(tools);
        var fanDataflow = ShapeEngines.FanDataflow(tools);
        var chainAgentFramework = ShapeEngines.ChainAgentFramework(tools);
        var fanAgentFramework = ShapeEngines.FanAgentFramework(tools);

        // The floor itself, against the tools as written.
        var chainCheck = new Check("shapes.atlas chain, per run");
        var fanCheck = new Check("shapes.atlas fan, per run");
        chainCheck.Same("plain async/await", "ticket 42", "ticket 42|a|b|c", await ShapeEngines.ChainAsync(tools, "ticket 42"));
        fanCheck.Same("plain async/await", "ticket 42", "[ticket 42|a+ticket 42|b+ticket 42|c]", await ShapeEngines.FanAsync(tools, "ticket 42"));

        foreach (var input in ShapeEngines.Inputs(50))
        {
            var expected = await ShapeEngines.ChainAsync(tools, input);
            chainCheck.Same("hand-written Dataflow", input, expected, await ShapeEngines.RunThroughAsync(chainDataflow, input));
            chainCheck.Same("Agent Framework, Default", input, expected, await Engines.RunAgentFrameworkAsync(InProcessExecution.Default, chainAgentFramework, input));
            chainCheck.Same("Agent Framework, Lockstep", input, expected, await Engines.RunAgentFrameworkAsync(InProcessExecution.Lockstep, chainAgentFramework, input));
            chainCheck.Same("Atlas RunAsync", input, expected, await chain.RunAsync(input));
            chainCheck.Same("Atlas RunStreamingAsync", input, "a b c", await StepsOfAsync(chain.RunStreamingAsync(input)));

            expected = await ShapeEngines.FanAsync(tools, input);
            fanCheck.Same("hand-written Dataflow", input, expected, await ShapeEngines.RunThroughAsync(fanDataflow, input));
            fanCheck.Same("Agent Framework, Default", input, expected, await Engines.RunAgentFrameworkAsync(InProcessExecution.Default, fanAgentFramework, input));
            fanCheck.Same("Agent Framework, Lockstep", input, expected, await Engines.RunAgentFrameworkAsync(InProcessExecution.Lockstep, fanAgentFramework, input));
            fanCheck.Same("Atlas RunAsync", input, expected, await fan.RunAsync(input));
            fanCheck.Same("Atlas RunStreamingAsync", input, "a b c f j", await StepsOfAsync(fan.RunStreamingAsync(input)));
        }

        chainDataflow.Complete();
        fanDataflow.Complete();
        return chainCheck.Report() & fanCheck.Report();
    }

    /// <summary>The engines of <c>--throughput</c> on 2,000 inputs, 64 per step: the same results, in any order.</summary>
    private static async Task<bool> StreamsAsync(TimeSpan latency)
    {
        const int Items = 2000;
        const int Parallelism = 64;
        var tools = new AtlasTools { Latency = latency };
        using var runtime = AtlasDeclarations.CreateRuntime(tools, static options => options.GetEnvironmentVariable = static _ => null);
        var expected = new List<string>();
        foreach (var input in ShapeEngines.Inputs(Items))
        {
            expected.Add(await ShapeEngines.ChainAsync(new AtlasTools(), input));
        }

        var check = new Check($"shapes.atlas chain, streams, tools taking {latency.TotalMilliseconds} ms");
        check.SameOutputs("hand-written Dataflow", expected, await CollectAsync(ShapeEngines.ChainDataflow(tools, Parallelism, Parallelism), ShapeEngines.Inputs(Items), static s => s));
        check.SameOutputs("Atlas generated CreateBlock", expected, await CollectAsync(new ChainWorkflow(runtime, tools).CreateBlock(Engines.AtlasStreamOptions(Parallelism, Parallelism)), ShapeEngines.Inputs(Items), static r => r.Value));
        var (checksum, failed) = await ShapeEngines.PlainLoopsAsync(tools, ShapeEngines.Inputs(Items), Parallelism * 3);
        check.Same("plain async/await loops (checksum)", $"{Items} inputs", $"{expected.Sum(e => (long)e.Length)} 0", $"{checksum} {failed}");
        return check.Report();
    }

    /// <summary>Reads a run's events: the steps that started and completed, sorted, if the run began, ended last and succeeded.</summary>
    private static async Task<string> StepsOfAsync(IAsyncEnumerable<AtlasEvent> events)
    {
        var all = new List<AtlasEvent>();
        await foreach (var atlasEvent in events)
        {
            all.Add(atlasEvent);
        }

        if (all is not [RunStarted, .., RunCompleted { Succeeded: true }])
        {
            return "the run did not start, end last, or succeed: " + string.Join(", ", all.Select(e => e.GetType().Name));
        }

        var started = all.OfType<StepStarted>().Select(e => e.Step).Order(StringComparer.Ordinal);
        var completed = all.OfType<StepCompleted>().Select(e => e.Step).Order(StringComparer.Ordinal);
        return started.SequenceEqual(completed) ? string.Join(' ', started) : "started and completed steps differ";
    }

    private static async Task<List<string>> CollectAsync<TResult>(System.Threading.Tasks.Dataflow.IPropagatorBlock<string, TResult> block, IEnumerable<string> inputs, Func<TResult, string?> value)
    {
        var outputs = new List<string>();
        await Engines.PumpAsync(block, inputs, result => value(result) is { } text ? Keep(text) : null);
        return outputs;

        string Keep(string text)
        {
            outputs.Add(text);
            return text;
        }
    }

    /// <summary>Counts the comparisons of one check and remembers the first difference.</summary>
    private sealed class Check(string name)
    {
        private int _compared;
        private string? _difference;

        public void Same(string engine, string input, string expected, string actual)
        {
            _compared++;
            if (expected != actual)
            {
                _difference ??= $"{engine} on '{input}': expected '{expected}', got '{actual}'";
            }
        }

        public void SameOutputs(string engine, IEnumerable<string> expected, IEnumerable<string> actual)
        {
            var want = expected.Order(StringComparer.Ordinal).ToArray();
            var got = actual.Order(StringComparer.Ordinal).ToArray();
            Same(engine, $"{want.Length} inputs", $"{want.Length} results", $"{got.Length} results");
            if (want.Length == got.Length && want.Zip(got).FirstOrDefault(p => p.First != p.Second) is { First: not null } first)
            {
                _difference ??= $"{engine}: expected '{first.First}', got '{first.Second}' (outputs sorted)";
            }
        }

        public bool Report()
        {
            Console.WriteLine(_difference is null ? $"{name}: {_compared} comparisons, all the same" : $"{name}: {_difference}");
            return _difference is null;
        }
    }
}
