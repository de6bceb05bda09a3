using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Cli.Commands;
using Spectre.Console;

namespace Atlas.Cli.Display;

/// <summary>A batch's progress on stderr: a bar with rate and ETA on a terminal, a plain line every few seconds otherwise.</summary>
internal abstract class BatchProgress
{
    public static BatchProgress Create(CliEnvironment environment, BatchStats stats) =>
        environment.ErrorIsTerminal ? new LiveBatchProgress(environment.Error, stats) : new PlainBatchProgress(environment.Error, stats, TimeSpan.FromSeconds(2));

    /// <summary>Runs <paramref name="body"/> with the progress shown until it ends.</summary>
    public abstract Task RunAsync(Func<Task> body);
}

internal sealed class PlainBatchProgress(TextWriter error, BatchStats stats, TimeSpan interval) : BatchProgress
{
    public override async Task RunAsync(Func<Task> body)
    {
        using var stop = new CancellationTokenSource();
        var ticker = TickAsync(stop.Token);
        try
        {
            await body().ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await ticker.ConfigureAwait(false);
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        long shown = -1;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (stats.Done == shown) continue;
                shown = stats.Done;
                error.WriteLine(stats.Line());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

internal sealed class LiveBatchProgress(TextWriter error, BatchStats stats) : BatchProgress
{
    private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });

    public override Task RunAsync(Func<Task> body) =>
        _console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("batch", maxValue: Math.Max(1, stats.Total));
                var work = body();
                while (!work.IsCompleted)
                {
                    Update(task);
                    await Task.WhenAny(work, Task.Delay(200)).ConfigureAwait(false);
                }

                Update(task);
                await work.ConfigureAwait(false);
            });

    private void Update(ProgressTask task)
    {
        task.Value = stats.Done;
        task.Description = Markup.Escape(stats.Line());
    }
}
