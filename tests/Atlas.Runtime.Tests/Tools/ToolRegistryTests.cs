using System;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests.Tools;

public class ToolRegistryTests
{
    [Fact]
    public async Task ToolRegistry_InvokesADeclaredTool_WithItsArgumentsChecked_ItsResultAsJson()
    {
        await using var registry = new ToolRegistry(Options());

        var result = await registry.InvokeAsync("lookup_order", TestSupport.Args(("order_id", JsonValue.Create("A-17"))), CancellationToken.None);
        Assert.Equal("order A-17 shipped", result!.GetValue<string>());

        var wrong = await Assert.ThrowsAsync<AtlasToolException>(() => registry.InvokeAsync("lookup_order", TestSupport.Args(("order_id", JsonValue.Create(17))), CancellationToken.None));
        Assert.Equal("lookup_order", wrong.Tool);

        var missing = await Assert.ThrowsAsync<AtlasToolException>(() => registry.InvokeAsync("page_team", TestSupport.Args(), CancellationToken.None));
        Assert.Equal("tool 'page_team' has no implementation (AtlasRuntimeOptions.Tools has no entry 'page_team')", missing.Message);
    }

    [Fact]
    public async Task ToolRegistry_Resolve_OffersTheAgentsDeclaredTools_CheckedOnce_AndSkipsNamesWithNothingBehindThem()
    {
        await using var registry = new ToolRegistry(Options());
        var agent = Agent("lookup_order", "not_registered");

        var first = await registry.ResolveAsync(agent, CancellationToken.None);
        var second = await registry.ResolveAsync(agent, CancellationToken.None);

        var tool = Assert.Single(first);
        Assert.Equal("lookup_order", tool.Name);
        Assert.IsType<ValidatedTool>(tool);
        Assert.Same(tool, Assert.Single(second));
        Assert.Empty(await registry.ResolveAsync(Agent(), CancellationToken.None));
    }

    [Fact]
    public void ToolRegistry_AnMcpServerNamedLikeATool_IsRefused()
    {
        var options = Options();
        options.McpServers.Add(new McpDescriptor("lookup_order", "node", ["server.js"]));

        var error = Assert.Throws<ArgumentException>(() => new ToolRegistry(options));

        Assert.StartsWith("MCP server 'lookup_order' has the name of another MCP server or tool.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolRegistry_AnMcpServer_WithoutAnMcpClient_FailsTheAgentsTools_NamingThePackage()
    {
        var options = Options();
        options.McpServers.Add(new McpDescriptor("files", "npx", ["mcp-server-filesystem", "."]));
        await using var registry = new ToolRegistry(options);

        var error = await Assert.ThrowsAsync<McpServerException>(async () => await registry.ResolveAsync(Agent("files"), CancellationToken.None));

        Assert.Equal(("files", "npx mcp-server-filesystem ."), (error.Server, error.CommandLine));
        Assert.Equal("mcp 'files': mcp servers need Atlas.Runtime.Mcp: reference it and call options.UseMcp() (generated AddAtlas() does for what the .atlas files declare)", error.Message);
    }

    private static AtlasRuntimeOptions Options()
    {
        var options = new AtlasRuntimeOptions();
        options.Tools["lookup_order"] = AIFunctionFactory.Create((string order_id) => $"order {order_id} shipped", "lookup_order");
        return options;
    }

    private static AgentDescriptor Agent(params string[] tools) =>
        new("support", [], "string", null, "offline", TestSupport.Template("hi"), Tools: tools.Length == 0 ? null : tools);
}
