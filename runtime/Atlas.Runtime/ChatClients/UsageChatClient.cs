using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// Counts what each answered request used, priced at its provider's rates, toward the step (and so the run) and the
/// agent call (and so every agent that delegated to it) that the request's <see cref="ModelCallContext"/> names. A
/// reply that reports no usage is estimated at four characters a token. A failed request counts nothing; every answered
/// one counts, even when a later request of the same call fails.
/// </summary>
/// <remarks>
/// Budgets are not checked here but by the agent runner once the request is done, outside the route's retries: a
/// budget is never retried. Thread-safe; it owns its inner client.
/// </remarks>
internal sealed class UsageChatClient : DelegatingChatClient
{
    private readonly ProviderDescriptor _provider;

    public UsageChatClient(IChatClient inner, ProviderDescriptor provider)
        : base(inner) => _provider = provider;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        Count(ModelCallContext.Of(options), messages, response);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var context = ModelCallContext.Of(options);
        List<ChatResponseUpdate>? updates = context is null ? null : [];
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            updates?.Add(update);
            yield return update;
        }

        if (updates is not null)
        {
            Count(context, messages, updates.ToChatResponse());
        }
    }

    /// <summary>The reply's usage as its provider reported it, else estimated from the text, at the provider's prices.</summary>
    internal static Usage UsageOf(ProviderDescriptor provider, IEnumerable<ChatMessage> messages, ChatResponse response)
    {
        var input = response.Usage?.InputTokenCount ?? MockChatClient.EstimateTokens(messages.Sum(m => m.Text.Length));
        var output = response.Usage?.OutputTokenCount ?? MockChatClient.EstimateTokens(response.Text.Length);
        return ProviderPrices.Price(provider, input, output);
    }

    private void Count(ModelCallContext? context, IEnumerable<ChatMessage> messages, ChatResponse response)
    {
        if (context is null || (context.Step is null && context.Call is null))
        {
            return;
        }

        var usage = UsageOf(_provider, messages, response);
        context.AnsweredBy = _provider.Name;
        context.LastUsage = usage;
        context.Step?.AddUsage(usage);
        context.Call?.AddUsage(usage);
    }
}
