using Atlas.Runtime;

namespace Atlas.Cli;

/// <summary>
/// <c>atlas</c> ships every runtime package: each runtime (and each provider embedder) it makes can reach every provider
/// kind an .atlas file may declare and start MCP servers, as generated code can once its project references the packages.
/// </summary>
internal static class CliRuntimePackages
{
    /// <summary>Registers every provider kind's client (OpenAI, Anthropic, Ollama) and the MCP client with <paramref name="options"/>.</summary>
    public static AtlasRuntimeOptions UseEveryPackage(this AtlasRuntimeOptions options) =>
        options.UseOpenAI().UseAnthropic().UseOllama().UseMcp();
}
