using System;
using System.Linq;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Dispatch;

/// <summary>
/// Runs the generated <see cref="DispatchWorkflow"/> on one request, shows who the dispatcher
/// asked for what (on stderr), and prints the typed resolution as JSON.
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

        await foreach (var atlasEvent in workflow.RunStreamingAsync(request))
        {
            switch (atlasEvent)
            {
                case DelegationStarted started:
                    Console.Error.WriteLine($"{started.From} -> {started.To} {started.Arguments}");
                    break;
                case ToolCalled tool:
                    Console.Error.WriteLine($"{tool.Agent} called {tool.Tool} {tool.Arguments}");
                    break;
            }
        }

        Resolution resolution = await workflow.RunAsync(request);

        // The generated resolver writes the names as declared in the .atlas file.
        var pretty = new JsonSerializerOptions(AtlasJson.Options) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        Console.WriteLine(JsonSerializer.Serialize(resolution, pretty));
    }
}

/// <summary>The C# side of the `lookup_account` tool declared in dispatch.atlas (offline: a fixed directory).</summary>
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
}
