using System;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace SupportTriage;

/// <summary>Answers one support ticket with the generated <see cref="SupportWorkflow"/> and prints the typed reply as JSON.</summary>
internal static class Program
{
    public static async Task Main()
    {
        // No arguments: API keys come from the environment; without them the `smart` route uses `offline` (mock).
        // Runs are recorded in runs.db; the billing approval is asked on the console (or the run waits there for it).
        await using var services = new ServiceCollection()
            .AddAtlas(o =>
            {
                o.UseRunStore(".atlas/runs.db");
                o.HumanInput = new ConsoleApproval();
            })
            .BuildServiceProvider();

        var ticket = new Ticket(
            Id: "T-1042",
            Subject: "Charged twice this month",
            Body: "My card was billed twice for the March invoice (order A-7731). Can you refund one of the charges?");
        Reply reply;
        try
        {
            reply = await services.GetRequiredService<SupportWorkflow>().RunAsync(ticket);
        }
        catch (HumanInputRequiredException waiting)
        {
            // No console to ask on: the run waits in the store; SupportWorkflow.ResumeAsync(runId, answers) continues it.
            Console.Error.WriteLine($"run {waiting.RunId} waits at step '{waiting.Step}' for '{waiting.Human}'");
            Environment.ExitCode = 3;
            return;
        }

        // The generated resolver writes the names as declared in the .atlas file.
        var pretty = new JsonSerializerOptions(AtlasJson.Options) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        Console.WriteLine(JsonSerializer.Serialize(reply, pretty));
    }
}

/// <summary>The `approver` human step on the console: the draft is shown and the line typed is the answer.</summary>
internal sealed class ConsoleApproval : IHumanInput
{
    public Task<string?> AskAsync(HumanQuestion question, CancellationToken cancellationToken)
    {
        if (Console.IsInputRedirected) return Task.FromResult<string?>(null); // no one at the console: the run waits
        Console.Error.WriteLine(question.Problem ?? question.Prompt);
        Console.Error.Write("> ");
        return Task.FromResult(Console.ReadLine());
    }
}

/// <summary>The C# side of the `lookup_order` tool declared in support.atlas.</summary>
public sealed partial class AtlasTools
{
    public partial Task<string> LookupOrderAsync(string orderId, CancellationToken cancellationToken) =>
        Task.FromResult($"Order {orderId}: paid by card on 2025-03-01; a duplicate charge was detected and can be refunded.");
}
