using Atlas.Runtime;

namespace Atlas.Equivalence.Tests.TestSupport;

/// <summary>
/// The one offline setup both sides get: no environment variable is visible (so no API key), every
/// remote provider without a key variable (Ollama) gets one that is never set, and relative paths
/// start at the project's folder; no MCP server is started. Routes then fall through to <c>mock</c> on any machine.
/// </summary>
/// <remarks>The same rule as the CLI tests' <c>Cli.MakeRemoteProvidersUnavailable</c>.</remarks>
internal static class Offline
{
    /// <param name="baseDirectory">Where relative paths start; <see langword="null"/> leaves what the side sets itself (generated code: its Atlas files' folder).</param>
    public static Action<AtlasRuntimeOptions> Configure(string? baseDirectory) => options =>
    {
        if (baseDirectory is not null) options.BaseDirectory = baseDirectory;
        options.GetEnvironmentVariable = _ => null;
        options.McpServers.Clear(); // the examples' servers run through npx, which reaches the npm registry
        for (var i = 0; i < options.Providers.Count; i++)
        {
            var provider = options.Providers[i];
            if (provider.Kind != ProviderKind.Mock && provider.ApiKeyVariable is null)
                options.Providers[i] = provider with { ApiKeyVariable = "ATLAS_TESTS_NO_NETWORK" };
        }
    };
}
