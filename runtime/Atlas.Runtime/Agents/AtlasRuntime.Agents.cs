using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

public sealed partial class AtlasRuntime
{
    private static readonly AITool[] NoTools = [];
    private readonly StructuredOutput _structured = new();

    /// <summary>Runs an agent once. Text results come back as a JSON string value; structured ones as the validated JSON object.</summary>
    /// <remarks>
    /// The instructions (system message) and prompt (user message) are rendered with
    /// <paramref name="arguments"/>. A structured result is requested with the result type's JSON
    /// schema, parsed and validated; an invalid reply gets one repair attempt on the same provider (the
    /// error is sent back). Still invalid, that counts as the provider's failure: a route falls back to its
    /// next provider (the conversation starts over there), and when none is left the call fails with an
    /// <see cref="InvalidOperationException"/> naming the agent.
    /// With a <paramref name="step"/>, the reply is streamed as <see cref="TokenEmitted"/> events and
    /// its usage and cost are added to the step.
    /// </remarks>
    /// <param name="agent">The agent to run.</param>
    /// <param name="arguments">Its arguments as JSON values, by parameter name as declared.</param>
    /// <param name="step">The step the call belongs to (for events, usage and budgets); <see langword="null"/> for a call outside any run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A JSON string for a text agent, the validated JSON value for a structured one.</returns>
    /// <exception cref="BudgetExceededException">The agent's or the run's <c>budget</c> was exceeded.</exception>
    /// <exception cref="InvalidOperationException">
    /// No provider could answer (<c>No provider of route 'smart' could answer: ...</c>, each provider's error named), or the
    /// structured reply stayed invalid.
    /// </exception>
    public Task<JsonNode?> InvokeAgentAsync(AgentDescriptor agent, IReadOnlyDictionary<string, JsonNode?> arguments, StepContext? step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(arguments);
        return InvokeCoreAsync(agent, arguments, step, onChunk: null, new AgentCall(agent, null), cancellationToken);
    }

    /// <summary>Streams a text agent's output as it arrives.</summary>
    /// <remarks>
    /// A structured agent streams its JSON text (validated once complete). Once a chunk of a model
    /// reply has been yielded, an error of that reply ends the stream with that error: there is no
    /// retry or fallback that would repeat text the caller already has. (A later request of a tool
    /// loop, none of whose text the caller has, is retried as usual.)
    /// </remarks>
    /// <param name="agent">The agent to run.</param>
    /// <param name="arguments">Its arguments as JSON values, by parameter name as declared.</param>
    /// <param name="step">The step the call belongs to (for events, usage and budgets); <see langword="null"/> for a call outside any run.</param>
    /// <param name="cancellationToken">Cancels the call and ends the enumeration.</param>
    /// <returns>The reply's text in the pieces the provider streamed; the call's errors are thrown from the enumeration.</returns>
    public async IAsyncEnumerable<string> StreamAgentAsync(AgentDescriptor agent, IReadOnlyDictionary<string, JsonNode?> arguments, StepContext? step, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(arguments);
        var chunks = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(
            async () =>
            {
                try
                {
                    await InvokeCoreAsync(agent, arguments, step, chunk => chunks.Writer.TryWrite(chunk), new AgentCall(agent, null), stop.Token).ConfigureAwait(false);
                    chunks.Writer.TryComplete();
                }
                catch (Exception ex)
                {
                    chunks.Writer.TryComplete(ex);
                }
            },
            CancellationToken.None);

        try
        {
            await foreach (var chunk in chunks.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return chunk;
            }
        }
        finally
        {
            // The consumer may stop early: end the call, and don't leave the producer running.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task<JsonNode?> InvokeCoreAsync(AgentDescriptor agent, IReadOnlyDictionary<string, JsonNode?> arguments, StepContext? step, Action<string>? onChunk, AgentCall call, CancellationToken cancellationToken)
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
            var text = Secrets.Redact((await CallAgentModelAsync(call, messages, step, onChunk, session: null, cancellationToken).ConfigureAwait(false)).Text);
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
            var first = Secrets.Redact(reply.Text);
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
            var second = Secrets.Redact((await CallAgentModelAsync(call, conversation, step, onChunk, session, cancellationToken).ConfigureAwait(false)).Text);
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
            ? RequestModelAsync(call, messages, CreateChatOptions(agent, NoTools), step, onChunk, session, cancellationToken)
            : CallWithToolsAsync(call, messages, step, onChunk, session, cancellationToken);
    }

    private async Task<ChatResponse> CallWithToolsAsync(AgentCall call, IReadOnlyList<ChatMessage> messages, StepContext? step, Action<string>? onChunk, ModelSession? session, CancellationToken cancellationToken)
    {
        var agent = call.Agent;
        // Before any request: an MCP server that cannot start is this call's error, named once.
        var tools = AgentFunctions.For(this, call, await ResolveToolsAsync(agent, cancellationToken).ConfigureAwait(false), step);
        var options = CreateChatOptions(agent, tools);
        ChatResponse response;
        if (tools.Count == 0)
        {
            response = await RequestModelAsync(call, messages, options, step, onChunk, session, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // The loop's limit is the agent's max_tool_calls; AgentModelClient fails a call whose last reply still asks for tools.
            using var client = new AgentToolLoop(new AgentModelClient(this, call, step, onChunk, session ?? new ModelSession()), agent.Name, tools, step) { MaximumIterationsPerRequest = MaxToolCalls(agent) };
            response = await client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    /// <summary>The tool-call rounds one call of <paramref name="agent"/> may make.</summary>
    private static int MaxToolCalls(AgentDescriptor agent) => Math.Max(1, agent.MaxToolCalls ?? AgentDescriptor.DefaultMaxToolCalls);

    /// <summary>Only a `cheapest` route needs the prompt's token estimate: no one else pays for counting it.</summary>
    private bool RanksByCost(string model) => _routes.TryGetValue(model, out var route) && route.Strategy == RouteStrategy.Cheapest;

    /// <summary>
    /// One request to an agent's model through its provider or route (selection, retries, breaker, fallback);
    /// the usage of its answer counts toward the step, the run and the agent call (and its callers).
    /// </summary>
    /// <remarks>Once a chunk of this request's reply reached <paramref name="onChunk"/>, it is neither retried nor sent elsewhere.</remarks>
    private Task<ChatResponse> RequestModelAsync(AgentCall call, IEnumerable<ChatMessage> messages, ChatOptions options, StepContext? step, Action<string>? onChunk, ModelSession? session, CancellationToken cancellationToken)
    {
        var delivered = false;

        // A delegate's text is its caller's business: only the step's own agent streams tokens to the step.
        var streamsTokens = step is { Observed: true } && call.Parent is null;
        return CallModelAsync(
            call.Agent.Model,
            step,
            async (provider, ct) =>
            {
                var client = provider.Client!;
                ChatResponse response;
                // Stream only when someone takes the pieces: the caller, or an observer of the step's events.
                if (!streamsTokens && onChunk is null)
                {
                    response = await client.GetResponseAsync(messages, options, ct).ConfigureAwait(false);
                    ToolCallArguments.KeepRawText(response, null);
                }
                else
                {
                    var updates = new List<ChatResponseUpdate>();

                    // A provider may echo a key, split across two pieces: no piece leaves with part of one.
                    var redactor = Secrets.StartStream();
                    await foreach (var update in client.GetStreamingResponseAsync(messages, options, ct).ConfigureAwait(false))
                    {
                        updates.Add(update);
                        var text = update.Text;
                        if (text.Length > 0)
                        {
                            Deliver(redactor is null ? text : redactor.Push(text));
                        }
                    }

                    if (redactor is not null)
                    {
                        Deliver(redactor.Flush());
                    }

                    response = updates.ToChatResponse();

                    void Deliver(string text)
                    {
                        if (text.Length == 0)
                        {
                            return;
                        }

                        if (streamsTokens)
                        {
                            step!.Emit(new TokenEmitted(step.RunId, step.Step, step.Run.Now, text));
                        }

                        if (onChunk is not null)
                        {
                            onChunk(text);
                            delivered = true;
                        }
                    }
                    ToolCallArguments.KeepRawText(response, updates);
                }

                var usage = UsageOf(provider, messages, response);
                step?.AddUsage(usage);
                call.AddUsage(usage);
                return response;
            },
            onChunk is null ? null : () => delivered,
            cancellationToken,
            session is { Plan: not null } || !RanksByCost(call.Agent.Model) ? null : new CallEstimate(MockChatClient.EstimateTokens(messages.Sum(m => m.Text.Length)), call.Agent.MaxTokens),
            session);
    }

    private ChatOptions CreateChatOptions(AgentDescriptor agent, IReadOnlyList<AITool> tools)
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

        return options;
    }

    private static Usage UsageOf(ProviderState provider, IEnumerable<ChatMessage> messages, ChatResponse response)
    {
        var input = response.Usage?.InputTokenCount ?? MockChatClient.EstimateTokens(messages.Sum(m => m.Text.Length));
        var output = response.Usage?.OutputTokenCount ?? MockChatClient.EstimateTokens(response.Text.Length);
        return provider.Price(input, output);
    }

    /// <summary>Structured-output schema names allow letters, digits, '_' and '-' only (e.g. <c>Triage[]</c> becomes <c>Triage_</c>).</summary>
    private static string SchemaName(string typeName)
    {
        var name = SchemaNameRegex().Replace(typeName, "_");
        return name.Length == 0 ? "result" : name;
    }

    [GeneratedRegex("[^a-zA-Z0-9_-]", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaNameRegex();
}
