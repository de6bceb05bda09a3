using System;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace ResearchAssistant;

/// <summary>Researches one topic with the generated <see cref="ResearchWorkflow"/> and prints the typed report as JSON.</summary>
internal static class Program
{
    public static async Task Main()
    {
        // No arguments: API keys come from the environment; without them the routes use `offline` (mock).
        await using var services = new ServiceCollection().AddAtlas().BuildServiceProvider();

        var request = new ResearchRequest(
            Topic: "How should chunk size be chosen for retrieval over internal documentation?",
            Depth: Depth.Thorough,
            Audience: "engineers new to retrieval");
        Report report = await services.GetRequiredService<ResearchWorkflow>().RunAsync(request);

        // The generated resolver writes the names as declared in the .atlas file.
        var pretty = new JsonSerializerOptions(AtlasJson.Options) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        Console.WriteLine(JsonSerializer.Serialize(report, pretty));
    }
}

/// <summary>The C# side of the `fetch_url` tool declared in research.atlas (offline: a canned page).</summary>
public sealed partial class AtlasTools
{
    public partial Task<string> FetchUrlAsync(string url, CancellationToken cancellationToken) =>
        Task.FromResult($"(offline) The page at {url} is not fetched in this example.");
}
