using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// An agent call's model as its tool loop (<see cref="AgentToolLoop"/>) sees it: the agent's route (or provider), so
/// that every request of the loop goes through the route on its own (selection, retries, breaker, fallback, and the
/// provider's pipeline: tokens to observers, usage), and a failed request is repeated alone, with the tool results it
/// carried, without running again the tools that ran before it. After each request, outside its retries, it checks the
/// budgets and the agent's <c>max_tool_calls</c>: a reply that asks for tools once the call has made that many rounds
/// fails it (see <see cref="ToolCallLimitException"/>).
/// </summary>
/// <remarks>
/// One per agent call; the loop sends one request at a time, so it is not thread-safe. Whether a request streams from
/// the provider depends on who takes the pieces (the request's <see cref="ModelCallContext"/>), not on which method the
/// loop calls. Disposing does nothing: the route is the runtime's.
/// </remarks>
internal sealed class AgentModelClient : DelegatingChatClient
{
    private readonly AgentCall _call;
    private readonly StepContext? _step;
    private int _rounds;

    public AgentModelClient(IChatClient route, AgentCall call, StepContext? step)
        : base(route)
    {
        _call = call;
        _step = step;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        RecordCallsNotMade(response);

        // Over a budget, the loop ends here rather than run the tools this reply asks for and ask again.
        _call.CheckBudgets(_step);
        if (response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.Name).Distinct(StringComparer.Ordinal).ToList() is { Count: > 0 } requested)
        {
            // After max_tool_calls rounds the loop asks once more offering no tools, for an answer from what the tools said;
            // a reply that still asks for tools would come back unanswered, as if its empty text were the answer.
            var limit = AgentRunner.MaxToolCalls(_call.Agent);
            if (++_rounds > limit)
            {
                throw new ToolCallLimitException(_call.Agent.Name, limit, _call.Agent.MaxToolCalls is not null, requested);
            }
        }

        return response;
    }

    // The pieces already went to the step and the caller as they arrived; the loop only needs the whole reply.
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        WholeReplies.AsStreamAsync(ct => GetResponseAsync(messages, options, ct), cancellationToken);

    protected override void Dispose(bool disposing)
    {
        // Not base.Dispose: the route is the runtime's, shared by every call.
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
}
