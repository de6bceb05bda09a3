using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

// Tools: the declared ones (AtlasRuntimeOptions.Tools, arguments validated against their schema)
// and those of the MCP servers (started on first use, stopped with the runtime).
public sealed partial class AtlasRuntime
{
    private readonly ToolArgumentValidator _toolArguments = new();
    private readonly ConcurrentDictionary<string, AIFunction> _validatedTools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, McpServerConnection> _mcpServers = new(StringComparer.Ordinal);

    /// <summary>The declared MCP servers by name.</summary>
    public IReadOnlyCollection<string> McpServerNames => _mcpServers.Keys;

    /// <summary>
    /// Calls the declared tool <paramref name="tool"/> directly (a workflow step that calls a tool), after checking
    /// <paramref name="arguments"/> against its parameters' schema. The result is the tool's value as JSON.
    /// </summary>
    /// <param name="tool">The tool's declared name.</param>
    /// <param name="arguments">Its arguments as JSON values, by parameter name as declared.</param>
    /// <param name="cancellationToken">Passed to the tool.</param>
    /// <returns>The tool's result serialized to JSON; <see langword="null"/> for a tool that returns nothing.</returns>
    /// <exception cref="AtlasToolException">No implementation is registered, or the arguments don't fit the parameters.</exception>
    public async Task<JsonNode?> InvokeToolAsync(string tool, IReadOnlyDictionary<string, JsonNode?> arguments, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tool);
        ArgumentNullException.ThrowIfNull(arguments);
        if (!_options.Tools.TryGetValue(tool, out var function))
        {
            throw new AtlasToolException(tool, $"tool '{tool}' has no implementation (AtlasRuntimeOptions.Tools has no entry '{tool}')");
        }

        var values = new AIFunctionArguments(arguments.ToDictionary(a => a.Key, a => (object?)(a.Value is null ? null : JsonSerializer.SerializeToElement(a.Value, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonNode))))));
        if (_toolArguments.Validate(function.JsonSchema, values) is { } problems)
        {
            throw new AtlasToolException(tool, ToolErrors.InvalidArguments(tool, problems));
        }

        var result = await function.InvokeAsync(values, cancellationToken).ConfigureAwait(false);
        return result switch
        {
            null => null,
            JsonNode node => node,
            JsonElement element => JsonNode.Parse(element.GetRawText()),
            _ => JsonSerializer.SerializeToNode(result, AIJsonUtilities.DefaultOptions.GetTypeInfo(result.GetType())),
        };
    }

    private void InitializeTools(AtlasRuntimeOptions options)
    {
        foreach (var server in options.McpServers)
        {
            if (_mcpServers.ContainsKey(server.Name) || options.Tools.ContainsKey(server.Name))
            {
                throw new ArgumentException($"MCP server '{server.Name}' has the name of another MCP server or tool.", nameof(options));
            }

            _mcpServers[server.Name] = new McpServerConnection(server, options.BaseDirectory);
        }
    }

    /// <summary>
    /// What the agent's model may call: each listed declared tool (its arguments validated first) and every tool of
    /// each listed MCP server (started now if it is not running). A name
    /// with nothing registered under it is not offered.
    /// </summary>
    /// <exception cref="McpServerException">A listed MCP server could not be started.</exception>
    private async ValueTask<IReadOnlyList<AITool>> ResolveToolsAsync(AgentDescriptor agent, CancellationToken cancellationToken)
    {
        if (agent.Tools is not { Count: > 0 } names)
        {
            return NoTools;
        }

        var tools = new List<AITool>();
        var offeredBy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (_options.Tools.TryGetValue(name, out var function))
            {
                Offer(_validatedTools.GetOrAdd(name, _ => new ValidatedTool(function, _toolArguments)), $"tool '{name}'");
            }
            else if (_mcpServers.TryGetValue(name, out var server))
            {
                foreach (var tool in await server.GetToolsAsync(cancellationToken).ConfigureAwait(false)) Offer(tool, $"mcp '{name}'");
            }
        }

        return tools;

        void Offer(AITool tool, string source)
        {
            // The model calls tools by name: two of one name would make its calls ambiguous.
            if (offeredBy.TryGetValue(tool.Name, out var other))
            {
                throw new InvalidOperationException($"agent '{agent.Name}' is offered two tools named '{tool.Name}' (from {other} and {source}); list only one of them");
            }

            offeredBy[tool.Name] = source;
            tools.Add(tool);
        }
    }

    private async ValueTask DisposeToolsAsync()
    {
        foreach (var server in _mcpServers.Values)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
