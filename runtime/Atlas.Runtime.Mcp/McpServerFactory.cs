namespace Atlas.Runtime;

/// <summary>Each declared MCP server as a <see cref="McpServerConnection"/>: started over stdio on first use. Stateless, so thread-safe.</summary>
internal sealed class McpServerFactory : IMcpServerFactory
{
    public static readonly McpServerFactory Instance = new();

    public IToolSource Create(McpDescriptor server, string baseDirectory) => new McpServerConnection(server, baseDirectory);
}
