using System;
using System.Linq;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Dispatch;

/// <summary>
/// Runs the generated <see cref="DispatchWorkflow"/> on one request and prints, as JSON, the typed
/// resolution and the trace of who the dispatcher asked for what (its tool call and delegations).
/// </summary>
internal static class Program
{
    public static async Task Main()
    {
        // No arguments: API keys come from the environment; without them the route uses `offline` (mock).
        await using var services = new ServiceCollection().AddAtlas().BuildServiceProvider();
        var workflow = services.GetRequiredService<DispatchWorkflow>();
        var request = new Request(
            Id: "R-311",
            Customer: "acme-corp",
            Plan: Plan.Team,
            Question: "We were charged twice for March, and since the last update sync stalls on two laptops. Can you help with both?");

        var trace = new JsonArray();
        await foreach (var atlasEvent in workflow.RunStreamingAsync(request))
        {
            switch (atlasEvent)
            {
                case ToolCalled { Called: false } tool:
                    trace.Add($"{tool.Agent} would call {tool.Tool} with {tool.Arguments} (not read-only: the offline mock does not call it)");
                    break;
                case ToolCalled tool:
                    trace.Add($"{tool.Agent} called {tool.Tool} with {tool.Arguments}");
                    break;
                case DelegationCompleted delegation:
                    trace.Add($"{delegation.From} delegated to {delegation.To}: {(delegation.Succeeded ? "answered" : delegation.Error)} ({delegation.Usage.TotalTokens} tokens)");
                    break;
                case RunCompleted { Succeeded: false } failed:
                    trace.Add("failed: " + failed.Error);
                    break;
            }
        }

        Resolution resolution = await workflow.RunAsync(request);

        // The generated resolver writes the names as declared in the .atlas file.
        var output = new JsonObject
        {
            ["resolution"] = JsonSerializer.SerializeToNode(resolution, AtlasJson.Options),
            ["trace"] = trace,
        };
        Console.WriteLine(output.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }
}

/// <summary>
/// The C# side of the tools declared in dispatch.atlas: `lookup_account` (read-only; offline, a fixed
/// directory) and `page_team` (a side effect; here it only writes the page to stderr, where a real
/// deployment would call its pager service).
/// </summary>
public sealed partial class AtlasTools
{
    private static readonly (string Customer, string Account)[] Accounts =
    [
        ("acme-corp", "acme-corp: team plan, 14 seats, paid by card ending 4242, last invoice March"),
        ("globex", "globex: enterprise plan, invoiced yearly"),
    ];

    public partial Task<string> LookupAccountAsync(string customer, CancellationToken cancellationToken) =>
        Task.FromResult(Accounts.FirstOrDefault(a => string.Equals(a.Customer, customer, StringComparison.OrdinalIgnoreCase)).Account
            ?? $"No account is registered for '{customer}'.");

    public partial Task<string> PageTeamAsync(string team, string message, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"[page] {team}: {message}");
        return Task.FromResult($"paged {team}");
    }
}
