using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;
using Microsoft.Agents.AI.Workflows;

namespace Atlas.Runtime.Benchmarks;

/// <summary>The same 3-step pipeline on each engine under comparison.</summary>
public static class Engines
{
    /// <summary>(b) Three linked TransformBlocks, as one would write it by hand.</summary>
    public static IPropagatorBlock<string, string> HandWrittenDataflow(PipelineWork work, int parallelism, int capacity, CancellationToken cancellationToken = default)
    {
        var options = new ExecutionDataflowBlockOptions
        {
            MaxDegreeOfParallelism = parallelism,
            BoundedCapacity = capacity,
            EnsureOrdered = false,
            CancellationToken = cancellationToken,
        };
        var outline = new TransformBlock<string, string>(text => work.RunStepAsync(0, text, cancellationToken), options);
        var draft = new TransformBlock<string, string>(o => work.RunStepAsync(1, o, cancellationToken), options);
        var polish = new TransformBlock<string, string>(d => work.RunStepAsync(2, d, cancellationToken), options);
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        outline.LinkTo(draft, link);
        draft.LinkTo(polish, link);
        return DataflowBlock.Encapsulate(outline, polish);
    }

    /// <summary>(a) The Atlas engine with the same step work as the hand-written pipeline (the engine's own overhead).</summary>
    public static WorkflowGraph<SameWorkState> AtlasGraph(PipelineWork work) =>
        new WorkflowGraphBuilder<SameWorkState>("summarize")
            .Step("o", [], async (state, _, cancellationToken) => state.O = await work.RunStepAsync(0, state.Text, cancellationToken).ConfigureAwait(false))
            .Step("d", ["o"], async (state, _, cancellationToken) => state.D = await work.RunStepAsync(1, state.O, cancellationToken).ConfigureAwait(false))
            .Step("p", ["d"], async (state, _, cancellationToken) => state.P = await work.RunStepAsync(2, state.D, cancellationToken).ConfigureAwait(false))
            .Build(["p"]);

    public static IPropagatorBlock<string, WorkflowResult<string>> AtlasBlock(AtlasRuntime runtime, WorkflowGraph<SameWorkState> graph, WorkflowBlockOptions options) =>
        runtime.CreateBlock<string, SameWorkState, string>(graph, static text => new SameWorkState(text), static state => state.P, options);

    /// <summary>(a') The generated workflow: its steps call the generated agents (routing, events, usage, streaming).</summary>
    public static IPropagatorBlock<string, WorkflowResult<string>> GeneratedBlock(AtlasRuntime runtime, WorkflowBlockOptions options) =>
        new SummarizeWorkflow(runtime).CreateBlock(options);

    /// <summary>(c) Microsoft Agent Framework: three function executors in a chain, output from the last.</summary>
    public static Workflow AgentFrameworkWorkflow(PipelineWork work)
    {
        Func<string, IWorkflowContext, CancellationToken, ValueTask<string>> outline = async (text, _, ct) => await work.RunStepAsync(0, text, ct).ConfigureAwait(false);
        Func<string, IWorkflowContext, CancellationToken, ValueTask<string>> draft = async (o, _, ct) => await work.RunStepAsync(1, o, ct).ConfigureAwait(false);
        Func<string, IWorkflowContext, CancellationToken, ValueTask<string>> polish = async (d, _, ct) => await work.RunStepAsync(2, d, ct).ConfigureAwait(false);
        var first = outline.BindAsExecutor("outline", threadsafe: true);
        var second = draft.BindAsExecutor("draft", threadsafe: true);
        var third = polish.BindAsExecutor("polish", threadsafe: true);
        return new WorkflowBuilder(first)
            .AddEdge(first, second)
            .AddEdge(second, third)
            .WithOutputFrom(third)
            .Build();
    }

    /// <summary>One input through the Agent Framework workflow, in process; its output.</summary>
    public static async Task<string> RunAgentFrameworkAsync(Workflow workflow, string text, CancellationToken cancellationToken = default)
    {
        await using var run = await InProcessExecution.RunAsync(workflow, text, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var workflowEvent in run.NewEvents)
        {
            switch (workflowEvent)
            {
                case WorkflowOutputEvent output:
                    return output.As<string>()!;
                case WorkflowErrorEvent error:
                    throw new InvalidOperationException("The Agent Framework workflow failed.", error.Exception);
                case ExecutorFailedEvent failed:
                    throw new InvalidOperationException($"Executor {failed.ExecutorId} failed.", failed.Data);
            }
        }

        throw new InvalidOperationException("The Agent Framework workflow produced no output.");
    }

    /// <summary>Sends every input, completes, and reads every result; returns a checksum (total result length) and the count of failures.</summary>
    public static async Task<(long Checksum, int Failed)> PumpAsync<TResult>(IPropagatorBlock<string, TResult> block, IEnumerable<string> inputs, Func<TResult, string?> value, CancellationToken cancellationToken = default)
    {
        var producer = Task.Run(
            async () =>
            {
                foreach (var input in inputs)
                {
                    if (!await block.SendAsync(input, cancellationToken).ConfigureAwait(false))
                    {
                        break;
                    }
                }

                block.Complete();
            },
            cancellationToken);

        long checksum = 0;
        var failed = 0;
        void Count(TResult result)
        {
            if (value(result) is { } text)
            {
                checksum += text.Length;
            }
            else
            {
                failed++;
            }
        }

        while (await block.OutputAvailableAsync(cancellationToken).ConfigureAwait(false))
        {
            if (block is not IReceivableSourceBlock<TResult> receivable)
            {
                Count(await block.ReceiveAsync(cancellationToken).ConfigureAwait(false));
                continue;
            }

            while (receivable.TryReceive(out var result))
            {
                Count(result);
            }
        }

        await producer.ConfigureAwait(false);
        await block.Completion.ConfigureAwait(false);
        return (checksum, failed);
    }

    public static IEnumerable<string> Inputs(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return $"Ticket {i}: the printer on floor {i % 7} jams whenever someone prints more than {i % 50} pages";
        }
    }
}

/// <summary>The run state of the same-work Atlas graph.</summary>
public sealed class SameWorkState(string text)
{
    public readonly string Text = text;
    public string O = null!;
    public string D = null!;
    public string P = null!;
}
