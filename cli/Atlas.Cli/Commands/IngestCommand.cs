using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Cli.Knowledge;
using Atlas.Knowledge;
using Spectre.Console;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas ingest FILE [--knowledge NAME]</c>: brings a declared knowledge base's store up to date with its
/// sources (new and changed files chunked and embedded, removed ones dropped, bad ones reported), with a
/// progress bar on a terminal and plain lines otherwise, then a summary.
/// </summary>
public static class IngestCommand
{
    public const string Name = "ingest";
    internal const string CommandName = AtlasCli.Name + " " + Name;

    public static readonly IReadOnlyList<string> Examples =
    [
        "atlas ingest examples/support-triage/support.atlas                       # its only knowledge base",
        "atlas ingest examples/dispatch/dispatch.atlas --knowledge handbook       # needed when a file declares several",
    ];

    public const string ExitCodesHelp = "0 ingested (files that could not be read are reported and skipped), 1 the files have errors or the store failed (e.g. ChromaDB unreachable), 2 bad usage";

    public static Command Create(CliEnvironment environment)
    {
        var file = new Argument<string>("FILE") { Description = "An .atlas or .atlas.yaml file, or a directory whose Atlas files compile together. Sources and store files are relative to its folder." };
        var knowledge = new Option<string?>("--knowledge", "-k") { Description = "The knowledge base to ingest; needed only when the file declares several.", HelpName = "NAME" };
        var command = new Command(Name, "Ingest a knowledge base: chunk and embed its new and changed source files into its store (SQLite or ChromaDB), drop removed ones, report bad ones.")
        {
            file, knowledge,
        };
        command.SetAction((parseResult, cancellationToken) => ExecuteAsync(parseResult.GetValue(file)!, parseResult.GetValue(knowledge), environment, cancellationToken));
        return command;
    }

    private static async Task<int> ExecuteAsync(string path, string? name, CliEnvironment environment, CancellationToken cancellationToken)
    {
        var project = AtlasProject.Load(path, environment, CommandName);
        if (project is null) return ExitCodes.Errors;
        var descriptor = CliKnowledge.Select(project, name, CommandName);
        var kb = CliKnowledge.For(project, environment, CommandName).CreateKnowledgeBase(descriptor, project.BaseDirectory);
        var error = environment.Error;
        error.WriteLine($"{CommandName}: knowledge '{descriptor.Name}' from {string.Join(", ", descriptor.Sources)} into {CliKnowledge.Describe(kb)}");

        IngestReport report;
        try
        {
            // The store's lock (KnowledgeIngestor) makes a concurrent ingest of the same store wait for this one.
            report = await (environment.ErrorIsTerminal ? WithBarAsync(kb, environment, cancellationToken) : WithLinesAsync(kb, environment, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is KnowledgeStoreUnavailableException or Atlas.Runtime.ProviderException)
        {
            error.WriteLine($"{CommandName}: error: {JsonText.OneLine(ex.Message)}");
            return ExitCodes.Errors;
        }

        foreach (var skip in report.Skipped)
        {
            error.WriteLine($"{CommandName}: skipped {skip.Source}: {skip.Reason}");
        }

        if (report.UnmatchedSources.Count > 0)
        {
            error.WriteLine($"{CommandName}: {KnowledgeSources.Warning(descriptor.Name, report.UnmatchedSources)}");
        }

        var documents = report.Added + report.Updated + report.Unchanged;
        error.WriteLine($"{CommandName}: {descriptor.Name}: {CliKnowledge.Summary(report)}; {documents} document{(documents == 1 ? "" : "s")} stored");
        return ExitCodes.Success;
    }

    private static Task<IngestReport> WithLinesAsync(KnowledgeBase kb, CliEnvironment environment, CancellationToken cancellationToken)
    {
        // Redirected output: one line per file that changed anything, none for unchanged ones.
        var progress = new SynchronousProgress(p =>
        {
            if (p.Outcome != "unchanged")
                environment.Error.WriteLine($"[{p.FilesDone}/{p.FilesTotal}] {p.Outcome} {p.Source}");
        });
        return kb.IngestAsync(progress, cancellationToken);
    }

    private static async Task<IngestReport> WithBarAsync(KnowledgeBase kb, CliEnvironment environment, CancellationToken cancellationToken)
    {
        // The environment already says stderr is a terminal; don't let Spectre second-guess a wrapped writer.
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(environment.Error), Interactive = InteractionSupport.Yes });
        IngestReport? report = null;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(kb.Descriptor.Name), maxValue: Math.Max(1, kb.Ingestor.MatchFiles().Count));
                var progress = new SynchronousProgress(p =>
                {
                    task.MaxValue = Math.Max(1, p.FilesTotal);
                    task.Value = p.FilesDone;
                    task.Description = Markup.Escape($"{kb.Descriptor.Name}: {p.Outcome} {p.Source} ({p.ChunksWritten} chunks)");
                });
                report = await kb.IngestAsync(progress, cancellationToken).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        return report!;
    }

    // Progress<T> posts to the thread pool: lines could come out of order and after the summary.
    private sealed class SynchronousProgress(Action<IngestProgress> report) : IProgress<IngestProgress>
    {
        public void Report(IngestProgress value) => report(value);
    }
}
