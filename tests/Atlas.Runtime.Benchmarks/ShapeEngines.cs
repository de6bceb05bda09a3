using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;
using Microsoft.Agents.AI.Workflows;

namespace Atlas.Runtime.Benchmarks;

/// <summary>
/// The two shapes of <c>shapes.atlas</c> — <c>chain</c> (three tool steps in a row) and <c>fan</c> (three tool steps
/// at once, joined, then finished) — on every engine other than the generated workflows, calling the same
/// <see cref="AtlasTools"/> methods.
/// </summary>
public static class ShapeEngines
{
    private static readonly string[] Samples = CreateSamples(1000);

    /// <summary>
    /// <paramref name="count"/> short inputs, cycling through 1,000 made once: nothing is allocated per input, so a
    /// stream's allocations and memory are the engine's and the tools' alone.
    /// </summary>
    public static IEnumerable<string> Inputs(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return Samples[i % Samples.Length];
        }
    }

    /// <summary>The floor: <c>chain</c> as plain async/await.</summary>
    public static async Task<string> ChainAsync(AtlasTools tools, string text, CancellationToken cancellationToken = default)
    {
        var a = await tools.TagAAsync(text, cancellationToken).ConfigureAwait(false);
        var b = await tools.TagBAsync(a, cancellationToken).ConfigureAwait(false);
        return await tools.TagCAsync(b, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The floor: <c>fan</c> as plain async/await, the three branches started together.</summary>
    public static async Task<string> FanAsync(AtlasTools tools, string text, CancellationToken cancellationToken = default)
    {
        var a = tools.TagAAsync(text, cancellationToken);
        var b = tools.TagBAsync(text, cancellationToken);
        var c = tools.TagCAsync(text, cancellationToken);
        var joined = await tools.JoinAsync(await a.ConfigureAwait(false), await b.ConfigureAwait(false), await c.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return await tools.FinishAsync(joined, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>chain</c> as three linked TransformBlocks (see <see cref="Engines.HandWrittenChain"/>).</summary>
    public static IPropagatorBlock<string, string> ChainDataflow(AtlasTools tools, int parallelism = 1, int capacity = DataflowBlockOptions.Unbounded, CancellationToken cancellationToken = default) =>
        Engines.HandWrittenChain(
            [
                text => tools.TagAAsync(text, cancellationToken),
                a => tools.TagBAsync(a, cancellationToken),
                b => tools.TagCAsync(b, cancellationToken),
            ],
            parallelism,
            capacity,
            cancellationToken);

    /// <summary>
    /// <c>fan</c> as blocks written by hand: a BroadcastBlock feeds the three branches, a JoinBlock pairs their results
    /// (in arrival order, so one input at a time), then join and finish.
    /// </summary>
    public static IPropagatorBlock<string, string> FanDataflow(AtlasTools tools, CancellationToken cancellationToken = default)
    {
        var options = new ExecutionDataflowBlockOptions { CancellationToken = cancellationToken };
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        var input = new BroadcastBlock<string>(null, new DataflowBlockOptions { CancellationToken = cancellationToken });
        var a = new TransformBlock<string, string>(text => tools.TagAAsync(text, cancellationToken), options);
        var b = new TransformBlock<string, string>(text => tools.TagBAsync(text, cancellationToken), options);
        var c = new TransformBlock<string, string>(text => tools.TagCAsync(text, cancellationToken), options);
        var parts = new JoinBlock<string, string, string>(new GroupingDataflowBlockOptions { CancellationToken = cancellationToken });
        var join = new TransformBlock<Tuple<string, string, string>, string>(p => tools.JoinAsync(p.Item1, p.Item2, p.Item3, cancellationToken), options);
        var finish = new TransformBlock<string, string>(joined => tools.FinishAsync(joined, cancellationToken), options);
        input.LinkTo(a, link);
        input.LinkTo(b, link);
        input.LinkTo(c, link);
        a.LinkTo(parts.Target1, link);
        b.LinkTo(parts.Target2, link);
        c.LinkTo(parts.Target3, link);
        parts.LinkTo(join, link);
        join.LinkTo(finish, link);
        return DataflowBlock.Encapsulate(input, finish);
    }

    /// <summary>One run through persistent blocks: send the input, receive its result.</summary>
    public static async Task<string> RunThroughAsync(IPropagatorBlock<string, string> block, string text, CancellationToken cancellationToken = default)
    {
        if (!await block.SendAsync(text, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("The dataflow pipeline declined the input.");
        }

        return await block.ReceiveAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>chain</c> on Microsoft Agent Framework: three function executors in a row, output from the last.</summary>
    public static Workflow ChainAgentFramework(AtlasTools tools)
    {
        var a = Step("tag_a", tools.TagAAsync);
        var b = Step("tag_b", tools.TagBAsync);
        var c = Step("tag_c", tools.TagCAsync);
        return new WorkflowBuilder(a)
            .AddEdge(a, b)
            .AddEdge(b, c)
            .WithOutputFrom(c)
            .Build();
    }

    /// <summary>
    /// <c>fan</c> on Microsoft Agent Framework: an executor forwarding the input fans out to the three branches (a
    /// workflow starts at one executor); a fan-in barrier edge hands their results to the join, which collects the three
    /// in the run's state (executors are shared by runs) and sends the joined text to finish.
    /// </summary>
    public static Workflow FanAgentFramework(AtlasTools tools)
    {
        Func<string, IWorkflowContext, CancellationToken, ValueTask<string>> forward = static (text, _, _) => ValueTask.FromResult(text);
        var input = forward.BindAsExecutor("input", threadsafe: true);
        var a = Branch("tag_a", 0, tools.TagAAsync);
        var b = Branch("tag_b", 1, tools.TagBAsync);
        var c = Branch("tag_c", 2, tools.TagCAsync);
        ExecutorBinding join = new FunctionExecutor<Part>(
            "join",
            async (part, context, cancellationToken) =>
            {
                var parts = await context.ReadStateAsync<string?[]>(PartsKey, cancellationToken).ConfigureAwait(false) ?? new string?[3];
                parts[part.Index] = part.Value;
                if (parts is [{ } first, { } second, { } third])
                {
                    await context.SendMessageAsync(await tools.JoinAsync(first, second, third, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                    return;
                }

                await context.QueueStateUpdateAsync(PartsKey, parts, cancellationToken).ConfigureAwait(false);
            },
            sentMessageTypes: [typeof(string)],
            declareCrossRunShareable: true);
        var finish = Step("finish", tools.FinishAsync);
        return new WorkflowBuilder(input)
            .AddFanOutEdge(input, [a, b, c])
            .AddFanInBarrierEdge([a, b, c], join)
            .AddEdge(join, finish)
            .WithOutputFrom(finish)
            .Build();
    }

    /// <summary>
    /// <c>chain</c> over many inputs with no engine: <paramref name="loops"/> loops, each taking the next input and
    /// awaiting its three tools in turn. With tools that wait, what the timer and the thread pool allow on this box.
    /// </summary>
    public static async Task<(long Checksum, int Failed)> PlainLoopsAsync(AtlasTools tools, IEnumerable<string> inputs, int loops, CancellationToken cancellationToken = default)
    {
        using var source = inputs.GetEnumerator();
        long checksum = 0;
        async Task LoopAsync()
        {
            while (true)
            {
                string text;
                lock (source)
                {
                    if (!source.MoveNext())
                    {
                        return;
                    }

                    text = source.Current;
                }

                Interlocked.Add(ref checksum, (await ChainAsync(tools, text, cancellationToken).ConfigureAwait(false)).Length);
            }
        }

        var running = new Task[loops];
        for (var i = 0; i < loops; i++)
        {
            running[i] = Task.Run(LoopAsync, cancellationToken);
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        return (checksum, 0);
    }

    private const string PartsKey = "parts";

    private static ExecutorBinding Step(string id, Func<string, CancellationToken, Task<string>> tool)
    {
        Func<string, IWorkflowContext, CancellationToken, ValueTask<string>> handler = async (text, _, cancellationToken) => await tool(text, cancellationToken).ConfigureAwait(false);
        return handler.BindAsExecutor(id, threadsafe: true);
    }

    private static ExecutorBinding Branch(string id, int index, Func<string, CancellationToken, Task<string>> tool)
    {
        Func<string, IWorkflowContext, CancellationToken, ValueTask<Part>> handler = async (text, _, cancellationToken) => new Part(index, await tool(text, cancellationToken).ConfigureAwait(false));
        return handler.BindAsExecutor(id, threadsafe: true);
    }

    private static string[] CreateSamples(int count)
    {
        var samples = new string[count];
        for (var i = 0; i < count; i++)
        {
            samples[i] = "ticket " + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return samples;
    }

    /// <summary>A branch's result in the Agent Framework <c>fan</c>, with which branch it came from.</summary>
    private sealed record Part(int Index, string Value);
}
