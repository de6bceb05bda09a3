using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

public sealed partial class AtlasRuntime
{
    /// <summary>
    /// An agent call's model as an <see cref="IChatClient"/>, for the <see cref="FunctionInvokingChatClient"/>
    /// that runs its tool loop: every request goes through the agent's provider or route on its own
    /// (selection, retries, breaker, fallback, tokens to observers, usage), so a failed request is repeated
    /// alone, with the tool results it carried, and the tools that ran before it do not run again.
    /// Budgets are checked after each request, outside its retries, and so is the agent's <c>max_tool_calls</c>:
    /// a reply that asks for tools once the call has made that many rounds fails it (see <see cref="ToolCallLimitException"/>).
    /// </summary>
    /// <remarks>
    /// One per agent call; the loop sends one request at a time, so it is not thread-safe. Whether a request
    /// streams from the provider depends on who takes the pieces (see <see cref="RequestModelAsync"/>), not on
    /// which method the loop calls. Disposing does nothing: it owns no provider client.
    /// </remarks>
    private sealed class AgentModelClient : IChatClient
    {
        private readonly AtlasRuntime _runtime;
        private readonly AgentCall _call;
        private readonly StepContext? _step;
        private readonly Action<string>? _onChunk;
        private readonly ModelSession _session;
        private int _rounds;

        public AgentModelClient(AtlasRuntime runtime, AgentCall call, StepContext? step, Action<string>? onChunk, ModelSession session)
        {
            _session = session;
            _runtime = runtime;
            _call = call;
            _step = step;
            _onChunk = onChunk;
        }

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var response = await _runtime.RequestModelAsync(_call, messages, options ?? new ChatOptions(), _step, _onChunk, _session, cancellationToken).ConfigureAwait(false);
            RecordCallsNotMade(response);

            // Over a budget, the loop ends here rather than run the tools this reply asks for and ask again.
            _call.CheckBudgets(_step);
            if (response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.Name).Distinct(StringComparer.Ordinal).ToList() is { Count: > 0 } requested)
            {
                // After max_tool_calls rounds the loop asks once more offering no tools, for an answer from what the tools said;
                // a reply that still asks for tools would come back unanswered, as if its empty text were the answer.
                var limit = MaxToolCalls(_call.Agent);
                if (++_rounds > limit)
                {
                    throw new ToolCallLimitException(_call.Agent.Name, limit, _call.Agent.MaxToolCalls is not null, requested);
                }
            }

            return response;
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            // The pieces already went to the step and the caller as they arrived; the loop only needs the whole reply.
            var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            foreach (var update in response.ToChatResponseUpdates())
            {
                yield return update;
            }
        }

        /// <summary>
        /// A call the reply only records (informational: the mock's call of a tool that is not read-only) is never
        /// made by the loop; observers still see it, as a <see cref="ToolCalled"/> that was not called.
        /// </summary>
        private void RecordCallsNotMade(ChatResponse response)
        {
            if (_step is not { Observed: true } step)
            {
                return;
            }

            foreach (var message in response.Messages)
            {
                foreach (var content in message.Contents)
                {
                    if (content is FunctionCallContent { InformationalOnly: true } call)
                    {
                        var arguments = AgentFunctions.Summarize(AgentFunctions.ToJson(new AIFunctionArguments(call.Arguments)));
                        step.Emit(new ToolCalled(step.RunId, step.Step, step.Run.Now, _call.Agent.Name, call.Name, arguments, TimeSpan.Zero, false, ToolErrors.NotCalled(call.Name), Called: false));
                    }
                }
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose()
        {
        }
    }
}
