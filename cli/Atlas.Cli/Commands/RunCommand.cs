using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Cli.Display;
using Atlas.Cli.Knowledge;
using Atlas.Cli.Runs;
using Atlas.Cli.Telemetry;
using Atlas.Cli.Tools;
using Atlas.Interpreter;
using Atlas.Runtime;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas run FILE [--workflow NAME] [--input JSON|@file] [--events FILE|-]</c>: runs a
/// workflow on the runtime with no project and no build; the result as JSON on stdout,
/// progress and streamed tokens on stderr. With <c>--batch</c>, a JSON-lines stream of inputs.
/// </summary>
public static class RunCommand
{
    public const string Name = "run";
    internal const string CommandName = AtlasCli.Name + " " + Name;

    public static readonly IReadOnlyList<string> Examples =
    [
        "atlas run examples/support-triage/support.atlas --workflow support --input @examples/support-triage/ticket.json",
        "atlas run examples/support-triage/support.atlas -w triage_all --input '[{\"id\": \"1\", \"subject\": \"Refund\", \"body\": \"Charged twice\"}]'",
        "atlas run examples/dispatch/dispatch.atlas --input @examples/dispatch/request.json --events run.jsonl   # every event as a JSON line",
        "atlas run examples/support-triage/support.atlas -w support --batch examples/support-triage/tickets.jsonl --output replies.jsonl --parallel 8",
        "atlas run examples/support-triage/support.atlas -w support -i @examples/support-triage/ticket.json --tools examples/support-triage/bin/Debug/net10.0/SupportTriage.dll   # after dotnet build examples/support-triage: its tool methods",
        "atlas run examples/support-triage/support.atlas -w support --batch examples/support-triage/tickets.jsonl --output replies.jsonl --resume   # continue a killed batch (or start it)",
    ];

    public const string ExitCodesHelp = "0 success, 1 the files have errors or the run (or a batch line) failed (an mcp server that does not start fails it), 3 the run (or, with none failed, a batch line) waits for a human step's answer (atlas runs answer), 2 bad usage or input (a --tools assembly that cannot be used, a tool a step calls with no implementation, an input file that is not a regular file, larger than " + InputFiles.MaxText + " or not UTF-8, an --output or --events that is one of the inputs), 130 stopped by Ctrl+C (SIGINT), 143 by SIGTERM";

    public static Command Create(CliEnvironment environment)
    {
        var file = new Argument<string>("FILE")
        {
            Description = "An .atlas or .atlas.yaml file, or a directory whose Atlas files compile together. Relative paths in it start at its folder.",
        };
        var workflow = new Option<string?>("--workflow", "-w")
        {
            Description = "The workflow to run; needed only when the file declares several.",
            HelpName = "NAME",
        };
        var input = new Option<string?>("--input", "-i")
        {
            Description = "The input as JSON, or @file.json (a UTF-8 file of at most " + InputFiles.MaxText + "). For one parameter, its value (an object, a string, a list); for several, an object keyed by parameter name.",
            HelpName = "JSON|@file",
        };
        var events = new Option<string?>("--events")
        {
            Description = "Write every event (run_started ... run_completed) as a JSON line to FILE, or to stdout with '-' (the result then follows on one line).",
            HelpName = "FILE|-",
        };
        var batch = new Option<string?>("--batch")
        {
            Description = "Run once per line of a JSON-lines file (each line read like --input, at most " + InputFiles.MaxText + "), streaming with bounded memory. Ctrl+C (or SIGTERM) stops it after the last whole line written.",
            HelpName = "in.jsonl",
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "With --batch: where to write one result line per input line, in input order ({\"line\": N, \"error\": ...} for a failed line); stdout without it, or with '-'. Never one of the command's input files.",
            HelpName = "out.jsonl",
        };
        var tools = new Option<string[]>("--tools")
        {
            Description = ProjectTools.OptionHelp,
            HelpName = "PATH.dll",
        };
        var parallel = new Option<int?>("--parallel", "-p")
        {
            Description = $"With --batch: how many inputs run at once, 1 to {OptionRanges.MaxParallel} (default 4).",
            HelpName = "N",
        }.Between(1, OptionRanges.MaxParallel);

        var store = new Option<string?>("--store")
        {
            Description = "The run store to record in (SQLite). Default: .atlas/runs.db in the folder of the Atlas file.",
            HelpName = "PATH",
        };
        var noRecord = new Option<bool>("--no-record")
        {
            Description = "Record nothing: no history, no resume, no cache (a human step then needs a terminal).",
        };
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue a failed, cancelled, waiting or killed run: its completed steps and for items are reused, the rest run. With --batch (no RUN): continue a killed batch, keeping the lines --output already holds.",
            HelpName = "RUN",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var from = new Option<string?>("--from")
        {
            Description = "With --resume RUN: re-run from this step on, as a new run linked to RUN (the steps before it are reused).",
            HelpName = "STEP",
        };
        var replay = new Option<string?>("--replay")
        {
            Description = "Answer every model call and tool call from a recorded run (offline, deterministic); a request it did not record fails its step.",
            HelpName = "RUN",
        };
        var otlp = CliTelemetry.OtlpOption();
        var verbose = CliTelemetry.VerboseOption();
        var detach = new Option<bool>("--detach")
        {
            Description = "Do not ask human steps on the terminal: the run stops in status waiting (exit 3) until `atlas runs answer`.",
        };

        var command = new Command(Name, "Run a workflow offline-capable on the Atlas runtime: the result as JSON on stdout, progress and streamed tokens on stderr.")
        {
            file, workflow, input, events, batch, output, parallel, tools, store, noRecord, resume, from, replay, detach, otlp, verbose,
        };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            // Flushed on every way out (a failed run, Ctrl+C too), waiting a bounded time for the collector.
            using var telemetry = CliTelemetry.Start(parseResult.GetValue(otlp), parseResult.GetValue(verbose), environment, CommandName);
            return await ExecuteAsync(
            new RunArguments(
                parseResult.GetValue(file)!,
                parseResult.GetValue(workflow),
                parseResult.GetValue(input),
                parseResult.GetValue(events),
                parseResult.GetValue(batch),
                parseResult.GetValue(output),
                parseResult.GetValue(parallel))
            {
                Tools = parseResult.GetValue(tools),
                Store = parseResult.GetValue(store),
                NoRecord = parseResult.GetValue(noRecord),
                Resume = parseResult.GetResult(resume) is null ? null : parseResult.GetValue(resume) ?? "",
                From = parseResult.GetValue(from),
                Replay = parseResult.GetValue(replay),
                Detach = parseResult.GetValue(detach),
            },
            telemetry.Apply(environment),
            cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    internal sealed record RunArguments(string File, string? Workflow, string? Input, string? Events, string? Batch, string? Output, int? Parallel)
    {
        /// <summary>The <c>--tools</c> assemblies.</summary>
        public IReadOnlyList<string>? Tools { get; init; }

        /// <summary><c>--store</c>: the run store's path; null for the project's <c>.atlas/runs.db</c>.</summary>
        public string? Store { get; init; }

        /// <summary><c>--no-record</c>.</summary>
        public bool NoRecord { get; init; }

        /// <summary><c>--resume [RUN]</c>: null when absent, empty when given without a run (a batch).</summary>
        public string? Resume { get; init; }

        /// <summary><c>--from STEP</c>.</summary>
        public string? From { get; init; }

        /// <summary><c>--replay RUN</c>.</summary>
        public string? Replay { get; init; }

        /// <summary><c>--detach</c>.</summary>
        public bool Detach { get; init; }
    }

    internal static async Task<int> ExecuteAsync(RunArguments arguments, CliEnvironment environment, CancellationToken cancellationToken)
    {
        if (arguments.Batch is null && (arguments.Output is not null || arguments.Parallel is not null))
            throw new UsageException($"{CommandName}: --output and --parallel go with --batch");
        CheckRecordingOptions(arguments);
        if (arguments.Batch is not null)
        {
            if (arguments.Input is not null) throw new UsageException($"{CommandName}: --input and --batch exclude each other (each batch line is an input)");
            if (arguments.Events == "-" && arguments.Output is null or "-")
                throw new UsageException($"{CommandName}: with --batch, --events - and the results cannot both go to stdout; give --output FILE or --events FILE");
            InputFiles.RequireRegularFile(arguments.Batch, $"--batch file '{arguments.Batch}'", CommandName);
        }

        var project = AtlasProject.Load(arguments.File, environment, CommandName);
        if (project is null) return ExitCodes.Errors;
        CheckOutputs(arguments, project);
        // A resumed run names its workflow: --workflow is not needed then.
        var workflow = string.IsNullOrEmpty(arguments.Resume) ? project.SelectWorkflow(arguments.Workflow, CommandName) : null;
        ProjectTools.Load(project, arguments.Tools, CommandName);

        if (arguments.Batch is not null)
        {
            var options = new BatchOptions(arguments.Batch, arguments.Output is null or "-" ? null : arguments.Output, arguments.Parallel ?? 4, arguments.Events)
            {
                Store = arguments.NoRecord ? null : RunStores.PathFor(project, arguments.Store),
                Resume = arguments.Resume is not null,
                Source = RunStores.SourceOf(project.DisplayPath),
            };
            var requirements = ToolRequirements.ForWorkflow(project.Program.Model, workflow!.Model);
            ProjectTools.Check(project, requirements, environment, CommandName);
            await CliKnowledge.For(project, environment, CommandName).PrepareAsync(project, environment, cancellationToken).ConfigureAwait(false);
            ProjectTools.Warn(project, requirements, environment, CommandName);
            return await BatchRunner.RunAsync(project, workflow!, options, environment, cancellationToken).ConfigureAwait(false);
        }

        var storePath = arguments.NoRecord ? null : RunStores.PathFor(project, arguments.Store);
        await using var store = storePath is null ? null : RunStores.Open(storePath, CommandName);
        RunRecord? resumed = null;
        if (!string.IsNullOrEmpty(arguments.Resume))
        {
            if (arguments.Input is not null) throw new UsageException($"{CommandName}: --resume takes the input the run recorded; give no --input");
            resumed = await store!.GetRunAsync(arguments.Resume, cancellationToken).ConfigureAwait(false)
                ?? throw new UsageException($"{CommandName}: no run '{arguments.Resume}' is recorded in {storePath} (or the prefix is not unique); see atlas runs list");
            if (arguments.Workflow is not null && arguments.Workflow != resumed.Workflow)
                throw new UsageException($"{CommandName}: run {resumed.RunId} is of workflow '{resumed.Workflow}', not '{arguments.Workflow}'");
            workflow = project.SelectWorkflow(resumed.Workflow, CommandName);
            if (resumed is { Status: RunStatus.Succeeded, Output: { } recorded } && arguments.From is null && resumed.Fingerprint == workflow.Fingerprint)
            {
                // Killed after its end was recorded but before it printed: nothing is left to run; its result is the recorded one.
                environment.Error.WriteLine($"{CommandName}: run {resumed.RunId} had already succeeded; its recorded result follows (re-run it with --from STEP)");
                environment.Output.WriteLine(JsonText.Format(JsonNode.Parse(recorded), indented: true));
                return ExitCodes.Success;
            }
        }

        workflow ??= project.SelectWorkflow(arguments.Workflow, CommandName);
        var input = resumed is null ? ReadInput(arguments.Input, workflow) : ReadRecordedInput(resumed, workflow);
        var tools = ToolRequirements.ForWorkflow(project.Program.Model, workflow.Model);
        ProjectTools.Check(project, tools, environment, CommandName);
        // After the input is known good: a usage error stays one line.
        await CliKnowledge.For(project, environment, CommandName).PrepareAsync(project, environment, cancellationToken).ConfigureAwait(false);
        ProjectTools.Warn(project, tools, environment, CommandName);
        using var events = EventSink.Open(arguments.Events, environment, CommandName, append: resumed is not null && arguments.From is null);
        var progress = RunProgress.Create(environment, workflow.Name, workflow.Graph.Nodes);
        var humans = arguments.Detach || !environment.InputIsTerminal ? null : new TerminalHumanInput(environment, progress);
        await using var runtime = project.CreateRuntime(environment, store, humans);
        var state = workflow.CreateState(input);
        var runOptions = new RunOptions
        {
            Record = store is not null,
            ResumeRunId = resumed?.RunId,
            FromStep = arguments.From,
            ReplayRunId = arguments.Replay,
            Source = RunStores.SourceOf(project.DisplayPath),
        };
        RunCompleted? completed = null;
        HumanRequested? waitingFor = null;
        try
        {
            await progress.RunAsync(async () =>
            {
                await foreach (var atlasEvent in runtime.RunStreamingAsync(workflow.Graph, state, runOptions, cancellationToken).ConfigureAwait(false))
                {
                    events?.Write(atlasEvent);
                    progress.OnEvent(atlasEvent);
                    if (atlasEvent is RunCompleted done) completed = done;
                    else if (atlasEvent is HumanRequested asked) waitingFor = asked;
                }
            }).ConfigureAwait(false);
        }
        catch (RunResumeException ex)
        {
            throw new UsageException($"{CommandName}: {ex.Message}");
        }

        if (completed is { Waiting: true })
        {
            var step = waitingFor?.Step ?? "?";
            environment.Error.WriteLine(
                $"waiting: run {completed.RunId} waits at step '{step}' for '{waitingFor?.Human}'; answer with `atlas runs answer {completed.RunId} {step} --value JSON{StoreOption(arguments)}`, then `atlas run {arguments.File} --resume {completed.RunId}{StoreOption(arguments)}`");
            return ExitCodes.Waiting;
        }

        if (completed is not { Succeeded: true })
        {
            // The error stays the last line; the way on, when the run was recorded, comes just before it.
            if (completed is not null && store is not null)
                environment.Error.WriteLine($"{CommandName}: run {completed.RunId} is recorded; continue it with `atlas run {arguments.File} --resume {completed.RunId}{StoreOption(arguments)}`");
            environment.Error.WriteLine("error: " + (completed?.Error ?? "the run ended without completing"));
            return ExitCodes.Errors;
        }

        JsonNode? result;
        try
        {
            result = workflow.GetResult(state);
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonShapeException)
        {
            environment.Error.WriteLine($"error: the return of workflow '{workflow.Name}' failed: {ex.Message}");
            return ExitCodes.Errors;
        }

        // With events on stdout, stdout stays JSON lines: the result goes on one line after them.
        environment.Output.WriteLine(JsonText.Format(result, indented: !(events?.IsStdout ?? false)));
        return ExitCodes.Success;
    }

    /// <summary>The flags of durable runs: which go together, which exclude each other.</summary>
    /// <exception cref="UsageException">A combination that means nothing.</exception>
    private static void CheckRecordingOptions(RunArguments arguments)
    {
        if (arguments.NoRecord && (arguments.Resume is not null || arguments.Replay is not null || arguments.Store is not null))
            throw new UsageException($"{CommandName}: --no-record excludes --resume, --replay and --store (they read the run store)");
        if (arguments.From is not null && string.IsNullOrEmpty(arguments.Resume))
            throw new UsageException($"{CommandName}: --from STEP goes with --resume RUN (the run to re-run from that step)");
        if (arguments.Batch is not null)
        {
            if (!string.IsNullOrEmpty(arguments.Resume))
                throw new UsageException($"{CommandName}: with --batch, --resume takes no run: it continues the batch whose --output is given");
            if (arguments.Resume is not null && arguments.Output is null or "-")
                throw new UsageException($"{CommandName}: --batch --resume needs --output FILE (the lines it already holds are kept)");
            if (arguments.Replay is not null || arguments.From is not null)
                throw new UsageException($"{CommandName}: --replay and --from run one recorded run, not a batch");
        }
        else if (arguments.Resume == "")
        {
            throw new UsageException($"{CommandName}: --resume needs the run to continue (see atlas runs list)");
        }

        if (arguments.Replay is not null && arguments.Resume is not null)
            throw new UsageException($"{CommandName}: --replay and --resume exclude each other");
    }

    private static string StoreOption(RunArguments arguments) => arguments.Store is null ? "" : $" --store {arguments.Store}";

    /// <summary>The input a recorded run kept, checked against the workflow as it is now.</summary>
    /// <exception cref="UsageException">The run kept no input, or it no longer fits the workflow's parameters.</exception>
    private static JsonNode? ReadRecordedInput(RunRecord run, WorkflowInterpreter workflow)
    {
        try
        {
            return workflow.ConformInput(run.Input is null ? null : JsonNode.Parse(run.Input));
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or JsonShapeException)
        {
            throw new UsageException($"{CommandName}: the input run {run.RunId} recorded does not fit workflow '{workflow.Name}' any more: {JsonText.OneLine(ex.Message)}");
        }
    }

    /// <summary>Before any output is opened (which truncates it): none may be an input of the run, nor two the same file.</summary>
    /// <exception cref="UsageException">An output is an input or another output.</exception>
    private static void CheckOutputs(RunArguments arguments, AtlasProject project)
    {
        var outputs = new List<NamedPath>();
        if (arguments.Output is { } output && output != "-") outputs.Add(new NamedPath(output, $"--output '{output}'"));
        if (arguments.Events is { } events && events != "-") outputs.Add(new NamedPath(events, $"--events '{events}'"));
        if (outputs.Count == 0) return;

        var inputs = project.Sources.Select(s => new NamedPath(s.FullPath, $"Atlas file '{s.DisplayPath}'")).ToList();
        if (arguments.Batch is { } batch) inputs.Add(new NamedPath(batch, $"--batch file '{batch}'"));
        if (arguments.Input is ['@', .. var inputFile]) inputs.Add(new NamedPath(inputFile, $"--input file '{inputFile}'"));
        foreach (var tools in arguments.Tools ?? []) inputs.Add(new NamedPath(tools, $"--tools assembly '{tools}'"));
        OutputGuard.Check(inputs, outputs, CommandName);
    }

    /// <summary>The <c>--input</c> value checked against the workflow's parameters.</summary>
    /// <exception cref="UsageException">Missing where needed, not JSON, or not the parameters' shape.</exception>
    internal static JsonNode? ReadInput(string? text, WorkflowInterpreter workflow)
    {
        var parameters = workflow.Model.Parameters;
        if (text is null)
        {
            if (parameters.Count == 0) return null;
            throw new UsageException(
                $"{CommandName}: workflow '{workflow.Name}' needs --input ({string.Join(", ", parameters.Select(p => p.Name + ": " + p.Type))}), as JSON or @file.json");
        }

        var value = JsonText.ReadOption(text, CommandName, "--input");
        try
        {
            return workflow.ConformInput(value);
        }
        catch (JsonShapeException ex)
        {
            throw new UsageException($"{CommandName}: --input: {ex.Message}");
        }
    }
}

/// <summary>Where <c>--events</c> goes: a file, or stdout for <c>-</c>; one JSON line per event. Thread-safe.</summary>
internal sealed class EventSink : IDisposable
{
    private readonly TextWriter _writer;
    private readonly bool _owns;
    private readonly object _gate = new();

    private EventSink(TextWriter writer, bool owns, bool isStdout)
    {
        _writer = writer;
        _owns = owns;
        IsStdout = isStdout;
    }

    public bool IsStdout { get; }

    /// <summary>The sink for <paramref name="target"/>: none, stdout (<c>-</c>) or a file.</summary>
    /// <param name="target">The <c>--events</c> argument.</param>
    /// <param name="environment">Where stdout is.</param>
    /// <param name="commandName">The command, for the one line a file that cannot be written gets.</param>
    /// <param name="append">A resumed run's or batch's events go on after the earlier attempt's (whose last line, cut off by a kill, is dropped).</param>
    public static EventSink? Open(string? target, CliEnvironment environment, string commandName, bool append = false)
    {
        if (target is null) return null;
        if (target == "-") return new EventSink(environment.Output, owns: false, isStdout: true);
        try
        {
            var stream = new FileStream(target, append ? FileMode.OpenOrCreate : FileMode.Create, FileAccess.ReadWrite);
            if (append) stream.SetLength(WholeLinesLength(stream));
            stream.Seek(0, SeekOrigin.End);
            return new EventSink(new OutputWriter(new StreamWriter(stream) { AutoFlush = false }, $"--events file '{target}'"), owns: true, isStdout: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"{commandName}: cannot write events to '{target}': {ex.Message}");
        }
    }

    /// <summary>The length of the file's whole lines: up to and with its last line feed.</summary>
    private static long WholeLinesLength(FileStream stream)
    {
        var buffer = new byte[4096];
        for (var end = stream.Length; end > 0;)
        {
            var start = Math.Max(0, end - buffer.Length);
            stream.Seek(start, SeekOrigin.Begin);
            stream.ReadExactly(buffer, 0, (int)(end - start));
            var newline = Array.LastIndexOf(buffer, (byte)'\n', (int)(end - start) - 1);
            if (newline >= 0) return start + newline + 1;
            end = start;
        }

        return 0;
    }

    public void Write(AtlasEvent atlasEvent)
    {
        var line = AtlasEventJson.SerializeEvent(atlasEvent);
        lock (_gate)
        {
            _writer.WriteLine(line);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Flush();
            if (_owns) _writer.Dispose();
        }
    }
}
