using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// What an agent's model is offered for one call: its tools (each reporting a <see cref="ToolCalled"/>
/// event when the run is observed) and one function per delegate (<see cref="DelegateFunction"/>).
/// </summary>
internal static class AgentFunctions
{
    public static IReadOnlyList<AITool> For(AgentRunner runner, AgentCall call, IReadOnlyList<AITool> tools, StepContext? step)
    {
        var delegates = call.Agent.Delegates;
        // Observed tools report their calls; traced ones blank keys out of the errors the execute_tool spans show.
        var observed = step is not null && (step.Observed || AtlasTelemetry.Source.HasListeners());
        if (delegates is not { Count: > 0 } && !observed)
        {
            return tools;
        }

        var offered = new List<AITool>(tools.Count + (delegates?.Count ?? 0));
        foreach (var tool in tools)
        {
            offered.Add(observed && tool is AIFunction function ? new ObservedTool(function, call.Agent.Name, step!) : tool);
        }

        foreach (var target in delegates ?? [])
        {
            offered.Add(new DelegateFunction(runner, target, call, step));
        }

        return offered;
    }

    /// <summary>Arguments as compact JSON, cut to a few hundred characters: enough to see what was asked in a trace.</summary>
    public static string Summarize(JsonObject arguments)
    {
        const int Limit = 300;
        var text = arguments.ToJsonString();
        return text.Length <= Limit ? text : text[..Limit] + "…";
    }

    /// <summary>A model's arguments (JSON elements from a provider, or any value) as a JSON object.</summary>
    public static JsonObject ToJson(AIFunctionArguments arguments)
    {
        var json = new JsonObject();
        foreach (var (name, value) in arguments)
        {
            json[name] = value switch
            {
                null => null,
                JsonNode node => node.DeepClone(),
                JsonElement element => JsonNode.Parse(element.GetRawText()),
                _ => JsonSerializer.SerializeToNode(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType())),
            };
        }

        return json;
    }
}

/// <summary>
/// A delegate agent offered to the model as a function named after it, whose arguments are the
/// agent's parameters. Calling it runs the agent (its usage counts toward the calling step, run and
/// agent); every call is a <see cref="DelegationStarted"/> / <see cref="DelegationCompleted"/> pair.
/// </summary>
/// <remarks>
/// A delegation the model should hear about — beyond <c>max_depth</c>, arguments that do not fit, a
/// failed delegate, the delegate's own budget spent — comes back to the model as the function's
/// result, so it can answer without it. A budget of the caller or the run stops the caller's model
/// loop instead (<see cref="FunctionInvocationContext.Terminate"/>) and fails the caller with it.
/// </remarks>
internal sealed class DelegateFunction : AIFunction
{
    private readonly AgentRunner _runner;
    private readonly AgentDescriptor _target;
    private readonly AgentCall _caller;
    private readonly StepContext? _step;

    public DelegateFunction(AgentRunner runner, AgentDescriptor target, AgentCall caller, StepContext? step)
    {
        _runner = runner;
        _target = target;
        _caller = caller;
        _step = step;
        JsonSchema = runner.ParametersSchema(target);
        Description = $"Hand a sub-task to the agent '{target.Name}' and get its answer ({target.ResultTypeName}). " +
            $"Its parameters: {string.Join(", ", target.Parameters.Select(p => $"{p.Name}: {p.TypeName}"))}.";
    }

    public override string Name => _target.Name;

    public override string Description { get; }

    public override JsonElement JsonSchema { get; }

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var json = AgentFunctions.ToJson(arguments);
        var depth = _caller.Depth + 1;
        var from = _caller.Agent.Name;
        var started = _runner.TimeProvider.GetTimestamp();
        var modelCall = FunctionInvokingChatClient.CurrentContext?.CallContent;
        Emit(step => new DelegationStarted(step.RunId, step.Step, step.Run.Now, from, _target.Name, ToolCallArguments.Describe(modelCall, arguments), depth));

        if (ToolCallArguments.NotJson(modelCall))
        {
            return Refuse($"Delegation to '{_target.Name}' refused: {ToolCallArguments.NotJsonProblem(_target.Name, modelCall!)}.", started, depth, Usage.Zero);
        }

        if (_caller.Remaining < 1)
        {
            return Refuse($"Delegation refused: '{from}' may not hand work to '{_target.Name}' here, because delegations may nest at most {_caller.Limit} level{(_caller.Limit == 1 ? "" : "s")} below '{_caller.LimitedBy}' (its max_depth). Answer without it.", started, depth, Usage.Zero);
        }

        if (!_runner.CheckArguments(_target, json, out var problem))
        {
            return Refuse($"Delegation to '{_target.Name}' refused: the arguments do not fit its parameters ({problem}). Call it again with arguments that match its schema.", started, depth, Usage.Zero);
        }

        var call = new AgentCall(_target, _caller);
        try
        {
            var values = _target.Parameters.ToDictionary(p => p.Name, p => json[p.Name]?.DeepClone(), StringComparer.Ordinal);
            var result = await _runner.InvokeDelegateAsync(_target, values, _step, call, cancellationToken).ConfigureAwait(false);
            Emit(step => new DelegationCompleted(step.RunId, step.Step, step.Run.Now, from, _target.Name, depth, _runner.TimeProvider.GetElapsedTime(started), call.Usage, true, null)
            {
                Answer = EventContent.Value(result),
            });
            return result;
        }
        catch (BudgetExceededException exceeded) when (!ReferenceEquals(exceeded.Scope, call))
        {
            // Not the delegate's own budget: the caller (or the run) is over, so its loop must end too.
            _caller.Stop(exceeded);
            if (FunctionInvokingChatClient.CurrentContext is { } context)
            {
                context.Terminate = true;
            }

            return Refuse(exceeded.Message, started, depth, call.Usage);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return Refuse($"Delegation to '{_target.Name}' failed: {RunContext.Describe(ex)}", started, depth, call.Usage);
        }
    }

    private string Refuse(string error, long started, int depth, Usage usage)
    {
        Emit(step => new DelegationCompleted(step.RunId, step.Step, step.Run.Now, _caller.Agent.Name, _target.Name, depth, _runner.TimeProvider.GetElapsedTime(started), usage, false, error));
        return error;
    }

    private void Emit(Func<StepContext, AtlasEvent> create)
    {
        if (_step is { Observed: true } step)
        {
            step.Emit(create(step));
        }
    }
}

/// <summary>
/// A tool that reports each call the model makes as a <see cref="ToolCalled"/> event (when the run is observed), refused
/// calls as failed, and fails with no API key in its error.
/// </summary>
internal sealed class ObservedTool : DelegatingAIFunction
{
    private readonly string _agent;
    private readonly StepContext _step;

    public ObservedTool(AIFunction inner, string agent, StepContext step)
        : base(inner)
    {
        _agent = agent;
        _step = step;
    }

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var summary = ToolCallArguments.Describe(FunctionInvokingChatClient.CurrentContext?.CallContent, arguments);
        var time = _step.Runtime.TimeProvider;
        var started = time.GetTimestamp();
        var at = _step.Run.Now;
        var recorder = _step.Run.Recorder;
        var recordedArguments = recorder is null ? null : AgentFunctions.ToJson(arguments).ToJsonString();
        if (recorder?.Calls is { } calls)
        {
            // A replayed (or resumed) run takes what the tool returned then: a tool is not run twice for one model request.
            if (calls.TakeToolCall(Name, recordedArguments!) is { } recorded)
            {
                // A replayed call is recorded in the new run; a resumed run's own call is recorded already.
                if (recorded.RunId != recorder.RunId)
                {
                    await recorder.RecordToolCallAsync(recorded with { RunId = recorder.RunId, Step = _step.Step, Duration = TimeSpan.Zero, At = at }, cancellationToken).ConfigureAwait(false);
                }

                _step.Emit(new ToolCalled(_step.RunId, _step.Step, at, _agent, Name, summary, TimeSpan.Zero, recorded.Error is null, recorded.Error)
                {
                    Result = recorded.Result,
                });
                return recorded.Error is null ? (recorded.Result is null ? null : JsonNode.Parse(recorded.Result)) : $"Error: {recorded.Error}";
            }

            if (calls.Strict)
            {
                throw new InvalidOperationException($"run {calls.RunId} recorded no call of tool '{Name}' with these arguments; a replay runs no tool");
            }
        }

        try
        {
            // A declared tool may refuse the call (arguments that do not fit): the model is told, and the trace says it failed.
            var (result, refusal) = InnerFunction is ValidatedTool validated
                ? await validated.InvokeCheckedAsync(arguments, cancellationToken).ConfigureAwait(false)
                : (await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false), null);
            var duration = time.GetElapsedTime(started);
            if (recorder is not null)
            {
                var value = refusal is null ? ModelRequests.Value(result) : null;
                await recorder.RecordToolCallAsync(
                    new ToolCallRecord(recorder.RunId, _step.Step, _agent, Name, recordedArguments!, refusal is null ? value?.ToJsonString() ?? "null" : null, refusal, duration, at),
                    CancellationToken.None).ConfigureAwait(false); // the tool ran: its result is kept even if the run is being cancelled
            }

            if (_step.Observed)
            {
                _step.Emit(new ToolCalled(_step.RunId, _step.Step, _step.Run.Now, _agent, Name, summary, duration, refusal is null, refusal)
                {
                    Result = refusal is null ? EventContent.Value(result) : null,
                });
            }

            return result;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _step.Emit(new ToolCalled(_step.RunId, _step.Step, _step.Run.Now, _agent, Name, summary, time.GetElapsedTime(started), false, RunContext.Describe(ex)));
            // The tool-call loop puts the error on its execute_tool span as it is: a key in it is blanked out first.
            var secrets = _step.Runtime.Secrets;
            if (secrets.Contains(ex.ToString())) throw new ToolFailedException(secrets.Redact(RunContext.Describe(ex)));
            throw;
        }
    }
}

/// <summary>A tool failed with an API key in its error: the error again, the key blanked out (and no inner exception that holds it).</summary>
internal sealed class ToolFailedException(string message) : Exception(message);
