using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// A source of tools that an agent lists by the source's name, such as an MCP server: its tools are offered to the agent's
/// model together. The runtime asks it for its tools on each call of an agent that lists it, and disposes it (stopping
/// whatever it started) with the runtime.
/// </summary>
/// <remarks>Implementations must be thread-safe: concurrent calls of many agents ask for the tools at once.</remarks>
public interface IToolSource : IAsyncDisposable
{
    /// <summary>The source's tools, starting it first if it is not running.</summary>
    /// <param name="cancellationToken">Cancels starting it or listing its tools.</param>
    /// <returns>Its tools, as the agent's model is offered them.</returns>
    /// <exception cref="McpServerException">An MCP server could not be started or could not list its tools.</exception>
    ValueTask<IReadOnlyList<AITool>> GetToolsAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Makes the tool source of each declared MCP server (<see cref="AtlasRuntimeOptions.McpServers"/>). Atlas.Runtime carries no
/// MCP client: Atlas.Runtime.Mcp sets one with <c>UseMcp()</c>, which generated <c>AddAtlas()</c> calls when a project
/// declares an <c>mcp</c> block.
/// </summary>
public interface IMcpServerFactory
{
    /// <summary>The tool source of one MCP server; it starts the server on first use, not now.</summary>
    /// <param name="server">The server as declared.</param>
    /// <param name="baseDirectory">Where its relative command and working directory start (<see cref="AtlasRuntimeOptions.BaseDirectory"/>).</param>
    /// <returns>The server's tool source; the runtime owns it and disposes it.</returns>
    IToolSource Create(McpDescriptor server, string baseDirectory);
}
