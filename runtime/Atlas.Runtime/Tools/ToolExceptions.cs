using System;

namespace Atlas.Runtime;

/// <summary>A declared tool could not be called: it has no implementation, or its arguments don't fit its parameters.</summary>
public sealed class AtlasToolException(string tool, string message) : Exception(message)
{
    /// <summary>The declared tool's name.</summary>
    public string Tool { get; } = tool;
}

/// <summary>An <c>mcp</c> server could not be started, did not complete the MCP handshake, or could not list its tools.</summary>
public sealed class McpServerException(string server, string commandLine, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The name of the <c>mcp</c> block.</summary>
    public string Server { get; } = server;

    /// <summary>The command and its arguments, as one line.</summary>
    public string CommandLine { get; } = commandLine;
}
