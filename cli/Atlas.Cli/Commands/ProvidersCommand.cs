using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Compiler.Model;
using Atlas.Runtime;
using ProviderKind = Atlas.Compiler.Model.ProviderKind;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas providers FILE [--ping]</c>: each declared provider with its kind, model, whether it is
/// available (or why not), capabilities and cost; then each route and the provider it would use now.
/// API keys are looked up by name and never printed.
/// </summary>
public static class ProvidersCommand
{
    public const string Name = "providers";
    private const string CommandName = AtlasCli.Name + " " + Name;

    /// <summary>How long <c>--ping</c> waits for each provider.</summary>
    internal static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(10);

    public static readonly IReadOnlyList<string> Examples =
    [
        "atlas providers examples/support-triage/support.atlas",
        "atlas providers examples/dispatch/dispatch.atlas --ping   # one tiny request to each available provider",
    ];

    public const string ExitCodesHelp = "0 listed (with --ping: every available provider answered), 1 the files have errors or a ping failed, 2 bad usage";

    public static Command Create(CliEnvironment environment)
    {
        var file = new Argument<string>("FILE") { Description = "An .atlas or .atlas.yaml file, or a directory whose Atlas files compile together." };
        var ping = new Option<bool>("--ping") { Description = $"Send each available provider a tiny request ({PingTimeout.TotalSeconds:0} s timeout) and report whether it answered." };
        var command = new Command(Name, "List the declared providers: kind, model, available or why not, capabilities, cost; and the routes over them.")
        {
            file, ping,
        };
        command.SetAction((parseResult, cancellationToken) => ExecuteAsync(parseResult.GetValue(file)!, parseResult.GetValue(ping), environment, cancellationToken));
        return command;
    }

    private static async Task<int> ExecuteAsync(string path, bool ping, CliEnvironment environment, CancellationToken cancellationToken)
    {
        var project = AtlasProject.Load(path, environment, CommandName);
        if (project is null) return ExitCodes.Errors;
        var model = project.Program.Model;
        if (model.Providers.Count == 0)
        {
            environment.Output.WriteLine($"{project.DisplayPath} declares no providers");
            return ExitCodes.Success;
        }

        await using var runtime = project.CreateRuntime(environment);
        var statuses = model.Providers.ToDictionary(p => p.Name, p => runtime.GetProviderStatus(p.Name), StringComparer.Ordinal);
        var pings = new Dictionary<string, string>(StringComparer.Ordinal);
        var failedPings = 0;
        if (ping)
        {
            var results = await Task.WhenAll(model.Providers.Select(async p => (p.Name, Result: await PingAsync(runtime, p, statuses[p.Name], cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false);
            foreach (var (name, result) in results)
            {
                pings[name] = result.Text;
                if (!result.Ok && statuses[name].Available) failedPings++;
            }
        }

        var header = new List<string> { "provider", "kind", "model", "status", "capabilities", "cost (USD per 1M tokens in / out)" };
        if (ping) header.Add("ping");
        var rows = new List<IReadOnlyList<string>> { header };
        foreach (var provider in model.Providers)
        {
            var status = statuses[provider.Name];
            var row = new List<string>
            {
                provider.Name,
                Display.Spellings.Kind(provider.Kind),
                provider.Model ?? "-",
                status.Available ? "available" + (provider.Endpoint is { } endpoint ? " at " + EndpointDisplay.Display(endpoint) : "") : "unavailable: " + status.Reason,
                string.Join(", ", status.Capabilities),
                provider.Cost is { } cost ? string.Create(CultureInfo.InvariantCulture, $"{cost.InputPerMillion:0.00##} / {cost.OutputPerMillion:0.00##}")
                    : provider.Kind == ProviderKind.Mock ? "free" : "no cost declared",
            };
            if (ping) row.Add(pings[provider.Name]);
            rows.Add(row);
        }

        Display.TextTable.Write(environment.Output, rows);
        if (model.Routes.Count > 0)
        {
            environment.Output.WriteLine();
            environment.Output.WriteLine("routes:");
            foreach (var route in model.Routes) environment.Output.WriteLine("  " + DescribeRoute(route, statuses));
        }

        return failedPings == 0 ? ExitCodes.Success : ExitCodes.Errors;
    }

    /// <summary><c>smart: fallback over openai, claude, offline · require json · retry 2 · timeout 30s · usable now: offline</c></summary>
    private static string DescribeRoute(RouteModel route, IReadOnlyDictionary<string, ProviderStatus> statuses)
    {
        var parts = new List<string> { $"{route.Name}: {Display.Spellings.Strategy(route.Strategy)} over {string.Join(", ", route.Use)}" };
        if (route.Require.Count > 0) parts.Add("require " + string.Join(", ", route.Require));
        if (route.Retry > 0) parts.Add("retry " + route.Retry.ToString(CultureInfo.InvariantCulture));
        if (route.TimeoutMs is { } timeout) parts.Add("timeout " + Atlas.Compiler.Lowering.PlanText.Duration(timeout));
        var usable = route.Use
            .Where(name => statuses.TryGetValue(name, out var s) && s.Available && route.Require.All(c => s.Capabilities.Contains(c, StringComparer.OrdinalIgnoreCase)))
            .ToList();
        parts.Add(usable.Count == 0 ? "no usable provider now" : "usable now: " + string.Join(", ", usable));
        return string.Join(" · ", parts);
    }

    private static async Task<(bool Ok, string Text)> PingAsync(AtlasRuntime runtime, ProviderModel provider, ProviderStatus status, CancellationToken cancellationToken)
    {
        if (!status.Available) return (false, "not pinged (unavailable)");
        var agent = new AgentDescriptor(
            "ping",
            [],
            "string",
            null,
            provider.Name,
            new PromptTemplate([new TextSegment("Reply with the single word: pong")]),
            MaxTokens: 5);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PingTimeout);
        var clock = Stopwatch.StartNew();
        try
        {
            await runtime.InvokeAgentAsync(agent, new Dictionary<string, JsonNode?>(), null, timeout.Token).ConfigureAwait(false);
            return (true, $"ok ({RunDuration(clock.Elapsed)})");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, $"no answer within {PingTimeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // "No provider of provider 'local' could answer: local: Connection refused (...)." → the reason.
            var message = JsonText.OneLine(ex.Message);
            var prefix = $"No provider of provider '{provider.Name}' could answer: {provider.Name}: ";
            if (message.StartsWith(prefix, StringComparison.Ordinal)) message = message[prefix.Length..].TrimEnd('.');
            return (false, "failed: " + message);
        }
    }

    private static string RunDuration(TimeSpan elapsed) => Display.RunProgress.Duration(elapsed);
}
