using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// Runs agents: renders their instructions and prompt, sends the requests of each call through the agent's route (or
/// provider), runs the tool loop (declared tools, MCP tools, delegates), validates a structured result and repairs it
/// once, and checks budgets after each request. The runtime's agent methods delegate here. Thread-safe: every call
/// has its own state (<see cref="AgentCall"/>, <see cref="ModelCallContext"/>).
/// </summary>
internal sealed partial class AgentRunner
{
    private static readonly AITool[] NoTools = [];
    private readonly StructuredOutput _structured = new();
    private readonly ModelRouter _router;
    private readonly ToolRegistry _tools;
    private readonly SecretRedactor _secrets;

    public AgentRunner(ModelRouter router, ToolRegistry tools, SecretRedactor secrets, TimeProvider timeProvider)
    {
        _router = router;
        _tools = tools;
        _secrets = secrets;
        TimeProvider = timeProvider;
    }

    /// <summary>The runtime's clock, for the durations of delegations.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Runs an agent once (see <see cref="AtlasRuntime.InvokeAgentAsync"/>): a JSON string for text, the validated JSON value for a structured result.</summary>
    public Task<JsonNode?> InvokeAsync(AgentDescriptor agent, IReadOnlyDictionary<string, JsonNode?> arguments, StepContext? step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(arguments);
        return InvokeCoreAsync(agent, arguments, step, onChunk: null, new AgentCall(agent, null), cancellationToken);
    }

    /// <summary>Streams an agent's text as it arrives (see <see cref="AtlasRuntime.StreamAgentAsync"/>).</summary>
    public IAsyncEnumerable<string> StreamAsync(AgentDescriptor agent, IReadOnlyDictionary<string, JsonNode?> arguments, StepContext? step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(arguments);
        return ProducedStream.ReadAsync(
            Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true }),
            (chunks, token) => InvokeCoreAsync(agent, arguments, step, chunk => chunks.TryWrite(chunk), new AgentCall(agent, null), token),
            cancellationToken);
    }

    private Task<JsonNode?> InvokeCoreAsync(AgentDescriptor agent, IReadOnlyDictionary<string, JsonNode?> arguments, StepContext? step, Action<string>? onChunk, AgentCall call, CancellationToken cancellationToken) =>
        AtlasTelemetry.Source.HasListeners()
            ? InvokeTracedAsync(agent, arguments, step, onChunk, call, cancellationToken)
            : RunAgentAsync(agent, arguments, step, onChunk, call, cancellationToken);

    /// <summary>
    /// An agent call inside its <c>invoke_agent</c> span: its requests' <c>chat</c> spans are children, and so are its
    /// tools' and delegates' <c>execute_tool</c> spans, which <see cref="FunctionInvokingChatClient"/> starts on this span's
    /// source when the current span is an <c>invoke_agent</c>.
    /// </summary>
    private async Task<JsonNode?> InvokeTracedAsync(AgentDescriptor agent, IReadOnlyDictionary<string, JsonNode?> arguments, StepContext? step, Action<string>? onChunk, AgentCall call, CancellationToken cancellationToken)
    {
        using var activity = AtlasTelemetry.Source.StartActivity($"invoke_agent {agent.Name}", ActivityKind.Internal);
        if (activity is not null)
        {
            activity.SetTag(AtlasTelemetry.Attributes.OperationName, "invoke_agent");
            activity.SetTag(AtlasTelemetry.Attributes.AgentName, agent.Name);
            if (_router.Provider(agent.Model) is { } provider)
            {
                activity.SetTag(AtlasTelemetry.Attributes.RequestModel, provider.Model);
            }
            else
            {
                activity.SetTag(AtlasTelemetry.Attributes.Route, agent.Model);
            }

            if (step is not null)
            {
                activity.SetTag(AtlasTelemetry.Attributes.RunId, step.RunId);
                activity.SetTag(AtlasTelemetry.Attributes.Step, step.Step);
            }
        }

        try
        {
            var result = await RunAgentAsync(agent, arguments, step, onChunk, call, cancellationToken).ConfigureAwait(false);
            if (activity is not null) AtlasTelemetry.SetUsage(activity, call.Usage);
            return result;
        }
        catch (Exception ex)
        {
            if (activity is not null) AtlasTelemetry.SetUsage(activity, call.Usage);
            AtlasTelemetry.Fail(activity, ex, _secrets);
            throw;
        }
    }

    private async Task<JsonNode?> RunAgentAsync(AgentDescriptor agent, IReadOnlyDictionary<string, JsonNode?> arguments, StepContext? step, Action<string>? onChunk, AgentCall call, CancellationToken cancellationToken)
    {
        var messages = new List<ChatMessage>(3);
        if (agent.Instructions is { } instructions)
        {
            messages.Add(new ChatMessage(ChatRole.System, instructions.Render(arguments)));
        }

        messages.Add(new ChatMessage(ChatRole.User, agent.Prompt.Render(arguments)));

        if (agent.ResultSchema is not { } schema)
        {
            // The reply leaves the runtime as the agent's result: a key a provider echoed in it is blanked out.
            var text = _secrets.Redact((await CallAgentModelAsync(call, messages, step, onChunk, session: null, cancellationToken).ConfigureAwait(false)).Text);
            call.CheckBudgets(step);
            return JsonValue.Create(text);
        }

        // One session for every request of the call: the repair goes to the provider that gave the invalid reply,
        // and a fallback continues after it.
        var session = new ModelSession();
        while (true)
        {
            var conversation = new List<ChatMessage>(messages);
            var reply = await CallAgentModelAsync(call, conversation, step, onChunk, session, cancellationToken).ConfigureAwait(false);
            var first = _secrets.Redact(reply.Text);
            call.CheckBudgets(step);
            if (_structured.TryParse(first, schema, out var value, out var firstError))
            {
                return value;
            }

            // One repair attempt: show the model its reply (with the tool calls that led to it) and what is wrong with it.
            conversation.AddRange(reply.Messages);
            conversation.Add(new ChatMessage(
                ChatRole.User,
                $"Your reply could not be used: {firstError}. Reply again with only the corrected JSON value for {agent.ResultTypeName}, matching the JSON schema, and nothing else."));
            var second = _secrets.Redact((await CallAgentModelAsync(call, conversation, step, onChunk, session, cancellationToken).ConfigureAwait(false)).Text);
            call.CheckBudgets(step);
            if (_structured.TryParse(second, schema, out value, out var secondError))
            {
                return value;
            }

            var invalid = $"Agent '{agent.Name}' did not return a valid {agent.ResultTypeName} after one repair attempt: {secondError} (first reply: {firstError}).";

            // A caller already has this provider's text: starting over elsewhere would repeat it.
            if (onChunk is not null || !session.Abandon(invalid))
            {
                throw new InvalidOperationException(session.Failures is { Count: > 0 } earlier
                    ? $"{invalid} Before it: {string.Join("; ", earlier)}."
                    : invalid);
            }
        }
    }

    /// <summary>One model call for an agent through its provider or route (its tool and delegation turns included); returns the reply text.</summary>
    /// <remarks>
    /// With tools (or delegates), M.E.AI's <see cref="FunctionInvokingChatClient"/> drives the turns over an
    /// <see cref="AgentModelClient"/>, so each model request of the loop is routed, retried and counted on its
    /// own: a failed request is sent again (or to the next provider) with the tool results it carried, and a
    /// tool never runs twice for one request of the model. Budgets are checked once the call is done, outside
    /// the route's retries (by the caller, after this): a budget is never retried. With a <paramref name="session"/>
    /// (a structured agent's call), its requests keep to one provider, as a tool loop's do.
    /// </remarks>
    private Task<ChatResponse> CallAgentModelAsync(AgentCall call, IReadOnlyList<ChatMessage> messages, StepContext? step, Action<string>? onChunk, ModelSession? session, CancellationToken cancellationToken)
    {
        var agent = call.Agent;

        // Most agents call no tools: one request, with no function-invocation loop around it.
        return agent.Tools is not { Count: > 0 } && agent.Delegates is not { Count: > 0 }
            ? RequestModelAsync(call, messages, CreateChatOptions(agent, NoTools, new ModelCallContext(step, call, onChunk, session)), cancellationToken)
            : CallWithToolsAsync(call, messages, step, onChunk, session, cancellationToken);
    }

    private async Task<ChatResponse> CallWithToolsAsync(AgentCall call, IReadOnlyList<ChatMessage> messages, StepContext? step, Action<string>? onChunk, ModelSession? session, CancellationToken cancellationToken)
    {
        var agent = call.Agent;
        // Before any request: an MCP server that cannot start is this call's error, named once.
        var tools = AgentFunctions.For(this, call, await _tools.ResolveAsync(agent, cancellationToken).ConfigureAwait(false), step);
        if (tools.Count == 0)
        {
            return await RequestModelAsync(call, messages, CreateChatOptions(agent, tools, new ModelCallContext(step, call, onChunk, session)), cancellationToken).ConfigureAwait(false);
        }

        // The loop's limit is the agent's max_tool_calls; AgentModelClient fails a call whose last reply still asks for tools.
        var options = CreateChatOptions(agent, tools, new ModelCallContext(step, call, onChunk, session ?? new ModelSession()));
        using var client = new AgentToolLoop(new AgentModelClient(_router.Client(agent.Model), call, step), agent.Name, tools, step) { MaximumIterationsPerRequest = MaxToolCalls(agent) };
        return await client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The tool-call rounds one call of <paramref name="agent"/> may make.</summary>
    public static int MaxToolCalls(AgentDescriptor agent) => Math.Max(1, agent.MaxToolCalls ?? AgentDescriptor.DefaultMaxToolCalls);

    /// <summary>
    /// One request to an agent's model through its provider or route (<see cref="RouteChatClient"/>: selection, retries,
    /// breaker, fallback), with the call's <see cref="ModelCallContext"/> in its options: the provider pipeline's
    /// middleware streams the reply's text to the step and to the caller, and counts its usage toward the step, the run
    /// and the agent call (and its callers).
    /// </summary>
    /// <remarks>Once a chunk of this request's reply reached the caller, it is neither retried nor sent elsewhere.</remarks>
    private Task<ChatResponse> RequestModelAsync(AgentCall call, IEnumerable<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken) =>
        _router.Client(call.Agent.Model).GetResponseAsync(messages, options, cancellationToken);

    /// <summary>The options of one agent call's requests, carrying its <see cref="ModelCallContext"/>.</summary>
    private ChatOptions CreateChatOptions(AgentDescriptor agent, IReadOnlyList<AITool> tools, ModelCallContext context)
    {
        var options = new ChatOptions
        {
            Temperature = agent.Temperature is { } t ? (float)t : null,
            MaxOutputTokens = agent.MaxTokens,
        };
        if (agent.ResultSchema is { } schema)
        {
            options.ResponseFormat = ChatResponseFormat.ForJsonSchema(_structured.SchemaElement(schema), SchemaName(agent.ResultTypeName));
        }

        if (tools.Count > 0)
        {
            options.Tools = tools.ToList();
        }

        return ModelCallContext.Attach(options, context);
    }

    /// <summary>Structured-output schema names allow letters, digits, '_' and '-' only (e.g. <c>Triage[]</c> becomes <c>Triage_</c>).</summary>
    private static string SchemaName(string typeName)
    {
        var name = SchemaNameRegex().Replace(typeName, "_");
        return name.Length == 0 ? "result" : name;
    }

    [GeneratedRegex("[^a-zA-Z0-9_-]", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaNameRegex();

    /// <summary>A delegate's run on behalf of <paramref name="call"/>'s caller (see <see cref="DelegateFunction"/>).</summary>
    public Task<JsonNode?> InvokeDelegateAsync(AgentDescriptor agent, IReadOnlyDictionary<string, JsonNode?> arguments, StepContext? step, AgentCall call, CancellationToken cancellationToken) =>
        InvokeCoreAsync(agent, arguments, step, onChunk: null, call, cancellationToken);

    /// <summary>The JSON schema of an agent's parameters, for offering it as a delegate; a minimal one when its descriptor has none.</summary>
    public JsonElement ParametersSchema(AgentDescriptor agent)
    {
        if (agent.ParametersSchema is { } schema)
        {
            return _structured.SchemaElement(schema);
        }

        var properties = new JsonObject();
        foreach (var parameter in agent.Parameters)
        {
            properties[parameter.Name] = new JsonObject { ["description"] = parameter.TypeName };
        }

        var fallback = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = new JsonArray(agent.Parameters.Where(p => !p.TypeName.EndsWith('?')).Select(p => (JsonNode)JsonValue.Create(p.Name)).ToArray()),
        };
        return _structured.SchemaElement(fallback.ToJsonString());
    }

    /// <summary>Whether a model's arguments for a delegate fit the delegate's parameters (when its descriptor has their schema).</summary>
    public bool CheckArguments(AgentDescriptor agent, JsonObject arguments, out string problem)
    {
        problem = string.Empty;
        if (agent.ParametersSchema is not { } schema || _structured.TryParse(arguments.ToJsonString(), schema, out _, out problem))
        {
            return true;
        }

        problem = problem.Replace("the reply does not match the schema: ", "", StringComparison.Ordinal);
        return false;
    }
}
