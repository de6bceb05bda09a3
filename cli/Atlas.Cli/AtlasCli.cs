using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Cli.Commands;
using Atlas.Compiler;
using Atlas.Compiler.Text;

namespace Atlas.Cli;

/// <summary>
/// The <c>atlas</c> command line: builds the command tree, parses, and turns every way of
/// failing into an exit code and one line on stderr (never a stack trace).
/// </summary>
/// <remarks>
/// Exit codes: <see cref="ExitCodes.Success"/> (0), <see cref="ExitCodes.Errors"/> (1: the files
/// have errors), <see cref="ExitCodes.Usage"/> (2: bad command line or unreadable input),
/// <see cref="ExitCodes.Waiting"/> (3: a run waits for a human step's answer), <see cref="ExitCodes.InternalError"/> (70: a bug in Atlas).
/// Each call builds its own command tree, so concurrent calls with different writers are safe.
/// </remarks>
public static class AtlasCli
{
    public const string Name = "atlas";

    /// <summary>Runs <c>atlas</c> with <paramref name="args"/>, writing results to <paramref name="stdout"/> and problems to <paramref name="stderr"/>.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, compile: null);

    /// <summary>As <see cref="Run(string[], TextWriter, TextWriter)"/>, with the front-end replaced (for tests).</summary>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr, Func<IReadOnlyList<SourceFile>, CompilationResult>? compile) =>
        RunAsync(args, new CliEnvironment { Output = stdout, Error = stderr, Compile = compile }).GetAwaiter().GetResult();

    /// <summary>Runs <c>atlas</c> with <paramref name="args"/> in <paramref name="environment"/>; returns the exit code.</summary>
    /// <remarks>
    /// <paramref name="cancellationToken"/> (and, with <see cref="CliEnvironment.HandlesSignals"/>, SIGINT or SIGTERM) stops
    /// a command promptly; it then exits with <see cref="ExitCodes.Cancelled"/> (130), or <see cref="ExitCodes.Terminated"/>
    /// (143) for SIGTERM; one that has not stopped 5 s later is left behind. A second signal ends the process at once.
    /// </remarks>
    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        // A result that cannot be written (a full disk, a closed pipe) is one line and exit 1, not a crash.
        // stderr only when it is not a terminal: Spectre.Console recognizes the console's own writer.
        environment = environment with
        {
            Output = OutputWriter.Guard(environment.Output, "stdout"),
            Error = environment.ErrorIsTerminal ? environment.Error : OutputWriter.Guard(environment.Error, "stderr"),
        };
        var stdout = environment.Output;
        var stderr = environment.Error;
        var commandName = Name;
        int exitCode;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var signals = environment.HandlesSignals ? TerminationSignals.Register(cancel) : null;

        try
        {
            var root = BuildRootCommand(environment);
            // `@file` means "read this JSON file" to --input, not a response file of more arguments.
            var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
            var command = parseResult.CommandResult.Command;
            commandName = command == root ? Name : Name + " " + command.Name;
            // --help wins over a missing argument: `atlas run --help` shows help.
            if (parseResult.Errors.Count > 0 && parseResult.Action is not (HelpAction or HelpWithExamplesAction))
            {
                // System.CommandLine would print every error plus the whole help text; one line
                // that says what is wrong and where to look is easier to act on.
                stderr.WriteLine($"{commandName}: {OneLine(parseResult.Errors[0].Message)} (see '{commandName} --help')");
                return ExitCodes.Usage;
            }

            var configuration = new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
                // Signals are ours (TerminationSignals): System.CommandLine's handler would end a command that is still
                // writing its last lines, and say 130 for SIGTERM too.
                ProcessTerminationTimeout = null,
            };
            // With signals, on the thread pool: a command may block its thread (Console.In reads synchronously), and the
            // grace period must still run out.
            var invocation = signals is null
                ? parseResult.InvokeAsync(configuration, cancel.Token)
                : Task.Run(() => parseResult.InvokeAsync(configuration, cancel.Token), CancellationToken.None);
            if (signals is not null && await Task.WhenAny(invocation, signals.GraceElapsed).ConfigureAwait(false) != invocation)
            {
                // A command blocked where it cannot see the token (a terminal read): stop without it; writes already done are whole.
                Report(stderr, $"{Name}: cancelled");
                return signals.ExitCode!.Value;
            }

            exitCode = await invocation.ConfigureAwait(false);
            if (exitCode != ExitCodes.Success && signals?.ExitCode is { } signalled) exitCode = signalled;
            await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            Report(stderr, ex.Message);
            exitCode = ExitCodes.Usage;
        }
        catch (OutputFailedException ex)
        {
            Report(stderr, $"{commandName}: {ex.Message}");
            exitCode = ExitCodes.Errors;
        }
        catch (OperationCanceledException ex)
        {
            Report(stderr, ex is CommandCancelledException ? ex.Message : $"{Name}: cancelled");
            exitCode = signals?.ExitCode ?? ExitCodes.Cancelled;
        }
        catch (Exception ex)
        {
            Report(stderr, $"{Name}: internal error: {ex.GetType().Name}: {JsonText.OneLine(ex.Message)} (this is a bug in Atlas; please report it)");
            exitCode = ExitCodes.InternalError;
        }
        finally
        {
            try
            {
                await stderr.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OutputFailedException)
            {
                // stderr itself cannot be written: there is nowhere left to say so; the exit code does.
            }
        }

        return exitCode;
    }

    /// <summary>The last line of a failed command; a stderr that cannot be written leaves only the exit code.</summary>
    private static void Report(TextWriter stderr, string line)
    {
        try
        {
            stderr.WriteLine(line);
        }
        catch (Exception ex) when (ex is IOException or OutputFailedException)
        {
        }
    }

    internal static Command BuildRootCommand(CliEnvironment environment)
    {
        var stdout = environment.Output;
        var stderr = environment.Error;
        // A plain Command named "atlas" rather than RootCommand, whose name is the host process's
        // (it would read "testhost" in tests, "dotnet" under `dotnet atlas.dll`).
        var root = new Command(Name, "Atlas: declare LLM providers, routes, agents, knowledge and workflows in .atlas files; check, run, chat with and graph them.")
        {
            new HelpOption(),
            new VersionOption(),
        };

        var extras = new Dictionary<Command, HelpExtras>
        {
            [root] = new(
                [
                    "atlas check examples/",
                    "atlas run examples/support-triage/support.atlas --workflow support --input @examples/support-triage/ticket.json",
                    "atlas run --help",
                ],
                null),
        };

        var check = CheckCommand.Create(stdout, stderr, environment.Compile);
        root.Subcommands.Add(check);
        extras[check] = new(CheckCommand.Examples, CheckCommand.ExitCodesHelp);

        Add(RunCommand.Create(environment), RunCommand.Examples, RunCommand.ExitCodesHelp);
        Add(ChatCommand.Create(environment), ChatCommand.Examples, ChatCommand.ExitCodesHelp);
        Add(GraphCommand.Create(environment), GraphCommand.Examples, GraphCommand.ExitCodesHelp);
        Add(ProvidersCommand.Create(environment), ProvidersCommand.Examples, ProvidersCommand.ExitCodesHelp);
        Add(NewCommand.Create(environment), NewCommand.Examples, NewCommand.ExitCodesHelp);
        Add(IngestCommand.Create(environment), IngestCommand.Examples, IngestCommand.ExitCodesHelp);
        Add(SearchCommand.Create(environment), SearchCommand.Examples, SearchCommand.ExitCodesHelp);
        var runs = RunsCommand.Create(environment);
        Add(runs, RunsCommand.Examples, RunsCommand.ExitCodesHelp);
        foreach (var subcommand in runs.Subcommands) extras[subcommand] = new(RunsCommand.SubcommandExamples[subcommand.Name], RunsCommand.ExitCodesHelp);
        Add(ViewCommand.Create(environment), ViewCommand.Examples, ViewCommand.ExitCodesHelp);

        void Add(Command command, IReadOnlyList<string> examples, string exitCodes)
        {
            root.Subcommands.Add(command);
            extras[command] = new(examples, exitCodes);
        }

        root.SetAction(_ =>
        {
            stderr.WriteLine($"{Name}: no command given; try '{Name} run FILE' or '{Name} check FILES...' (see '{Name} --help')");
            return ExitCodes.Usage;
        });

        foreach (var option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction help } helpOption)
                helpOption.Action = new HelpWithExamplesAction(help, extras, stdout);
        }

        return root;
    }

    /// <summary>Some parse errors list choices on lines of their own; one line reads better on stderr.</summary>
    private static string OneLine(string message) =>
        string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private sealed record HelpExtras(IReadOnlyList<string> Examples, string? ExitCodes);

    /// <summary>The standard help, then "Examples:" (and "Exit codes:") for the command asked about.</summary>
    private sealed class HelpWithExamplesAction(
        HelpAction inner,
        IReadOnlyDictionary<Command, HelpExtras> extras,
        TextWriter stdout) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int result = inner.Invoke(parseResult);
            if (extras.TryGetValue(parseResult.CommandResult.Command, out var extra))
            {
                stdout.WriteLine("Examples:");
                foreach (var line in extra.Examples) stdout.WriteLine("  " + line);
                stdout.WriteLine();
                if (extra.ExitCodes is not null)
                {
                    stdout.WriteLine("Exit codes:");
                    stdout.WriteLine("  " + extra.ExitCodes);
                    stdout.WriteLine();
                }
            }
            return result;
        }
    }
}

/// <summary>The process exit codes of every <c>atlas</c> command.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Errors = 1;
    public const int Usage = 2;
    /// <summary>A run stopped to wait for a human step's answer (<c>atlas runs answer</c>, then <c>--resume</c>).</summary>
    public const int Waiting = 3;

    /// <summary>A bug in Atlas (sysexits' EX_SOFTWARE).</summary>
    public const int InternalError = 70;

    /// <summary>Stopped by Ctrl+C (128 + SIGINT, as shells report it), or cancelled by the caller.</summary>
    public const int Cancelled = 130;

    /// <summary>Stopped by SIGTERM (128 + 15).</summary>
    public const int Terminated = 143;
}

/// <summary>A command stopped on request that has said what it did before stopping: its message is the one line printed on stderr.</summary>
public sealed class CommandCancelledException(string message) : OperationCanceledException(message);

/// <summary>Bad usage (missing file, empty directory, ...): its message is the one line printed on stderr.</summary>
public sealed class UsageException(string message) : Exception(message);
