using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// A declared tool as the model sees it: its arguments are checked against its parameters' JSON
/// schema first (and must have been JSON at all), and a call that does not fit gets an error result
/// naming the bad arguments (for the model to correct) instead of reaching the implementation.
/// </summary>
/// <remarks>
/// The error is the function's result rather than an exception because
/// <see cref="FunctionInvokingChatClient"/> hides exception messages from the model by default.
/// </remarks>
internal sealed class ValidatedTool(AIFunction inner, ToolArgumentValidator validator) : DelegatingAIFunction(inner)
{
    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
        (await InvokeCheckedAsync(arguments, cancellationToken).ConfigureAwait(false)).Result;

    /// <summary>The tool's result, or (when the call was refused) the error the model gets and why it was refused.</summary>
    public async ValueTask<(object? Result, string? Refusal)> InvokeCheckedAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        // The loop calls a tool whose arguments did not parse with none: say so, rather than "missing argument".
        var call = FunctionInvokingChatClient.CurrentContext?.CallContent;
        var refusal = ToolCallArguments.NotJson(call)
            ? ToolCallArguments.NotJsonProblem(Name, call!)
            : validator.Validate(JsonSchema, arguments) is { } problems ? ToolErrors.InvalidArguments(Name, problems) : null;
        return refusal is null
            ? (await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false), null)
            : ("Error: " + refusal, refusal);
    }
}

/// <summary>Tool failures the runtime reports, worded once.</summary>
internal static class ToolErrors
{
    /// <summary>What a model (after "Error: ") or a failed step is told about arguments that don't fit the tool's parameters.</summary>
    public static string InvalidArguments(string tool, string problems) => $"invalid arguments for tool '{tool}': {problems}";

    /// <summary>Why a call the offline mock asked for was only recorded (see <see cref="ReadOnlyTools"/>).</summary>
    public static string NotCalled(string tool) => $"not called: tool '{tool}' is not read-only, and the offline mock calls only read-only tools (mark it `read_only = true` if it only reads)";
}
