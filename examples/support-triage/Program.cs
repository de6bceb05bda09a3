using System;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace SupportTriage;

/// <summary>Answers one support ticket with the generated <see cref="SupportWorkflow"/> and prints the typed reply as JSON.</summary>
internal static class Program
{
    public static async Task Main()
    {
        // No arguments: API keys come from the environment; without them the `smart` route uses `offline` (mock).
        await using var services = new ServiceCollection().AddAtlas().BuildServiceProvider();

        var ticket = new Ticket(
            Id: "T-1042",
            Subject: "Charged twice this month",
            Body: "My card was billed twice for the March invoice (order A-7731). Can you refund one of the charges?");
        Reply reply = await services.GetRequiredService<SupportWorkflow>().RunAsync(ticket);

        // The generated resolver writes the names as declared in the .atlas file.
        var pretty = new JsonSerializerOptions(AtlasJson.Options) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        Console.WriteLine(JsonSerializer.Serialize(reply, pretty));
    }
}

/// <summary>The C# side of the `lookup_order` tool declared in support.atlas.</summary>
public sealed partial class AtlasTools
{
    public partial Task<string> LookupOrderAsync(string orderId, CancellationToken cancellationToken) =>
        Task.FromResult($"Order {orderId}: paid by card on 2025-03-01; a duplicate charge was detected and can be refunded.");
}
