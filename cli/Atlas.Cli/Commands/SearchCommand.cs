using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Cli.Knowledge;
using Atlas.Knowledge;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas search FILE --knowledge NAME "query" [--top N] [--mode hybrid|vector|keyword] [--min-score X] [--where key=pattern] [--json]</c>:
/// ranked passages from an ingested knowledge base, best first; with <c>--json</c> a JSON array of them on stdout.
/// </summary>
public static class SearchCommand
{
    public const string Name = "search";
    internal const string CommandName = AtlasCli.Name + " " + Name;

    public static readonly IReadOnlyList<string> Examples =
    [
        "atlas search examples/support-triage/support.atlas --knowledge handbook \"charged twice\"",
        "atlas search examples/support-triage/support.atlas -k handbook refund window --top 3 --mode keyword --json",
        "atlas search examples/support-triage/support.atlas -k handbook invoices --where 'source=docs/billing/*' --where 'heading=Refunds*'",
    ];

    public const string ExitCodesHelp = "0 searched (even with no hits), 1 the files have errors, the store was never ingested or failed, 2 bad usage";

    public static Command Create(CliEnvironment environment)
    {
        var file = new Argument<string>("FILE") { Description = "An .atlas or .atlas.yaml file, or a directory whose Atlas files compile together." };
        // Several words are one query, so quoting is optional (and a query longer than one argument may be, 128 KB on Linux, still fits).
        var query = new Argument<string[]>("QUERY") { Description = "What to search for; several words are joined with spaces, so quotes are optional.", Arity = ArgumentArity.OneOrMore };
        var knowledge = new Option<string?>("--knowledge", "-k") { Description = "The knowledge base to search; needed only when the file declares several.", HelpName = "NAME" };
        var top = new Option<int>("--top", "-n") { Description = $"How many passages, 1 to {OptionRanges.MaxTop} (default 5).", DefaultValueFactory = _ => 5, HelpName = "N" }.Between(1, OptionRanges.MaxTop);
        var modes = Display.Spellings.SearchModes.Select(m => m.Spelling).ToArray();
        var mode = new Option<string>("--mode", "-m") { Description = $"{modes[0]} (default), {string.Join(" or ", modes[1..])}.", DefaultValueFactory = _ => modes[0], HelpName = string.Join('|', modes) };
        mode.AcceptOnlyFromAmong(modes);
        var minScore = new Option<double?>("--min-score") { Description = "Drop passages scoring below this finite number (cosine for vector, BM25 for keyword, the fused score for hybrid).", HelpName = "X" }.FiniteFrom(OptionRanges.MinScoreFloor);
        var where = new Option<string[]>("--where") { Description = "Keep passages whose metadata KEY equals VALUE, or matches it as a glob with * and ?; repeatable (all must match). Keys: " + string.Join(", ", KnowledgeMetadata.Keys) + ".", HelpName = "KEY=VALUE", AllowMultipleArgumentsPerToken = false };
        var json = new Option<bool>("--json") { Description = "Print a JSON array of passages (source, score, text, heading, metadata), best first." };
        var command = new Command(Name, "Search an ingested knowledge base and print its best passages, best first.")
        {
            file, query, knowledge, top, mode, minScore, where, json,
        };
        command.SetAction((parseResult, cancellationToken) => ExecuteAsync(
            new SearchArguments(
                parseResult.GetValue(file)!,
                string.Join(' ', parseResult.GetValue(query)!),
                parseResult.GetValue(knowledge),
                parseResult.GetValue(top),
                Display.Spellings.SearchMode(parseResult.GetValue(mode)!),
                parseResult.GetValue(minScore),
                parseResult.GetValue(where) ?? [],
                parseResult.GetValue(json)),
            environment,
            cancellationToken));
        return command;
    }

    internal sealed record SearchArguments(string File, string Query, string? Knowledge, int Top, Atlas.Runtime.SearchMode Mode, double? MinScore, string[] Where, bool Json);

    private static async Task<int> ExecuteAsync(SearchArguments arguments, CliEnvironment environment, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(arguments.Query)) throw new UsageException($"{CommandName}: the query is empty");
        var filters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var clause in arguments.Where)
        {
            var equals = clause.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) throw new UsageException($"{CommandName}: --where '{clause}' is not KEY=VALUE");
            var key = clause[..equals].Trim();
            // An unknown key matches no passage: say so instead of returning nothing.
            if (!KnowledgeMetadata.Keys.Contains(key, StringComparer.Ordinal))
            {
                throw new UsageException(
                    $"{CommandName}: --where '{clause}': '{key}' is not a metadata key; use one of {string.Join(", ", KnowledgeMetadata.Keys)}" +
                    Atlas.Compiler.Diagnostics.Suggestions.DidYouMean(key, KnowledgeMetadata.Keys).Replace('`', '\''));
            }

            filters[key] = clause[(equals + 1)..];
        }

        var project = AtlasProject.Load(arguments.File, environment, CommandName);
        if (project is null) return ExitCodes.Errors;
        var descriptor = CliKnowledge.Select(project, arguments.Knowledge, CommandName);
        var kb = CliKnowledge.For(project, environment, CommandName).CreateKnowledgeBase(descriptor, project.BaseDirectory);

        IReadOnlyList<KnowledgeHit> hits;
        try
        {
            hits = await kb.SearchAsync(arguments.Query, new KnowledgeSearchOptions(arguments.Top, arguments.Mode, arguments.MinScore, filters.Count == 0 ? null : filters), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is KnowledgeNotIngestedException or KnowledgeStoreMismatchException or KnowledgeStoreUnavailableException or Atlas.Runtime.ProviderException)
        {
            environment.Error.WriteLine($"{CommandName}: error: {JsonText.OneLine(ex.Message)}");
            return ExitCodes.Errors;
        }

        if (arguments.Json)
        {
            var array = new JsonArray(hits.Select(h => (JsonNode)ToJson(h)).ToArray());
            environment.Output.WriteLine(JsonText.Format(array, indented: true));
            return ExitCodes.Success;
        }

        if (hits.Count == 0)
        {
            environment.Error.WriteLine($"{CommandName}: no passages in '{descriptor.Name}' match");
            return ExitCodes.Success;
        }

        var output = environment.Output;
        for (var i = 0; i < hits.Count; i++)
        {
            var hit = hits[i];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i + 1}. {hit.Chunk.Source}{(hit.Chunk.Heading is { } h ? " › " + h : "")}  (score {hit.Score:0.0000})"));
            foreach (var line in hit.Chunk.Text.Split('\n'))
            {
                output.WriteLine("   " + line.TrimEnd());
            }

            output.WriteLine();
        }

        return ExitCodes.Success;
    }

    /// <summary>A hit as the JSON array's element: source, score, text, heading, metadata.</summary>
    internal static JsonObject ToJson(KnowledgeHit hit)
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in hit.Chunk.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            metadata[key] = value;
        }

        return new JsonObject
        {
            ["source"] = hit.Chunk.Source,
            ["score"] = Math.Round(hit.Score, 6),
            ["text"] = hit.Chunk.Text,
            ["heading"] = hit.Chunk.Heading,
            ["metadata"] = metadata,
        };
    }
}
