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

/// <summary>
/// The tools of a runtime: the declared ones (<see cref="AtlasRuntimeOptions.Tools"/>, their arguments checked against
/// their schema) and those of the MCP servers (each a tool source of <see cref="AtlasRuntimeOptions.McpServerFactory"/>,
/// started on first use, stopped with the runtime). Thread-safe.
/// </summary>
internal sealed class ToolRegistry : IAsyncDisposable
{
    private static readonly AITool[] NoTools = [];
    private readonly IDictionary<string, AIFunction> _declared;
    private readonly ToolArgumentValidator _toolArguments = new();
    private readonly ConcurrentDictionary<string, AIFunction> _validatedTools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IToolSource> _mcpServers = new(StringComparer.Ordinal);

    /// <exception cref="ArgumentException">An MCP server has the name of another MCP server or of a tool.</exception>
    public ToolRegistry(AtlasRuntimeOptions options)
    {
        _declared = options.Tools;
        foreach (var server in options.McpServers)
        {
            if (_mcpServers.ContainsKey(server.Name) || options.Tools.ContainsKey(server.Name))
            {
                throw new ArgumentException($"MCP server '{server.Name}' has the name of another MCP server or tool.", nameof(options));
            }

            _mcpServers[server.Name] = options.McpServerFactory?.Create(server, options.BaseDirectory) ?? new NoMcpClient(server);
        }
    }

    /// <summary>The declared MCP servers by name.</summary>
    public IReadOnlyCollection<string> McpServerNames => _mcpServers.Keys;

    /// <summary>Calls a declared tool directly, its arguments checked first (see <see cref="AtlasRuntime.InvokeToolAsync"/>).</summary>
    public async Task<JsonNode?> InvokeAsync(string tool, IReadOnlyDictionary<string, JsonNode?> arguments, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tool);
        ArgumentNullException.ThrowIfNull(arguments);
        if (!_declared.TryGetValue(tool, out var function))
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

    /// <summary>
    /// What the agent's model may call: each listed declared tool (its arguments validated first) and every tool of
    /// each listed MCP server (started now if it is not running). A name
    /// with nothing registered under it is not offered.
    /// </summary>
    /// <exception cref="McpServerException">A listed MCP server could not be started.</exception>
    public async ValueTask<IReadOnlyList<AITool>> ResolveAsync(AgentDescriptor agent, CancellationToken cancellationToken)
    {
        if (agent.Tools is not { Count: > 0 } names)
        {
            return NoTools;
        }

        var tools = new List<AITool>();
        var offeredBy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (_declared.TryGetValue(name, out var function))
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

    /// <summary>An MCP server of a runtime that was given no MCP client: an agent that lists it fails, naming the package.</summary>
    private sealed class NoMcpClient(McpDescriptor server) : IToolSource
    {
        public ValueTask<IReadOnlyList<AITool>> GetToolsAsync(CancellationToken cancellationToken)
        {
            var commandLine = string.Join(" ", new[] { server.Command }.Concat(server.Arguments));
            throw new McpServerException(server.Name, commandLine, $"mcp '{server.Name}': {RuntimePackage.Mcp.NotRegistered()}");
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Stops the MCP servers it started, and their process trees.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var server in _mcpServers.Values)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
