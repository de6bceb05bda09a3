using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// Hands a reply's text, as the provider streams it, to whoever takes it: the step's observer as
/// <see cref="TokenEmitted"/> events and the caller of <c>StreamAgentAsync</c>, as the request's
/// <see cref="ModelCallContext"/> says. The provider is asked for a stream only when someone takes the pieces; the
/// caller above still gets one whole <see cref="ChatResponse"/>. API keys are blanked out of every piece, even one split
/// across two pieces (<see cref="SecretStreamRedactor"/>).
/// </summary>
/// <remarks>
/// The innermost of the runtime's middleware that reads the context: it takes the context out of the options it passes
/// on, so a host's middleware and the provider's client never see it. Once a piece reached the caller, the context says
/// so (<see cref="ModelCallContext.Delivered"/>) and the route neither retries the request nor sends it elsewhere.
/// Thread-safe; it owns its inner client.
/// </remarks>
internal sealed class TokenEventsChatClient : DelegatingChatClient
{
    private readonly SecretRedactor _secrets;

    public TokenEventsChatClient(IChatClient inner, SecretRedactor secrets)
        : base(inner) => _secrets = secrets;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var context = ModelCallContext.Of(options);
        options = ModelCallContext.Detach(options);
        if (context is not { WantsPieces: true })
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var updates = new List<ChatResponseUpdate>();
        var pieces = new Pieces(context, _secrets);
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
            pieces.Push(update.Text);
        }

        pieces.Flush();
        return updates.ToChatResponse();
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var context = ModelCallContext.Of(options);
        var pieces = context is { WantsPieces: true } ? new Pieces(context, _secrets) : null;
        await foreach (var update in base.GetStreamingResponseAsync(messages, ModelCallContext.Detach(options), cancellationToken).ConfigureAwait(false))
        {
            pieces?.Push(update.Text);
            yield return update;
        }

        pieces?.Flush();
    }

    /// <summary>The text pieces of one reply on their way to the step and the caller, secrets held back until they can be blanked.</summary>
    private sealed class Pieces(ModelCallContext context, SecretRedactor secrets)
    {
        // A provider may echo a key, split across two pieces: no piece leaves with part of one.
        private readonly SecretStreamRedactor? _redactor = secrets.StartStream();

        public void Push(string text)
        {
            if (text.Length > 0)
            {
                Deliver(_redactor is null ? text : _redactor.Push(text));
            }
        }

        public void Flush()
        {
            if (_redactor is not null)
            {
                Deliver(_redactor.Flush());
            }
        }

        private void Deliver(string text)
        {
            if (text.Length == 0)
            {
                return;
            }

            if (context.StreamsTokens)
            {
                var step = context.Step!;
                step.Emit(new TokenEmitted(step.RunId, step.Step, step.Run.Now, text));
            }

            if (context.OnChunk is { } onChunk)
            {
                onChunk(text);
                context.Delivered = true;
            }
        }
    }
}
