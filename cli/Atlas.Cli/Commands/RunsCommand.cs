using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Cli.Display;
using Atlas.Cli.Runs;
using Atlas.Runtime;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas runs list|show|events|diff|prune|answer</c>: what the run store of a project recorded
/// (<c>.atlas/runs.db</c> beside its files, or <c>--store PATH</c>). Reading never creates a store: a missing one is
/// one line and exit 1, as is a run id (or unique prefix of one) that names no run, or several.
/// </summary>
public static partial class RunsCommand
{
    public const string Name = "runs";
    private const string CommandName = AtlasCli.Name + " " + Name;

    /// <summary>How many runs <c>atlas runs list</c> prints unless told (<c>--limit</c>).</summary>
    private const int DefaultLimit = 20;

    public static readonly IReadOnlyList<string> Examples =
    [
        "atlas runs list examples/support-triage/support.atlas   # what atlas run recorded for it, newest first",
        "cd examples/support-triage && atlas runs show $(atlas runs list -q --limit 1)",
        "atlas runs list --help",
    ];

    public const string ExitCodesHelp = "0 done (diff: the runs are the same), 1 no runs recorded there, no such run (or several start with the id given) or question, the store failed, or (diff) the runs differ, 2 bad usage (a bad --since, --older-than or answer)";

    /// <summary>Each subcommand's help examples, by its name.</summary>
    internal static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> SubcommandExamples = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["list"] =
        [
            "atlas runs list examples/support-triage/support.atlas --status failed --since 1d",
            "atlas runs list --store examples/support-triage/.atlas/runs.db --workflow support --limit 5 --json",
        ],
        ["show"] =
        [
            "cd examples/support-triage && atlas runs show $(atlas runs list -q --limit 1)",
            "cd examples/support-triage && atlas runs show $(atlas runs list -q --limit 1) --json",
        ],
        ["events"] = ["cd examples/support-triage && atlas runs events $(atlas runs list -q --limit 1) > run-events.jsonl"],
        ["diff"] = ["cd examples/support-triage && atlas runs diff $(atlas runs list -q --workflow support --limit 2); echo \"exit $?\"   # 0: the same, 1: they differ"],
        ["prune"] = ["atlas runs prune examples/support-triage/support.atlas --older-than 30d"],
        ["answer"] = ["cd examples/support-triage && atlas runs answer $(atlas runs list -q --status waiting --limit 1) approve --value yes   # a waiting run's human step 'approve'"],
    };

    public static Command Create(CliEnvironment environment)
    {
        var command = new Command(Name, "Look at the runs recorded in a project's run store (.atlas/runs.db beside its files): list, show, events, diff, prune, answer.")
        {
            ListCommand(environment),
            ShowCommand(environment),
            EventsCommand(environment),
            DiffCommand(environment),
            PruneCommand(environment),
            AnswerCommand(environment),
        };
        command.SetAction(_ =>
        {
            environment.Error.WriteLine($"{CommandName}: no subcommand given; try '{CommandName} list' (see '{CommandName} --help')");
            return ExitCodes.Usage;
        });
        return command;
    }

    private static Option<string?> StoreOption() => new("--store")
    {
        Description = "The run store to read: a file other than the project's .atlas/runs.db.",
        HelpName = "PATH",
    };

    private static Argument<string> RunArgument(string name = "RUN") => new(name)
    {
        Description = "A run's id, or the start of one that no other run's id has.",
    };

    private static Command ListCommand(CliEnvironment environment)
    {
        var file = new Argument<string?>("FILE")
        {
            Description = "An .atlas file (its runs only) or a directory (every run of its store); without it, ./.atlas/runs.db.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var workflow = new Option<string?>("--workflow", "-w") { Description = "Only runs of this workflow.", HelpName = "NAME" };
        var statuses = Spellings.RunStatuses.Select(s => s.Spelling).ToArray();
        var status = new Option<string?>("--status", "-s") { Description = "Only runs in this status: " + string.Join(", ", statuses) + ".", HelpName = "STATUS" };
        status.AcceptOnlyFromAmong(statuses);
        var since = new Option<string?>("--since") { Description = "Only runs started in the last 30m, 12h or 7d, or since a date (2026-12-01, UTC) or time (2026-12-01T09:30:00Z).", HelpName = "AGE|DATE" };
        var limit = new Option<int>("--limit", "-n") { Description = $"At most N runs, the newest (default {DefaultLimit}; 1 to {OptionRanges.MaxListedRuns}).", DefaultValueFactory = _ => DefaultLimit, HelpName = "N" }.Between(1, OptionRanges.MaxListedRuns);
        var json = new Option<bool>("--json") { Description = "Print a JSON array of the runs instead of a table." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only their ids, one a line (for scripts: atlas runs show $(atlas runs list -q --limit 1))." };
        var store = StoreOption();
        var command = new Command("list", "List recorded runs, newest first: id, workflow, status, start, duration, tokens, cost, and the run or batch line they come from.")
        {
            file, workflow, status, since, limit, json, quiet, store,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync("list", environment, async () =>
        {
            var name = CommandName + " list";
            var filePath = parseResult.GetValue(file);
            var query = new RunQuery(
                parseResult.GetValue(workflow),
                parseResult.GetValue(status) is { } spelling ? Spellings.RunStatus(spelling) : null,
                parseResult.GetValue(since) is { } text ? Since(text, "--since", name) : null,
                filePath is not null && File.Exists(filePath) ? RunStores.SourceOf(filePath) : null,
                Limit: parseResult.GetValue(limit));
            await using var runStore = OpenStore(parseResult.GetValue(store), filePath, name);
            var runs = await runStore.ListRunsAsync(query, cancellationToken).ConfigureAwait(false);
            WriteList(runs, query.Limit, parseResult.GetValue(json), parseResult.GetValue(quiet), environment);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command ShowCommand(CliEnvironment environment)
    {
        var run = RunArgument();
        var json = new Option<bool>("--json") { Description = "Print a JSON document: the run, its steps, questions, model and tool calls (without their messages)." };
        var store = StoreOption();
        var command = new Command("show", "Show a run: its header, each step (status, reused, attempts, duration, tokens, cost, model and tool calls), its questions and answers.")
        {
            run, json, store,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync("show", environment, async () =>
        {
            var name = CommandName + " show";
            await using var runStore = OpenStore(parseResult.GetValue(store), null, name);
            var found = await FindRunAsync(runStore, parseResult.GetValue(run)!, name, cancellationToken).ConfigureAwait(false);
            var details = await RunDetails.ReadAsync(runStore, found, cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(json)) environment.Output.WriteLine(JsonText.Format(details.ToJson(), indented: true));
            else details.Write(environment.Output);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command EventsCommand(CliEnvironment environment)
    {
        var run = RunArgument();
        var store = StoreOption();
        var command = new Command("events", "Print a run's recorded events, one JSON line each, as atlas run --events wrote them (without the streamed tokens).")
        {
            run, store,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync("events", environment, async () =>
        {
            var name = CommandName + " events";
            await using var runStore = OpenStore(parseResult.GetValue(store), null, name);
            var found = await FindRunAsync(runStore, parseResult.GetValue(run)!, name, cancellationToken).ConfigureAwait(false);
            foreach (var atlasEvent in await runStore.GetEventsAsync(found.RunId, cancellationToken).ConfigureAwait(false))
                environment.Output.WriteLine(AtlasEventJson.SerializeEvent(atlasEvent));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command DiffCommand(CliEnvironment environment)
    {
        var first = RunArgument("RUN_A");
        var second = RunArgument("RUN_B");
        var store = StoreOption();
        var command = new Command("diff", "Compare two runs: their inputs, each step's result (same, differs, or only in one), their outputs. Exit 0 when they are the same, 1 when they differ.")
        {
            first, second, store,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync("diff", environment, async () =>
        {
            var name = CommandName + " diff";
            await using var runStore = OpenStore(parseResult.GetValue(store), null, name);
            var a = await FindRunAsync(runStore, parseResult.GetValue(first)!, name, cancellationToken).ConfigureAwait(false);
            var b = await FindRunAsync(runStore, parseResult.GetValue(second)!, name, cancellationToken).ConfigureAwait(false);
            var stepsA = await runStore.GetStepsAsync(a.RunId, cancellationToken).ConfigureAwait(false);
            var stepsB = await runStore.GetStepsAsync(b.RunId, cancellationToken).ConfigureAwait(false);
            return RunDiff.Write(a, stepsA, b, stepsB, environment.Output) ? ExitCodes.Success : ExitCodes.Errors;
        }));
        return command;
    }

    private static Command PruneCommand(CliEnvironment environment)
    {
        var file = new Argument<string?>("FILE")
        {
            Description = "An .atlas file or a directory whose store to prune; without it, ./.atlas/runs.db.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var olderThan = new Option<string>("--older-than") { Description = "Delete the runs that ended more than 30m, 12h or 30d ago, or before a date (2026-12-01, UTC).", HelpName = "AGE|DATE", Required = true };
        var store = StoreOption();
        var command = new Command("prune", "Delete the runs that ended before a time, with everything recorded for them (running and waiting runs stay).")
        {
            file, olderThan, store,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync("prune", environment, async () =>
        {
            var name = CommandName + " prune";
            var before = Since(parseResult.GetValue(olderThan)!, "--older-than", name);
            await using var runStore = OpenStore(parseResult.GetValue(store), parseResult.GetValue(file), name);
            var pruned = await runStore.PruneAsync(before, cancellationToken).ConfigureAwait(false);
            environment.Output.WriteLine($"pruned {RunText.Count(pruned, "run")} that ended before {RunText.When(before)} from {runStore.Path}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command AnswerCommand(CliEnvironment environment)
    {
        var run = RunArgument();
        var step = new Argument<string>("STEP") { Description = "The step that asks (STEP#N for the N-th item of a for), as atlas runs show lists its questions." };
        var value = new Option<string>("--value") { Description = "The answer: JSON of the question's type; for a bool also y/yes/n/no, for an enum a member's name, for a string any text.", HelpName = "VALUE", Required = true };
        var store = StoreOption();
        var command = new Command("answer", "Answer a human step's question of a waiting run; then continue the run with atlas run FILE --resume RUN.")
        {
            run, step, value, store,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync("answer", environment, async () =>
        {
            var name = CommandName + " answer";
            var storePath = parseResult.GetValue(store);
            await using var runStore = OpenStore(storePath, null, name);
            var found = await FindRunAsync(runStore, parseResult.GetValue(run)!, name, cancellationToken).ConfigureAwait(false);
            await AnswerAsync(runStore, found, parseResult.GetValue(step)!, parseResult.GetValue(value)!, "--value", storePath, environment.Output, name, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// Checks <paramref name="value"/> against the question <paramref name="step"/> of <paramref name="run"/> asks, records
    /// it, and writes what was answered and the command that continues the run to <paramref name="output"/>
    /// (<c>atlas runs answer</c>, and the run viewer's answer form, which names the value <paramref name="valueName"/>).
    /// </summary>
    /// <exception cref="RunsFailure">The run already succeeded, or asks no such question.</exception>
    /// <exception cref="UsageException">The value does not answer the question: one line saying why.</exception>
    internal static async Task AnswerAsync(
        SqliteRunStore store, RunRecord run, string step, string value, string valueName, string? storeOption, TextWriter output, string name, CancellationToken cancellationToken)
    {
        if (run.Status == RunStatus.Succeeded) throw new RunsFailure($"{name}: run {run.RunId} already succeeded; it waits for no answer");
        var questions = await store.GetHumanRequestsAsync(run.RunId, cancellationToken).ConfigureAwait(false);
        var question = questions.FirstOrDefault(q => q.Step == step)
            ?? throw new RunsFailure($"{name}: run {run.RunId} has no question for step '{step}' " +
                (questions.Count == 0 ? "(it asked none)" : $"(its questions: {string.Join(", ", questions.Select(q => q.Step))})"));
        if (!HumanAnswers.TryRead(value, question.ResultTypeName, question.ResultSchema, out var answer, out var problem))
            throw new UsageException($"{name}: {valueName} '{JsonText.OneLine(value)}' does not answer '{step}': {problem}");

        var canonical = JsonText.Format(answer, indented: false);
        if (!await store.AnswerHumanAsync(run.RunId, step, canonical, DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false))
            throw new RunsFailure($"{name}: run {run.RunId} has no question for step '{step}'");

        output.WriteLine($"answered '{step}' of run {run.RunId}: {canonical}" + (question.Answer is { } earlier ? $" (it was {earlier})" : ""));
        var storeText = storeOption is null ? "" : " --store " + Quote(store.Path);
        if (run.BatchId is not null)
        {
            // A batch line goes on with its batch, which writes its result in its place.
            output.WriteLine($"continue its batch: {AtlasCli.Name} {RunCommand.Name} {Quote(run.Source ?? "FILE")} --batch IN --output OUT --resume{storeText}");
            return;
        }

        output.WriteLine($"continue the run: {AtlasCli.Name} {RunCommand.Name} {Quote(run.Source ?? "FILE")} --resume {run.RunId}{storeText}");
    }

    private static void WriteList(IReadOnlyList<RunRecord> runs, int limit, bool json, bool quiet, CliEnvironment environment)
    {
        var output = environment.Output;
        if (quiet)
        {
            foreach (var run in runs) output.WriteLine(run.RunId);
            return;
        }

        if (json)
        {
            output.WriteLine(JsonText.Format(new JsonArray(runs.Select(r => (JsonNode)RunJson.Run(r)).ToArray()), indented: true));
            return;
        }

        if (runs.Count == 0)
        {
            environment.Error.WriteLine("no runs match");
            return;
        }

        var origins = runs.Any(r => r.ParentRunId is not null || r.BatchId is not null);
        var header = new List<string> { "id", "workflow", "status", "started (UTC)", "duration", "tokens", "cost" };
        if (origins) header.Add("from");
        var rows = new List<IReadOnlyList<string>> { header };
        foreach (var run in runs)
        {
            var row = new List<string>
            {
                run.RunId, run.Workflow, Spellings.Status(run.Status), RunText.When(run.StartedAt), run.EndedAt is { } ended ? RunProgress.Duration(ended - run.StartedAt) : "-",
                RunProgress.Tokens(run.Usage.TotalTokens), RunProgress.Cost(run.Usage.CostUsd),
            };
            if (origins) row.Add(RunText.Origin(run));
            rows.Add(row);
        }

        TextTable.Write(output, rows);
        if (runs.Count == limit) environment.Error.WriteLine($"(the newest {limit}; --limit N shows more)");
    }

    /// <summary>
    /// The store a subcommand reads: <paramref name="store"/>, else that of the project at <paramref name="file"/>, else
    /// <c>./.atlas/runs.db</c>. Never created here.
    /// </summary>
    /// <exception cref="UsageException"><paramref name="file"/> does not exist.</exception>
    /// <exception cref="RunsFailure">No store is there.</exception>
    internal static SqliteRunStore OpenStore(string? store, string? file, string name)
    {
        string path;
        if (store is not null)
        {
            path = Path.GetFullPath(store);
        }
        else if (file is not null)
        {
            if (!File.Exists(file) && !Directory.Exists(file)) throw new UsageException($"{name}: '{file}' does not exist");
            var full = Path.GetFullPath(file);
            path = RunStores.DefaultPath(File.Exists(full) ? Path.GetDirectoryName(full)! : full);
        }
        else
        {
            path = RunStores.DefaultPath(Directory.GetCurrentDirectory());
        }

        // A folder there is the store's to report (one line naming it); nothing at all means nothing was recorded.
        if (!File.Exists(path) && !Directory.Exists(path)) throw new RunsFailure($"{name}: no runs recorded in {path}");
        return new SqliteRunStore(path);
    }

    /// <summary>The run <paramref name="id"/> names: its id, or the start of only its id.</summary>
    /// <exception cref="RunsFailure">No run's id is or starts with it, or several start with it.</exception>
    internal static async Task<RunRecord> FindRunAsync(SqliteRunStore store, string id, string name, CancellationToken cancellationToken)
    {
        if (await store.GetRunAsync(id, cancellationToken).ConfigureAwait(false) is { } run) return run;
        var matches = id.Length == 0 ? [] : await store.MatchRunIdsAsync(id, 4, cancellationToken).ConfigureAwait(false);
        if (matches.Count > 1)
        {
            var shown = string.Join(", ", matches.Take(3)) + (matches.Count > 3 ? ", ..." : "");
            throw new RunsFailure($"{name}: several runs start with '{id}' ({shown}); give more of the id");
        }

        throw new RunsFailure($"{name}: no run '{id}' in {store.Path}");
    }

    /// <summary>
    /// The time <paramref name="text"/> names: an age back from now (<c>30m</c>, <c>12h</c>, <c>7d</c>, also <c>s</c> and
    /// <c>w</c>), a date (<c>2026-12-01</c>, midnight UTC) or a time (<c>2026-12-01T09:30:00Z</c>).
    /// </summary>
    /// <exception cref="UsageException">It is none of these.</exception>
    internal static DateTimeOffset Since(string text, string option, string name)
    {
        var trimmed = text.Trim();
        if (Age().Match(trimmed) is { Success: true } age
            && long.TryParse(age.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            && amount <= 100_000)
        {
            var span = age.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                "d" => TimeSpan.FromDays(amount),
                _ => TimeSpan.FromDays(7 * amount),
            };
            return DateTimeOffset.UtcNow - span;
        }

        if (DateOnly.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        if (trimmed.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        throw new UsageException($"{name}: {option} '{JsonText.OneLine(text)}' is neither an age (30m, 12h, 7d) nor a date (2026-12-01) or time (2026-12-01T09:30:00Z)");
    }

    /// <summary>A path as a shell reads it: quoted when it holds anything but letters, digits and <c>/._-</c>.</summary>
    private static string Quote(string text) =>
        PlainWord().IsMatch(text) ? text : "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Runs a subcommand: a store that cannot be read, or a run or question that is not there, is one line and exit 1.</summary>
    private static async Task<int> RunAsync(string subcommand, CliEnvironment environment, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (RunsFailure ex)
        {
            environment.Error.WriteLine(ex.Message);
            return ExitCodes.Errors;
        }
        catch (RunStoreException ex)
        {
            environment.Error.WriteLine($"{CommandName} {subcommand}: {JsonText.OneLine(ex.Message)}");
            return ExitCodes.Errors;
        }
    }

    [GeneratedRegex(@"^(\d+)\s*(s|m|h|d|w)$")]
    private static partial Regex Age();

    [GeneratedRegex(@"^[\w/.\-]+$")]
    private static partial Regex PlainWord();

    /// <summary>A runs subcommand cannot do what it was asked (no store, no such run or question): its message is the one line printed.</summary>
    internal sealed class RunsFailure(string message) : Exception(message);
}
