using System;
using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler.Lowering;
using Atlas.Compiler.Model;
using Atlas.Runtime;
using ChunkingStrategy = Atlas.Compiler.Model.ChunkingStrategy;
using ProviderKind = Atlas.Compiler.Model.ProviderKind;
using RouteStrategy = Atlas.Compiler.Model.RouteStrategy;
using SearchMode = Atlas.Compiler.Model.SearchMode;
using StoreKind = Atlas.Compiler.Model.StoreKind;

namespace Atlas.Interpreter;

/// <summary>
/// The bound model's declarations as the runtime's descriptors: the same values generated code
/// writes as static fields (kinds and strategies as the runtime's enum members, capabilities as
/// bound, templates segment for segment, a JSON schema for each structured result).
/// </summary>
/// <remarks>Stateless and thread-safe. <see cref="AtlasProgram.AddDeclarationsTo"/> adds them all to a runtime's options.</remarks>
public static class Descriptors
{
    /// <summary>A declared provider as the runtime's descriptor.</summary>
    /// <param name="provider">The bound provider.</param>
    /// <returns>The descriptor generated code declares for it.</returns>
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

    /// <summary>A declared route as the runtime's descriptor.</summary>
    /// <param name="route">The bound route.</param>
    /// <returns>The descriptor generated code declares for it.</returns>
    public static RouteDescriptor Route(RouteModel route) => new(
        route.Name,
        RuntimeStrategy(route.Strategy),
        route.Use.ToArray(),
        Require: route.Require.Count == 0 ? null : route.Require.ToArray(),
        Retry: route.Retry,
        Timeout: route.TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
        Cache: Cache(route.Cache));

    /// <summary>A declared knowledge base as the runtime's descriptor; its relative paths start at the runtime's base directory.</summary>
    /// <param name="knowledge">The bound knowledge base.</param>
    /// <returns>The descriptor generated code declares for it.</returns>
    public static KnowledgeDescriptor Knowledge(KnowledgeModel knowledge) => new(
        knowledge.Name,
        knowledge.Sources.ToArray(),
        RuntimeChunking(knowledge.Chunking.Strategy),
        knowledge.Chunking.Size,
        knowledge.Chunking.Overlap,
        knowledge.Embedder,
        RuntimeStore(knowledge.Store.Kind),
        knowledge.Store.Target);

    /// <summary>An MCP server; it runs in the runtime's base directory (the .atlas file's folder).</summary>
    /// <param name="server">The bound MCP server.</param>
    /// <returns>The descriptor generated code declares for it.</returns>
    public static McpDescriptor Mcp(McpModel server) => new(server.Name, server.Command, server.Arguments.ToArray());

    /// <summary>
    /// An agent as its plan settles it: text or structured (with the result's schema), and, when it is a delegate,
    /// its parameters' schema. Its delegates' descriptors come from <paramref name="delegateDescriptor"/>.
    /// </summary>
    internal static AgentDescriptor Agent(AgentPlan plan, Func<string, AgentDescriptor> delegateDescriptor)
    {
        var agent = plan.Agent;
        return new(
        agent.Name,
        agent.Parameters.Select(p => new ParameterDescriptor(p.Name, p.Type.ToString())).ToArray(),
        agent.Returns.ToString(),
        plan.ResultSchema,
        agent.Model,
        Template(agent.Prompt),
        Instructions: agent.Instructions is { } instructions ? Template(instructions) : null,
        Temperature: agent.Temperature,
        MaxTokens: agent.MaxTokens,
        Tools: agent.Tools.Count == 0 ? null : agent.Tools.ToArray(),
        Delegates: agent.Delegates.Count == 0 ? null : agent.Delegates.Select(delegateDescriptor).ToArray(),
        ParametersSchema: plan.ParametersSchema,
        MaxDepth: agent.MaxDepth,
        Budget: Budget(agent.Budget),
        MaxToolCalls: agent.MaxToolCalls,
        Cache: Cache(agent.Cache));
    }

    /// <summary>A human as its plan settles it: its answer's schema (null for a <c>string</c>), prompt and timeout.</summary>
    /// <param name="plan">The lowered human.</param>
    /// <returns>The descriptor generated code declares for it.</returns>
    internal static HumanDescriptor Human(HumanPlan plan)
    {
        var human = plan.Human;
        return new(
            human.Name,
            human.Parameters.Select(p => new ParameterDescriptor(p.Name, p.Type.ToString())).ToArray(),
            human.Returns.ToString(),
            plan.ResultSchema,
            Template(human.Prompt),
            human.TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null);
    }

    /// <summary>An agent's or a route's <c>cache</c>; null for none.</summary>
    internal static CacheDescriptor? Cache(CacheModel? cache) =>
        cache is null ? null : new CacheDescriptor(cache.TtlMs is { } ttl ? TimeSpan.FromMilliseconds(ttl) : null);

    /// <summary>The budget as bound: the dollar limit is the model's decimal, as generated code writes it.</summary>
    internal static BudgetDescriptor? Budget(BudgetModel? budget) => budget is null ? null : new BudgetDescriptor(budget.Usd, budget.Tokens);

    internal static PromptTemplate Template(TemplateModel template) => new(Segments(template.Parts));

    /// <summary>The model's kind as the runtime's, member for member: the runtime reads no spelling.</summary>
    internal static Atlas.Runtime.ProviderKind RuntimeKind(ProviderKind kind) => kind switch
    {
        ProviderKind.OpenAI => Atlas.Runtime.ProviderKind.OpenAI,
        ProviderKind.Anthropic => Atlas.Runtime.ProviderKind.Anthropic,
        ProviderKind.Ollama => Atlas.Runtime.ProviderKind.Ollama,
        ProviderKind.OpenAICompatible => Atlas.Runtime.ProviderKind.OpenAICompatible,
        _ => Atlas.Runtime.ProviderKind.Mock,
    };

    /// <summary>The model's strategy as the runtime's, member for member: the runtime reads no spelling.</summary>
    internal static Atlas.Runtime.RouteStrategy RuntimeStrategy(RouteStrategy strategy) => strategy switch
    {
        RouteStrategy.RoundRobin => Atlas.Runtime.RouteStrategy.RoundRobin,
        RouteStrategy.Cheapest => Atlas.Runtime.RouteStrategy.Cheapest,
        RouteStrategy.Fastest => Atlas.Runtime.RouteStrategy.Fastest,
        _ => Atlas.Runtime.RouteStrategy.Fallback,
    };

    /// <summary>The model's search mode as the runtime's, member for member.</summary>
    internal static Atlas.Runtime.SearchMode RuntimeMode(SearchMode mode) => mode switch
    {
        SearchMode.Vector => Atlas.Runtime.SearchMode.Vector,
        SearchMode.Keyword => Atlas.Runtime.SearchMode.Keyword,
        _ => Atlas.Runtime.SearchMode.Hybrid,
    };

    /// <summary>The model's chunking strategy as the runtime's, member for member.</summary>
    internal static Atlas.Runtime.ChunkingStrategy RuntimeChunking(ChunkingStrategy strategy) => strategy switch
    {
        ChunkingStrategy.Fixed => Atlas.Runtime.ChunkingStrategy.Fixed,
        ChunkingStrategy.Markdown => Atlas.Runtime.ChunkingStrategy.Markdown,
        _ => Atlas.Runtime.ChunkingStrategy.Recursive,
    };

    /// <summary>The model's store kind as the runtime's, member for member.</summary>
    internal static Atlas.Runtime.StoreKind RuntimeStore(StoreKind kind) => kind switch
    {
        StoreKind.Chroma => Atlas.Runtime.StoreKind.Chroma,
        _ => Atlas.Runtime.StoreKind.Sqlite,
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
