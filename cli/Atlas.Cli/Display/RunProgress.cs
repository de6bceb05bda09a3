using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Atlas.Cli.Display;

/// <summary>
/// Shows one workflow run on stderr as its events arrive: steps starting and finishing, the
/// provider each call chose, retries, delegations and tool calls, and the streamed tokens. Events come from one thread at a time.
/// </summary>
internal abstract class RunProgress
{
    /// <summary>A live table on a terminal (Spectre.Console), plain lines otherwise.</summary>
    public static RunProgress Create(CliEnvironment environment, string workflow, IReadOnlyList<WorkflowNode> steps)
    {
        RunProgress progress = environment.ErrorIsTerminal ? new LiveRunProgress(environment.Error, workflow) : new PlainRunProgress(environment.Error, workflow);
        progress._bottleneck = new Bottleneck(steps);
        return progress;
    }

    private Bottleneck? _bottleneck;

    /// <summary>Runs <paramref name="body"/> (which feeds <see cref="OnEvent"/>) with the display up.</summary>
    public abstract Task RunAsync(Func<Task> body);

    public void OnEvent(AtlasEvent atlasEvent)
    {
        _bottleneck?.OnEvent(atlasEvent);
        Show(atlasEvent);
    }

    protected abstract void Show(AtlasEvent atlasEvent);

    /// <summary>What a run's closing line says after its usage: <c> · bottleneck: ...</c> for a run that succeeded, else nothing.</summary>
    protected string BottleneckText(RunCompleted completed) =>
        completed.Succeeded && _bottleneck?.Describe(completed.Duration) is { } text ? " · " + text : "";

    /// <summary>Runs <paramref name="use"/> (a question to the person at the terminal) with the terminal to itself.</summary>
    public virtual Task<T> WithTerminalAsync<T>(Func<Task<T>> use) => use();

    internal static string Duration(TimeSpan duration) => duration.TotalSeconds switch
    {
        < 1 => duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms",
        < 60 => duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s",
        _ => ((int)duration.TotalMinutes).ToString(CultureInfo.InvariantCulture) + "m" + duration.Seconds.ToString("00", CultureInfo.InvariantCulture) + "s",
    };

    internal static string Usage(Usage usage) => $"{Tokens(usage.TotalTokens)} tokens · {Cost(usage.CostUsd)}";

    /// <summary>1,234</summary>
    internal static string Tokens(long tokens) => tokens.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>$0.003100</summary>
    internal static string Cost(decimal cost) => "$" + cost.ToString("0.000000", CultureInfo.InvariantCulture);
}

/// <summary>Plain lines, for a log or a pipe: one per step event, tokens streamed on a line per step.</summary>
/// <remarks>
/// The items of a <c>for</c> stream at the same time, so their tokens are not streamed: each item's
/// text is held until it has a whole line (or its step ends), then printed as <c>[step #item] line</c>.
/// </remarks>
internal sealed class PlainRunProgress(TextWriter error, string workflow) : RunProgress
{
    private readonly Dictionary<(string Step, int Item), StringBuilder> _itemText = new();
    private string? _tokenStep;
    private int _width = 8;

    public override async Task RunAsync(Func<Task> body)
    {
        try
        {
            await body().ConfigureAwait(false);
        }
        finally
        {
            // A run that stops mid-stream (an error, Ctrl+C) leaves no half line for the next message.
            EndTokens();
            EndItems(step: null);
        }
    }

    protected override void Show(AtlasEvent atlasEvent)
    {
        if (atlasEvent is TokenEmitted { Item: { } item } itemToken)
        {
            ItemTokens(itemToken.Step ?? "", item, itemToken.Text);
            return;
        }

        if (atlasEvent is TokenEmitted token)
        {
            if (_tokenStep != (token.Step ?? ""))
            {
                EndTokens();
                error.Write($"  [{(token.Step ?? "")}] ");
                _tokenStep = (token.Step ?? "");
            }

            error.Write(token.Text.ReplaceLineEndings("\n  " + new string(' ', (token.Step ?? "").Length + 3)));
            return;
        }

        EndTokens();
        if (atlasEvent is StepCompleted or StepFailed) EndItems(atlasEvent.Step ?? "");
        switch (atlasEvent)
        {
            case RunStarted started:
                error.WriteLine($"run {workflow} ({started.RunId})");
                break;
            case StepStarted started:
                _width = Math.Max(_width, (started.Step ?? "").Length);
                Line(started.Step ?? "", "started");
                break;
            case ProviderSelected selected when selected.Step is { } step:
                Line(step, $"→ {selected.Provider} ({selected.Reason})");
                break;
            case RetryScheduled retry:
                Line(retry.Step ?? "", $"retry {retry.Attempt} in {Duration(retry.Delay)}: {retry.Reason}");
                break;
            case StepCompleted { Reused: true } reused:
                Line(reused.Step ?? "", "reused (recorded by an earlier attempt)");
                break;
            case StepCompleted completed:
                Line(completed.Step ?? "", $"done in {Duration(completed.Duration)}" + (completed.Usage.TotalTokens > 0 ? " · " + Usage(completed.Usage) : ""));
                break;
            case CacheHit hit:
                Line(hit.Step ?? "", $"{hit.Agent}: answered from the {hit.Source switch { "cache" => "cache", "replay" => "replayed run", _ => "earlier attempt" }} ({hit.FromRunId})");
                break;
            case HumanRequested asked:
                Line(asked.Step ?? "", $"asks {asked.Human}");
                break;
            case HumanAnswered answered:
                Line(answered.Step ?? "", $"{answered.Human} answered {answered.Answer}");
                break;
            case StepFailed failed:
                Line(failed.Step ?? "", "failed: " + failed.Error);
                break;
            case DelegationStarted delegation:
                Line(delegation.Step ?? "", $"{Indent(delegation.Depth)}{delegation.From} ⇢ {delegation.To} {delegation.Arguments}");
                break;
            case DelegationCompleted delegation:
                Line(delegation.Step ?? "", $"{Indent(delegation.Depth)}{delegation.From} ⇠ {delegation.To} " + (delegation.Succeeded
                    ? $"in {Duration(delegation.Duration)} · {Usage(delegation.Usage)}"
                    : "refused or failed: " + delegation.Error));
                break;
            case ToolCalled tool:
                Line(tool.Step ?? "", tool.Called
                    ? $"{tool.Agent} ⚙ {tool.Tool} {tool.Arguments} " + (tool.Succeeded ? $"in {Duration(tool.Duration)}" : "failed: " + tool.Error)
                    : $"{tool.Agent} ⚙ would call {tool.Tool} {tool.Arguments} (not read-only: not called offline)");
                break;
            case RunCompleted completed:
                error.WriteLine(completed.Succeeded
                    ? $"done in {Duration(completed.Duration)} · {Usage(completed.Usage)}{BottleneckText(completed)}"
                    : completed.Waiting
                        ? $"waiting after {Duration(completed.Duration)} · {Usage(completed.Usage)}"
                        : $"failed after {Duration(completed.Duration)} · {Usage(completed.Usage)}");
                break;
        }
    }

    private static string Indent(int depth) => new(' ', 2 * Math.Max(0, depth - 1));

    private void Line(string step, string text) => error.WriteLine("  " + step.PadRight(_width) + "  " + text);

    private void EndTokens()
    {
        if (_tokenStep is null) return;
        error.WriteLine();
        _tokenStep = null;
    }

    /// <summary>Adds an item's piece of text and prints the whole lines it completes.</summary>
    private void ItemTokens(string step, int item, string text)
    {
        if (!_itemText.TryGetValue((step, item), out var pending)) _itemText[(step, item)] = pending = new StringBuilder();
        pending.Append(text.ReplaceLineEndings("\n"));
        var end = pending.ToString().LastIndexOf('\n');
        if (end < 0) return;
        var complete = pending.ToString(0, end);
        pending.Remove(0, end + 1);
        EndTokens();
        foreach (var line in complete.Split('\n')) ItemLine(step, item, line);
    }

    /// <summary>Prints what the items of <paramref name="step"/> (of every step if null) hold back, in item order.</summary>
    private void EndItems(string? step)
    {
        foreach (var key in _itemText.Keys.Where(k => step is null || k.Step == step).OrderBy(k => k.Step, StringComparer.Ordinal).ThenBy(k => k.Item).ToList())
        {
            if (_itemText.Remove(key, out var pending) && pending.Length > 0) ItemLine(key.Step, key.Item, pending.ToString());
        }
    }

    private void ItemLine(string step, int item, string line) =>
        error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{step} #{item}] {line}"));
}

/// <summary>A live table of the steps on a terminal, with the text each one streams.</summary>
internal sealed class LiveRunProgress : RunProgress
{
    private const int TailLength = 40;
    private readonly IAnsiConsole _console;
    private readonly string _workflow;
    private readonly List<StepRow> _rows = new();
    private readonly StringBuilder _summary = new();
    private readonly SemaphoreSlim _terminal = new(1, 1);
    private volatile LiveDisplayContext? _context;
    private DateTime _lastRefresh;

    // A question takes the terminal from the live table: it completes _pause, the live session ends (the table stays
    // on screen as it was), the question is asked below it, and a new live session starts when it is answered.
    private volatile TaskCompletionSource _pause = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Handoff? _handoff;

    public LiveRunProgress(TextWriter error, string workflow)
    {
        _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        _workflow = workflow;
    }

    public override async Task RunAsync(Func<Task> body)
    {
        var run = body();
        while (true)
        {
            var pause = _pause;
            await _console.Live(Render())
                .AutoClear(false)
                .Overflow(VerticalOverflow.Ellipsis)
                .StartAsync(async context =>
                {
                    _context = context;
                    await Task.WhenAny(run, pause.Task).ConfigureAwait(false);
                    _context = null;
                    context.UpdateTarget(Render());
                    context.Refresh();
                }).ConfigureAwait(false);
            if (run.IsCompleted)
            {
                await run.ConfigureAwait(false);
                return;
            }

            // A question has the terminal until it is answered; the next question's signal is ready before this one ends.
            var handoff = Volatile.Read(ref _handoff)!;
            _pause = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            handoff.Released.SetResult();
            await handoff.Done.Task.ConfigureAwait(false);
        }
    }

    public override async Task<T> WithTerminalAsync<T>(Func<Task<T>> use)
    {
        await _terminal.WaitAsync().ConfigureAwait(false);
        try
        {
            var handoff = new Handoff();
            Volatile.Write(ref _handoff, handoff);
            _pause.TrySetResult();
            await handoff.Released.Task.ConfigureAwait(false);
            try
            {
                return await use().ConfigureAwait(false);
            }
            finally
            {
                handoff.Done.SetResult();
            }
        }
        finally
        {
            _terminal.Release();
        }
    }

    protected override void Show(AtlasEvent atlasEvent)
    {
        switch (atlasEvent)
        {
            case StepStarted started:
                Row(started.Step ?? "").Status = "[yellow]running[/]";
                break;
            case ProviderSelected selected when selected.Step is { } step:
                Row(step).Provider = selected.Provider;
                break;
            case RetryScheduled retry:
                Row(retry.Step ?? "").Status = $"[yellow]retry {retry.Attempt}[/]";
                break;
            case TokenEmitted token:
                var row = Row((token.Step ?? ""));
                // A for's items stream at once: each keeps its own tail, and the row shows the latest.
                var key = token.Item ?? 0;
                var tail = (row.ItemTails.GetValueOrDefault(key) ?? "") + token.Text.ReplaceLineEndings(" ");
                if (tail.Length > TailLength) tail = "…" + tail[^(TailLength - 1)..];
                row.ItemTails[key] = tail;
                row.Tail = token.Item is { } item ? string.Create(CultureInfo.InvariantCulture, $"#{item} {tail}") : tail;
                break;
            case StepCompleted completed:
                var done = Row(completed.Step ?? "");
                done.Status = completed.Reused ? "[green]reused[/]" : "[green]done[/]";
                done.Time = Duration(completed.Duration);
                done.Tokens = completed.Usage.TotalTokens.ToString("N0", CultureInfo.InvariantCulture);
                break;
            case StepFailed failed:
                var bad = Row(failed.Step ?? "");
                bad.Status = "[red]failed[/]";
                bad.Tail = failed.Error;
                break;
            case DelegationStarted delegation:
                Row(delegation.Step ?? "").Tail = $"{delegation.From} ⇢ {delegation.To}";
                break;
            case DelegationCompleted delegation:
                Row(delegation.Step ?? "").Delegations.Add(delegation.Succeeded ? delegation.To : delegation.To + " ✗");
                Row(delegation.Step ?? "").Tail = "";
                break;
            case ToolCalled tool:
                Row(tool.Step ?? "").Tools.Add(!tool.Called ? tool.Tool + " (would call)" : tool.Succeeded ? tool.Tool : tool.Tool + " ✗");
                break;
            case RunCompleted completed:
                _summary.Clear().Append(completed.Succeeded ? "[green]done[/]" : "[red]failed[/]")
                    .Append(" in ").Append(Duration(completed.Duration)).Append(" · ").Append(Markup.Escape(Usage(completed.Usage) + BottleneckText(completed)));
                break;
        }

        // Tokens can come faster than a terminal wants redrawing.
        var now = DateTime.UtcNow;
        if (_context is { } context && (atlasEvent is not TokenEmitted || now - _lastRefresh > TimeSpan.FromMilliseconds(50)))
        {
            _lastRefresh = now;
            context.UpdateTarget(Render());
            context.Refresh();
        }
    }

    private sealed class Handoff
    {
        /// <summary>The live session has ended: the terminal is the question's.</summary>
        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The question is answered: the live session may start again.</summary>
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private StepRow Row(string step)
    {
        var row = _rows.FirstOrDefault(r => r.Step == step);
        if (row is null)
        {
            row = new StepRow(step);
            _rows.Add(row);
        }

        return row;
    }

    private IRenderable Render()
    {
        var table = new Table().Border(TableBorder.Simple).Title($"[bold]{Markup.Escape(_workflow)}[/]");
        table.AddColumn("step");
        table.AddColumn("status");
        table.AddColumn("provider");
        table.AddColumn(new TableColumn("tokens").RightAligned());
        table.AddColumn(new TableColumn("time").RightAligned());
        table.AddColumn("delegated / tools");
        table.AddColumn("output");
        foreach (var row in _rows)
        {
            table.AddRow(
                Markup.Escape(row.Step),
                row.Status,
                Markup.Escape(row.Provider),
                row.Tokens,
                row.Time,
                Markup.Escape(string.Join(", ", row.Delegations.Select(d => "⇢ " + d).Concat(row.Tools.Select(t => "⚙ " + t)))),
                "[grey]" + Markup.Escape(row.Tail) + "[/]");
        }

        return _summary.Length == 0 ? table : new Rows(table, new Markup(_summary.ToString()));
    }

    private sealed class StepRow(string step)
    {
        public string Step { get; } = step;

        public string Status { get; set; } = "[grey]waiting[/]";

        public string Provider { get; set; } = "";

        public string Tokens { get; set; } = "";

        public string Time { get; set; } = "";

        public string Tail { get; set; } = "";

        /// <summary>The streamed tail of each <c>for</c> item (0: the step's own call).</summary>
        public Dictionary<int, string> ItemTails { get; } = new();

        public List<string> Delegations { get; } = new();

        public List<string> Tools { get; } = new();
    }
}
