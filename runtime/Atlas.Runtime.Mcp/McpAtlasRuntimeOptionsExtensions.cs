using System;

namespace Atlas.Runtime;

/// <summary>Registers the client of MCP servers with a runtime.</summary>
public static class McpAtlasRuntimeOptionsExtensions
{
    /// <summary>
    /// Makes the runtime start its declared MCP servers (<see cref="AtlasRuntimeOptions.McpServers"/>) over stdio with the
    /// ModelContextProtocol SDK, each on first use by an agent that lists it, and stop them (with their process trees) when
    /// it is disposed. Generated <c>AddAtlas()</c> calls it when a project declares an <c>mcp</c> block.
    /// </summary>
    /// <param name="options">The runtime's options.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public static AtlasRuntimeOptions UseMcp(this AtlasRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.McpServerFactory = McpServerFactory.Instance;
        return options;
    }
}
