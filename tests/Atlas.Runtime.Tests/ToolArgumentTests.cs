using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests;

/// <summary>A declared tool's arguments are checked against its parameters' JSON schema before it runs.</summary>
public sealed class ToolArgumentTests
{
    // What generated code and the CLI give a tool declared `tool lookup_order(order_id: string, quantity: int?) -> string`.
    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "order_id": { "type": "string" },
            "quantity": { "type": ["integer", "null"] }
          },
          "required": ["order_id"],
          "additionalProperties": false
        }
        """;

    public static TheoryData<string, string> BadArguments() => new()
    {
        { """{"order_id": 7}""", "argument 'order_id': Value is \"integer\" but should be \"string\"" },
        { """{"order_id": "A-1", "quantity": "two"}""", "argument 'quantity'" },
        { """{"quantity": 2}""", "missing required argument 'order_id'" },
        { """{"order_id": "A-1", "colour": "red"}""", "argument 'colour' is not a parameter of the tool" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task ModelToolCall_ArgumentsDoNotFit_ModelGetsAnErrorNamingTheArgumentAndTheToolDoesNotRun(string arguments, string named)
    {
        var tool = new DeclaredTool("lookup_order", Schema);
        var model = new OneToolCallClient("lookup_order", () => JsonSerializer.Deserialize<Dictionary<string, object?>>(arguments)!);
        await using var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["model"] = model;
            o.Tools["lookup_order"] = tool;
        });
        var agent = new AgentDescriptor("support", [], "string", null, "model", TestSupport.Template("where is my order?"), Tools: ["lookup_order"]);

        var reply = (await runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None))!.GetValue<string>();

        Assert.Empty(tool.Calls);
        Assert.StartsWith("tool said: Error: invalid arguments for tool 'lookup_order': ", reply);
        Assert.Contains(named, reply);
    }

    [Fact]
    public async Task ModelToolCall_ArgumentsFit_TheToolRuns()
    {
        var tool = new DeclaredTool("lookup_order", Schema);
        var model = new OneToolCallClient("lookup_order", () => JsonSerializer.Deserialize<Dictionary<string, object?>>("""{"order_id": "A-1", "quantity": null}""")!);
        await using var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["model"] = model;
            o.Tools["lookup_order"] = tool;
        });
        var agent = new AgentDescriptor("support", [], "string", null, "model", TestSupport.Template("where is my order?"), Tools: ["lookup_order"]);

        var reply = (await runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None))!.GetValue<string>();

        Assert.Equal(["A-1"], tool.Calls);
        Assert.Equal("tool said: order A-1 shipped", reply);
    }

    [Fact]
    public async Task InvokeTool_ArgumentsFit_ReturnsTheResultAsJson()
    {
        var tool = new DeclaredTool("lookup_order", Schema);
        await using var runtime = TestSupport.Runtime(o => o.Tools["lookup_order"] = tool);

        var result = await runtime.InvokeToolAsync("lookup_order", TestSupport.Args(("order_id", "A-9")), CancellationToken.None);

        Assert.Equal("order A-9 shipped", result!.GetValue<string>());
    }

    [Fact]
    public async Task InvokeTool_ArgumentOfTheWrongType_ThrowsNamingTheToolAndArgument()
    {
        var tool = new DeclaredTool("lookup_order", Schema);
        await using var runtime = TestSupport.Runtime(o => o.Tools["lookup_order"] = tool);

        var error = await Assert.ThrowsAsync<AtlasToolException>(() => runtime.InvokeToolAsync("lookup_order", TestSupport.Args(("order_id", 42)), CancellationToken.None));

        Assert.Empty(tool.Calls);
        Assert.Equal("lookup_order", error.Tool);
        Assert.StartsWith("invalid arguments for tool 'lookup_order': argument 'order_id': ", error.Message);
    }

    [Fact]
    public async Task InvokeTool_NoImplementation_ThrowsNamingTheTool()
    {
        await using var runtime = TestSupport.Runtime();

        var error = await Assert.ThrowsAsync<AtlasToolException>(() => runtime.InvokeToolAsync("lookup_order", TestSupport.Args(("order_id", "A-1")), CancellationToken.None));

        Assert.Equal("tool 'lookup_order' has no implementation (AtlasRuntimeOptions.Tools has no entry 'lookup_order')", error.Message);
    }

    /// <summary>A tool with a declared schema, as generated code registers one; records its calls.</summary>
    private sealed class DeclaredTool(string name, string schema) : AIFunction
    {
        private readonly JsonElement _schema = JsonDocument.Parse(schema).RootElement.Clone();

        public ConcurrentQueue<string> Calls { get; } = new();

        public override string Name => name;

        public override JsonElement JsonSchema => _schema;

        protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            var orderId = ((JsonElement)arguments["order_id"]!).GetString()!;
            Calls.Enqueue(orderId);
            return ValueTask.FromResult<object?>($"order {orderId} shipped");
        }
    }
}
