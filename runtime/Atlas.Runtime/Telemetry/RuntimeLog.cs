using System;
using Microsoft.Extensions.Logging;

namespace Atlas.Runtime;

/// <summary>
/// The runtime's log messages, structured (named holes) and source-generated: which provider a route chose, retries
/// (Information); every model request with its provider, model, tokens and latency (Debug); failures (Warning). Text
/// that may carry a key is redacted by the caller; no message content is ever logged.
/// </summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Step {Step} of run {RunId}: provider {Provider} chosen ({Reason})")]
    public static partial void ProviderChosen(ILogger logger, string step, string runId, string provider, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Step {Step} of run {RunId}: retry {Attempt} in {DelayMs} ms after: {Reason}")]
    public static partial void RetryScheduled(ILogger logger, string step, string runId, int attempt, long delayMs, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Model request to provider {Provider} (model {Model}) answered in {LatencyMs} ms: {InputTokens} input tokens, {OutputTokens} output tokens")]
    public static partial void ModelRequest(ILogger logger, string provider, string? model, long latencyMs, long? inputTokens, long? outputTokens);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Model request to provider {Provider} (model {Model}) failed after {LatencyMs} ms: {Error}")]
    public static partial void ModelRequestFailed(ILogger logger, string provider, string? model, long latencyMs, string error);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Step {Step} of run {RunId} failed: {Error}")]
    public static partial void StepFailed(ILogger logger, string step, string runId, string error);

    /// <summary>Milliseconds, whole, for a log line.</summary>
    public static long Milliseconds(TimeSpan elapsed) => (long)elapsed.TotalMilliseconds;
}
