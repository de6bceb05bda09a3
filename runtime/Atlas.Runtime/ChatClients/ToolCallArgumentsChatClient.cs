using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// Keeps the text a model sent for a tool call whose arguments were not JSON (<see cref="ToolCallArguments"/>), read
/// from the client library's raw reply or the raw events of its stream (which the kind's <see cref="ProviderClientFactory"/>
/// reads), so that a trace shows what the model sent instead of <c>{}</c>. Right over the provider's client, where the
/// library's raw representations are.
/// </summary>
/// <remarks>Thread-safe; it owns its inner client.</remarks>
internal sealed class ToolCallArgumentsChatClient(IChatClient inner, IReadOnlyList<ProviderClientFactory> readers) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        ToolCallArguments.KeepRawText(response.Messages, readers);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A call's pieces come before the call itself; its arguments are kept once the stream ends, on the call the
        // consumer already holds (it builds its reply only then).
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
            yield return update;
        }

        ToolCallArguments.KeepRawText(updates, readers);
    }
}
