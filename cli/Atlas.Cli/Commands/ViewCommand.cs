using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using Atlas.Cli.Viewer;
using Atlas.Runtime;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas view [FILE|DIR] [--port N] [--store PATH]</c>: serves the run viewer over a project's run store on
/// 127.0.0.1 until Ctrl+C. The store is found as <c>atlas runs</c> finds it, and never created.
/// </summary>
public static class ViewCommand
{
    public const string Name = "view";
    private const string CommandName = AtlasCli.Name + " " + Name;

    public static readonly IReadOnlyList<string> Examples =
    [
        "atlas view examples/support-triage/support.atlas   # then open the URL it prints; Ctrl+C stops it",
        "atlas view --store examples/support-triage/.atlas/runs.db --port 8080",
    ];

    public const string ExitCodesHelp = "0 stopped with Ctrl+C, 1 no runs recorded there, the store cannot be read or the port is taken, 2 bad usage";

    public static Command Create(CliEnvironment environment)
    {
        var file = new Argument<string?>("FILE")
        {
            Description = "An .atlas file or a directory whose run store to view (.atlas/runs.db beside it); without it, ./.atlas/runs.db.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var port = new Option<int>("--port", "-p")
        {
            Description = "The port on 127.0.0.1 to serve on (default 0: a free one).",
            HelpName = "N",
        }.Between(0, 65535);
        var store = new Option<string?>("--store") { Description = "The run store to view: a file other than the project's .atlas/runs.db.", HelpName = "PATH" };
        var command = new Command(Name, "Serve a page on 127.0.0.1 that shows the recorded runs: a list, each run's graph, timeline, inputs, outputs and prompts, per-workflow statistics, running runs live; a waiting human step can be answered there.")
        {
            file, port, store,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                await using var runStore = RunsCommand.OpenStore(parseResult.GetValue(store), parseResult.GetValue(file), CommandName);
                // Read once before serving: a damaged store is one line now, not an error page later.
                await runStore.ListRunsAsync(new RunQuery(Limit: 1), cancellationToken).ConfigureAwait(false);
                await using var viewer = await RunViewer.StartAsync(runStore, parseResult.GetValue(port), cancellationToken).ConfigureAwait(false);
                environment.Output.WriteLine($"viewing {runStore.Path} at {viewer.Url}");
                await environment.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
                await viewer.RunUntilCancelledAsync(cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (RunsCommand.RunsFailure ex)
            {
                environment.Error.WriteLine(ex.Message);
                return ExitCodes.Errors;
            }
            catch (RunStoreException ex)
            {
                environment.Error.WriteLine($"{CommandName}: {JsonText.OneLine(ex.Message)}");
                return ExitCodes.Errors;
            }
            catch (IOException ex)
            {
                // Kestrel's "address already in use".
                environment.Error.WriteLine($"{CommandName}: cannot serve on 127.0.0.1:{parseResult.GetValue(port)}: {JsonText.OneLine(ex.Message)}");
                return ExitCodes.Errors;
            }
        });
        return command;
    }
}
