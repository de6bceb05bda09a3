using System;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace DocumentDigestYaml;

/// <summary>Builds the weekly digest of a few documents with the generated <see cref="DigestWorkflow"/> and prints it as JSON.</summary>
internal static class Program
{
    public static async Task Main()
    {
        // No arguments: API keys come from the environment; without them the routes use `offline` (mock).
        await using var services = new ServiceCollection().AddAtlas().BuildServiceProvider();

        Document[] documents =
        [
            new("D-1", "Q3 platform migration plan", "Priya Raman", "We move the billing service to the new cluster in two phases, starting September 2."),
            new("D-2", "Pricing page refresh", null, "The product team proposes simpler tiers and an annual discount of 15%."),
            new("D-3", "Master services agreement with Northwind", "Legal", "Contract NW-2291 renews on October 1 unless either party gives 60 days' notice."),
        ];
        Digest digest = await services.GetRequiredService<DigestWorkflow>().RunAsync(documents);

        // The generated resolver writes the names as declared in the .atlas file.
        var pretty = new JsonSerializerOptions(AtlasJson.Options) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        Console.WriteLine(JsonSerializer.Serialize(digest, pretty));
    }
}

/// <summary>The C# side of the `lookup_contract` tool declared in digest.atlas.yaml.</summary>
public sealed partial class AtlasTools
{
    public partial Task<string> LookupContractAsync(string contractId, CancellationToken cancellationToken) =>
        Task.FromResult($"Contract {contractId}: signed 2023-10-01, renews yearly, 60 days' notice to cancel.");
}
