using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Atlas.Compiler.Lowering;
using Atlas.Compiler.Model;
using Atlas.Runtime;
using ProviderKind = Atlas.Compiler.Model.ProviderKind;
using RouteStrategy = Atlas.Compiler.Model.RouteStrategy;

namespace Atlas.Cli.Interpreter;

/// <summary>
/// The bound model's declarations as the runtime's descriptors: the same values generated code
/// writes as static fields (kinds and strategies as the runtime's enum members, capabilities as
/// bound, templates segment for segment, a JSON schema for each structured result).
/// </summary>
internal static class Descriptors
{
    public static ProviderDescriptor Provider(ProviderModel provider) => new(
        provider.Name,
        RuntimeKind(provider.Kind),
        Model: provider.Model,
        Endpoint: provider.Endpoint,
        ApiKeyVariable: provider.ApiKeyVariable,
        Capabilities: provider.Capabilities.ToArray(),
        InputCostPerMillion: provider.Cost?.InputPerMillion,
        OutputCostPerMillion: provider.Cost?.OutputPerMillion,
        Latency: provider.LatencyMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
        MaxConcurrency: provider.MaxConcurrency,
        EmbeddingModel: provider.EmbeddingModel,
        Timeout: provider.TimeoutMs is { } timeout ? TimeSpan.FromMilliseconds(timeout) : null);

    public static RouteDescriptor Route(RouteModel route) => new(
        route.Name,
        RuntimeStrategy(route.Strategy),
        route.Use.ToArray(),
        Require: route.Require.Count == 0 ? null : route.Require.ToArray(),
        Retry: route.Retry,
        Timeout: route.TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null);

    public static KnowledgeDescriptor Knowledge(KnowledgeModel knowledge) => new(
        knowledge.Name,
        knowledge.Sources.ToArray(),
        knowledge.Chunking.Strategy.ToString().ToLowerInvariant(),
        knowledge.Chunking.Size,
        knowledge.Chunking.Overlap,
        knowledge.Embedder,
        knowledge.Store.Kind.ToString().ToLowerInvariant(),
        knowledge.Store.Target);

    /// <summary>An MCP server; it runs in the runtime's base directory (the .atlas file's folder).</summary>
    public static McpDescriptor Mcp(McpModel server) => new(server.Name, server.Command, server.Arguments.ToArray());

    /// <summary>
    /// An agent; a <c>string</c> result is text (no schema), anything else is structured. Its delegates
    /// come from <paramref name="delegateDescriptor"/>; a delegate (<paramref name="isDelegate"/>) carries its parameters' schema.
    /// </summary>
    public static AgentDescriptor Agent(AgentModel agent, JsonSchemas schemas, bool isDelegate, Func<string, AgentDescriptor> delegateDescriptor) => new(
        agent.Name,
        agent.Parameters.Select(p => new ParameterDescriptor(p.Name, p.Type.ToString())).ToArray(),
        agent.Returns.ToString(),
        IsText(agent.Returns) ? null : schemas.For(agent.Returns),
        agent.Model,
        Template(agent.Prompt),
        Instructions: agent.Instructions is { } instructions ? Template(instructions) : null,
        Temperature: agent.Temperature,
        MaxTokens: agent.MaxTokens,
        Tools: agent.Tools.Count == 0 ? null : agent.Tools.ToArray(),
        Delegates: agent.Delegates.Count == 0 ? null : agent.Delegates.Select(delegateDescriptor).ToArray(),
        ParametersSchema: isDelegate ? schemas.ForParameters(agent.Parameters) : null,
        MaxDepth: agent.MaxDepth,
        Budget: Budget(agent.Budget),
        MaxToolCalls: agent.MaxToolCalls);

    /// <summary>As generated code writes it: the dollar limit through its shortest round-trip text, so both sides hold the same decimal.</summary>
    public static BudgetDescriptor? Budget(BudgetModel? budget) => budget is null
        ? null
        : new BudgetDescriptor(
            budget.Usd is { } usd ? decimal.Parse(usd.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture) : null,
            budget.Tokens);

    public static bool IsText(TypeRef type) => type.Kind == TypeKind.String && !type.IsList;

    public static PromptTemplate Template(TemplateModel template) => new(Segments(template.Parts));

    /// <summary>The model's kind as the runtime's, member for member: the runtime reads no spelling.</summary>
    public static Atlas.Runtime.ProviderKind RuntimeKind(ProviderKind kind) => kind switch
    {
        ProviderKind.OpenAI => Atlas.Runtime.ProviderKind.OpenAI,
        ProviderKind.Anthropic => Atlas.Runtime.ProviderKind.Anthropic,
        ProviderKind.Ollama => Atlas.Runtime.ProviderKind.Ollama,
        ProviderKind.OpenAICompatible => Atlas.Runtime.ProviderKind.OpenAICompatible,
        _ => Atlas.Runtime.ProviderKind.Mock,
    };

    /// <summary>The kind's .atlas spelling, for display.</summary>
    public static string Kind(ProviderKind kind) => kind switch
    {
        ProviderKind.OpenAI => "openai",
        ProviderKind.Anthropic => "anthropic",
        ProviderKind.Ollama => "ollama",
        ProviderKind.OpenAICompatible => "openai_compatible",
        _ => "mock",
    };

    /// <summary>The model's strategy as the runtime's, member for member: the runtime reads no spelling.</summary>
    public static Atlas.Runtime.RouteStrategy RuntimeStrategy(RouteStrategy strategy) => strategy switch
    {
        RouteStrategy.RoundRobin => Atlas.Runtime.RouteStrategy.RoundRobin,
        RouteStrategy.Cheapest => Atlas.Runtime.RouteStrategy.Cheapest,
        RouteStrategy.Fastest => Atlas.Runtime.RouteStrategy.Fastest,
        _ => Atlas.Runtime.RouteStrategy.Fallback,
    };

    /// <summary>The strategy's .atlas spelling, for display.</summary>
    public static string Strategy(RouteStrategy strategy) => strategy switch
    {
        RouteStrategy.RoundRobin => "round_robin",
        RouteStrategy.Cheapest => "cheapest",
        RouteStrategy.Fastest => "fastest",
        _ => "fallback",
    };

    public static string Mode(SearchMode mode) => mode switch
    {
        SearchMode.Vector => "vector",
        SearchMode.Keyword => "keyword",
        _ => "hybrid",
    };

    private static IReadOnlyList<TemplateSegment> Segments(IReadOnlyList<TemplatePart> parts)
    {
        var segments = new List<TemplateSegment>(parts.Count);
        foreach (var part in parts)
        {
            segments.Add(part switch
            {
                TextPart text => new TextSegment(text.Text),
                PathPart path => new PathSegment(path.Path.ToArray()),
                ForPart loop => new LoopSegment(loop.Variable, loop.Source.ToArray(), Segments(loop.Body)),
                _ => throw new InvalidOperationException($"Unknown template part {part.GetType().Name}."),
            });
        }

        return segments;
    }
}
