// Written by hand the way Atlas's C# emitter writes agents (see its snapshot tests), for:
//
//   provider offline { kind = mock }
//   agent outline(text: string) -> string    { model = offline, prompt = "Outline this: {{text}}" }
//   agent draft(outline: string) -> string   { model = offline, prompt = "Draft a reply from: {{outline}}" }
//   agent polish(draft: string) -> string    { model = offline, prompt = "Polish: {{draft}}" }
#nullable enable

using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;

namespace Atlas.Runtime.Benchmarks.Generated;

/// <summary>The Atlas agent <c>outline(text: string) -&gt; string</c> on <c>offline</c>.</summary>
public sealed partial class OutlineAgent
{
    public static AgentDescriptor Descriptor { get; } = new(
        Name: "outline",
        Parameters: [new ParameterDescriptor("text", "string")],
        ResultTypeName: "string",
        ResultSchema: null,
        Model: "offline",
        Prompt: new PromptTemplate([
            new TextSegment("Outline this: "),
            new PathSegment(["text"]),
        ])
    );

    private readonly AtlasRuntime _runtime;

    public OutlineAgent(AtlasRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _runtime = runtime;
    }

    public async Task<string> InvokeAsync(string text, StepContext? step, CancellationToken cancellationToken = default)
    {
        JsonNode? result = await _runtime.InvokeAgentAsync(Descriptor, CreateArguments(text), step, cancellationToken).ConfigureAwait(false);
        return AtlasJson.FromNode<string>(result)
            ?? throw new JsonException("Agent outline returned null; its result is string.");
    }

    private static Dictionary<string, JsonNode?> CreateArguments(string text) => new(StringComparer.Ordinal)
    {
        ["text"] = AtlasJson.ToNode(text),
    };
}

/// <summary>The Atlas agent <c>draft(outline: string) -&gt; string</c> on <c>offline</c>.</summary>
public sealed partial class DraftAgent
{
    public static AgentDescriptor Descriptor { get; } = new(
        Name: "draft",
        Parameters: [new ParameterDescriptor("outline", "string")],
        ResultTypeName: "string",
        ResultSchema: null,
        Model: "offline",
        Prompt: new PromptTemplate([
            new TextSegment("Draft a reply from: "),
            new PathSegment(["outline"]),
        ])
    );

    private readonly AtlasRuntime _runtime;

    public DraftAgent(AtlasRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _runtime = runtime;
    }

    public async Task<string> InvokeAsync(string outline, StepContext? step, CancellationToken cancellationToken = default)
    {
        JsonNode? result = await _runtime.InvokeAgentAsync(Descriptor, CreateArguments(outline), step, cancellationToken).ConfigureAwait(false);
        return AtlasJson.FromNode<string>(result)
            ?? throw new JsonException("Agent draft returned null; its result is string.");
    }

    private static Dictionary<string, JsonNode?> CreateArguments(string outline) => new(StringComparer.Ordinal)
    {
        ["outline"] = AtlasJson.ToNode(outline),
    };
}

/// <summary>The Atlas agent <c>polish(draft: string) -&gt; string</c> on <c>offline</c>.</summary>
public sealed partial class PolishAgent
{
    public static AgentDescriptor Descriptor { get; } = new(
        Name: "polish",
        Parameters: [new ParameterDescriptor("draft", "string")],
        ResultTypeName: "string",
        ResultSchema: null,
        Model: "offline",
        Prompt: new PromptTemplate([
            new TextSegment("Polish: "),
            new PathSegment(["draft"]),
        ])
    );

    private readonly AtlasRuntime _runtime;

    public PolishAgent(AtlasRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _runtime = runtime;
    }

    public async Task<string> InvokeAsync(string draft, StepContext? step, CancellationToken cancellationToken = default)
    {
        JsonNode? result = await _runtime.InvokeAgentAsync(Descriptor, CreateArguments(draft), step, cancellationToken).ConfigureAwait(false);
        return AtlasJson.FromNode<string>(result)
            ?? throw new JsonException("Agent polish returned null; its result is string.");
    }

    private static Dictionary<string, JsonNode?> CreateArguments(string draft) => new(StringComparer.Ordinal)
    {
        ["draft"] = AtlasJson.ToNode(draft),
    };
}

/// <summary>What the emitter's AtlasJson.g.cs provides, cut down to the one type these agents use.</summary>
public static class AtlasJson
{
    public static JsonNode? ToNode(string value) => JsonValue.Create(value);

    public static T? FromNode<T>(JsonNode? node) => node is null ? default : node.GetValue<T>();
}
