using System;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// What the model requests of one agent call carry besides their messages, for the runtime's own middleware: the step
/// they belong to (events, usage), the agent call (usage toward its budget and its callers'), who takes a reply's text
/// as it streams, and the session that keeps a tool loop's requests on one provider.
/// </summary>
/// <remarks>
/// <para>
/// It travels in <see cref="ChatOptions.AdditionalProperties"/> under <see cref="Key"/>: passed explicitly, with the
/// request, from the agent runner through the route (<see cref="RouteChatClient"/>) to <see cref="UsageChatClient"/> and
/// <see cref="TokenEventsChatClient"/>. Not an <c>AsyncLocal</c>: an async iterator resumes on its consumer's execution
/// context, so ambient state set by a caller is not reliably there in the middle of a stream; and the options' additional
/// properties are copied when <see cref="FunctionInvokingChatClient"/> or a host's middleware clones the options.
/// </para>
/// <para>
/// <see cref="TokenEventsChatClient"/>, the innermost middleware that reads it, takes it out of the options it passes on:
/// a host's middleware and the provider's client never see it (nor serialize it into a cache key or a request body).
/// </para>
/// <para>One per agent call; its requests are sent one at a time, so it is not thread-safe.</para>
/// </remarks>
internal sealed class ModelCallContext
{
    /// <summary>The key of the context in <see cref="ChatOptions.AdditionalProperties"/>.</summary>
    public const string Key = "atlas.model_call";

    public ModelCallContext(StepContext? step, AgentCall? call, Action<string>? onChunk, ModelSession? session)
    {
        Step = step;
        Call = call;
        OnChunk = onChunk;
        Session = session;

        // A delegate's text is its caller's business: only the step's own agent streams tokens to the step.
        StreamsTokens = step is { Observed: true } && call?.Parent is null;
    }

    /// <summary>The step the requests belong to: events, usage and the run's budget; <see langword="null"/> outside a run.</summary>
    public StepContext? Step { get; }

    /// <summary>The agent call: its usage, its callers' and its budgets; <see langword="null"/> for a request of no agent.</summary>
    public AgentCall? Call { get; }

    /// <summary>The caller that takes the reply's text as it streams (<c>StreamAgentAsync</c>); <see langword="null"/> for none.</summary>
    public Action<string>? OnChunk { get; }

    /// <summary>Whether the step's observer gets the reply's text as <see cref="TokenEmitted"/> events.</summary>
    public bool StreamsTokens { get; }

    /// <summary>Whether anyone takes the reply's pieces: only then is the provider asked for a stream.</summary>
    public bool WantsPieces => StreamsTokens || OnChunk is not null;

    /// <summary>
    /// The model requests of one tool loop (or of a structured agent's call and its repair): they keep to the provider
    /// that answered the last one. <see langword="null"/> for a lone request.
    /// </summary>
    public ModelSession? Session { get; }

    /// <summary>
    /// Whether a piece of the current request's reply reached <see cref="OnChunk"/>: the caller has it, so the request
    /// is neither retried nor sent elsewhere. The route clears it when a request starts.
    /// </summary>
    public bool Delivered { get; set; }

    /// <summary>The provider that answered the last request, for the run store's record of it.</summary>
    public string? AnsweredBy { get; set; }

    /// <summary>The tokens and cost of the last request's reply, for the run store's record of it.</summary>
    public Usage LastUsage { get; set; }

    /// <summary>The context <paramref name="options"/> carry, or <see langword="null"/>.</summary>
    public static ModelCallContext? Of(ChatOptions? options) =>
        options?.AdditionalProperties is { Count: > 0 } properties && properties.TryGetValue(Key, out var value) ? value as ModelCallContext : null;

    /// <summary>Options for one agent call, carrying <paramref name="context"/>.</summary>
    public static ChatOptions Attach(ChatOptions options, ModelCallContext context)
    {
        (options.AdditionalProperties ??= [])[Key] = context;
        return options;
    }

    /// <summary>
    /// <paramref name="options"/> without a context, for the middleware and the client below: a copy when they carry one
    /// (the caller's options are not changed), else the same options.
    /// </summary>
    public static ChatOptions? Detach(ChatOptions? options)
    {
        if (options?.AdditionalProperties?.ContainsKey(Key) != true)
        {
            return options;
        }

        // Clone copies the additional properties into a new dictionary: the caller's keep the context.
        var copy = options.Clone();
        copy.AdditionalProperties!.Remove(Key);
        if (copy.AdditionalProperties.Count == 0)
        {
            copy.AdditionalProperties = null;
        }

        return copy;
    }
}
