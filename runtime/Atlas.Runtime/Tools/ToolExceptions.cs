using System;
using System.Collections.Generic;

namespace Atlas.Runtime;

/// <summary>A declared tool could not be called: it has no implementation, or its arguments don't fit its parameters.</summary>
/// <param name="tool">The declared tool's name.</param>
/// <param name="message">What is wrong, naming the tool.</param>
public sealed class AtlasToolException(string tool, string message) : Exception(message)
{
    /// <summary>The declared tool's name.</summary>
    public string Tool { get; } = tool;
}

/// <summary>An <c>mcp</c> server could not be started, did not complete the MCP handshake, or could not list its tools.</summary>
/// <param name="server">The name of the <c>mcp</c> block.</param>
/// <param name="commandLine">The command and its arguments, as one line.</param>
/// <param name="message">What went wrong, naming the server (with the end of its standard error when it wrote any).</param>
/// <param name="inner">The exception that reported it, if any.</param>
public sealed class McpServerException(string server, string commandLine, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The name of the <c>mcp</c> block.</summary>
    public string Server { get; } = server;

    /// <summary>The command and its arguments, as one line.</summary>
    public string CommandLine { get; } = commandLine;
}

/// <summary>
/// An agent's model kept asking for tools: after <see cref="Limit"/> tool-call rounds (its <c>max_tool_calls</c>)
/// its reply still asked for more, so the call has no answer. Never retried: the same conversation would loop again.
/// </summary>
/// <param name="agent">The agent whose call hit its limit.</param>
/// <param name="limit">The tool-call rounds it was allowed.</param>
/// <param name="declared">Whether the limit was the agent's declared <c>max_tool_calls</c> rather than the default.</param>
/// <param name="requested">The tools the last reply still asked for, named in the message.</param>
public sealed class ToolCallLimitException(string agent, int limit, bool declared, IReadOnlyList<string> requested)
    : InvalidOperationException(
        $"agent '{agent}' made {limit} tool-call round{(limit == 1 ? "" : "s")}, its max_tool_calls{(declared ? "" : " (the default)")}, " +
        $"and its model still asked for more ({string.Join(", ", requested)}) instead of answering; raise max_tool_calls, or check what the tools return")
{
    /// <summary>The agent whose call hit its limit.</summary>
    public string Agent { get; } = agent;

    /// <summary>The tool-call rounds it was allowed.</summary>
    public int Limit { get; } = limit;
}
