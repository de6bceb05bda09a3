using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;
using Microsoft.Agents.AI.Workflows;

namespace Atlas.Runtime.Benchmarks;

/// <summary>The agent pipeline (pipeline.atlas) on each engine under comparison, and what every stream shares.</summary>
public static class Engines
{
    /// <summary>The agent pipeline as three linked TransformBlocks, as one would write it by hand.</summary>
    public static IPropagatorBlock<string, string> HandWrittenDataflow(PipelineWork work, int parallelism, int capacity, CancellationToken cancellationToken = default) =>
        HandWrittenChain(
            [
                text => work.RunStepAsync(0, text, cancellationToken),
                outline => work.RunStepAsync(1, outline, cancellationToken),
                draft => work.RunStepAsync(2, draft, cancellationToken),
            ],
            parallelism,
            capacity,
            cancellationToken);

    /// <summary>
    /// Steps in a row as linked TransformBlocks, each running up to <paramref name="parallelism"/> items at once with
    /// room for <paramref name="capacity"/>, in no particular order: the hand-written baseline of every stream.
    /// </summary>
    public static IPropagatorBlock<string, string> HandWrittenChain(IReadOnlyList<Func<string, Task<string>>> steps, int parallelism, int capacity, CancellationToken cancellationToken = default)
    {
        var options = new ExecutionDataflowBlockOptions
        {
            MaxDegreeOfParallelism = parallelism,
            BoundedCapacity = capacity,
            EnsureOrdered = false,
            CancellationToken = cancellationToken,
        };
        var first = new TransformBlock<string, string>(steps[0], options);
        var last = first;
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        for (var i = 1; i < steps.Count; i++)
        {
            var next = new TransformBlock<string, string>(steps[i], options);
            last.LinkTo(next, link);
            last = next;
        }

        return DataflowBlock.Encapsulate(first, last);
    }

    /// <summary>
    /// Options of an Atlas block that keeps a chain of <paramref name="depth"/> steps busy at <paramref name="parallelism"/>
    /// runs per step: admit the depth times that, plus one step's worth of slack.
    /// </summary>
    public static WorkflowBlockOptions AtlasStreamOptions(int parallelism, int capacity, int depth = 3) =>
        new(BoundedCapacity: capacity, MaxConcurrentRuns: parallelism * (depth + 1)) { MaxParallelismPerStep = parallelism };

    /// <summary>The agent pipeline on Microsoft Agent Framework: three function executors in a chain, output from the last.</summary>
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

    /// <summary>
    /// One input through an Agent Framework workflow, in process, on <paramref name="environment"/>
    /// (<see cref="InProcessExecution.Default"/> or <see cref="InProcessExecution.Lockstep"/>); its output.
    /// </summary>
    public static async Task<string> RunAgentFrameworkAsync(IWorkflowExecutionEnvironment environment, Workflow workflow, string text, CancellationToken cancellationToken = default)
    {
        await using var run = await environment.RunAsync(workflow, text, cancellationToken: cancellationToken).ConfigureAwait(false);
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
