using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// The tool loop of one agent call: M.E.AI's <see cref="FunctionInvokingChatClient"/>, except that a call of a
/// tool the agent does not have is a <see cref="ToolCalled"/> event (failed, saying so) and the model is told
/// which tools it may call, rather than only "not found".
/// </summary>
/// <remarks>One per agent call, like the <see cref="AgentModelClient"/> under it.</remarks>
internal sealed class AgentToolLoop : FunctionInvokingChatClient
{
    private readonly string _agent;
    private readonly IReadOnlyList<AITool> _tools;
    private readonly StepContext? _step;

    public AgentToolLoop(IChatClient inner, string agent, IReadOnlyList<AITool> tools, StepContext? step)
        : base(inner)
    {
        _agent = agent;
        _tools = tools;
        _step = step;
    }

    protected override IList<ChatMessage> CreateResponseMessages(ReadOnlySpan<FunctionInvocationResult> results)
    {
        var messages = base.CreateResponseMessages(results);
        foreach (var result in results)
        {
            if (result.Status != FunctionInvocationStatus.NotFound)
            {
                continue;
            }

            var call = result.CallContent;
            var error = UnknownTool(call.Name);
            if (_step is { Observed: true } step)
            {
                var arguments = ToolCallArguments.Describe(call, new AIFunctionArguments(call.Arguments));
                step.Emit(new ToolCalled(step.RunId, step.Step, step.Run.Now, _agent, call.Name, arguments, TimeSpan.Zero, false, error));
            }

            foreach (var message in messages)
            {
                for (var i = 0; i < message.Contents.Count; i++)
                {
                    if (message.Contents[i] is FunctionResultContent answer && answer.CallId == call.CallId)
                    {
                        message.Contents[i] = new FunctionResultContent(call.CallId, $"Error: {error}. Call one of those, or answer without it.");
                    }
                }
            }
        }

        return messages;
    }

    private string UnknownTool(string name) =>
        $"agent '{_agent}' has no tool named '{name}'; it may call {string.Join(", ", _tools.Select(t => $"'{t.Name}'"))}";
}
