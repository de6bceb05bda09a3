using System;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Atlas.Runtime;

/// <summary>
/// The runtime's OpenTelemetry instruments, by the GenAI semantic conventions: one <see cref="ActivitySource"/> and one
/// <see cref="Meter"/>, both named <see cref="SourceName"/>. A host sends them anywhere with
/// <c>services.AddOpenTelemetry().WithTracing(t =&gt; t.AddSource(AtlasTelemetry.SourceName)).WithMetrics(m =&gt; m.AddMeter(AtlasTelemetry.SourceName))</c>.
/// </summary>
/// <remarks>
/// Spans: <c>invoke_workflow {workflow}</c> around a run, <c>step {step}</c> per step, <c>invoke_agent {agent}</c> per
/// agent call, <c>chat {model}</c> per provider request (Microsoft.Extensions.AI's <see cref="Microsoft.Extensions.AI.OpenTelemetryChatClient"/>
/// on this source), <c>execute_tool {tool}</c> per tool or delegate call, <c>retrieval {knowledge}</c> per knowledge search.
/// Nothing is allocated for them while nobody listens. Thread-safe.
/// </remarks>
public static class AtlasTelemetry
{
    /// <summary>The name of the runtime's <see cref="ActivitySource"/> and <see cref="Meter"/>: <c>Atlas</c>.</summary>
    public const string SourceName = "Atlas";

    /// <summary>
    /// The environment variable that turns on the capture of message content in <c>chat</c> spans (<c>true</c>, any case),
    /// as the GenAI conventions name it; <see cref="AtlasRuntimeOptions.CaptureMessageContent"/> defaults from it.
    /// </summary>
    public const string CaptureMessageContentVariable = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";

    internal static readonly ActivitySource Source = new(SourceName, typeof(AtlasTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Meter Meter = new(SourceName, typeof(AtlasTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary><c>atlas.step.duration</c>: how long each step ran, by workflow, step and status.</summary>
    internal static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>(
        "atlas.step.duration", "s", "Duration of workflow steps.");

    /// <summary><c>atlas.run.cost</c>: what each run cost, by workflow.</summary>
    internal static readonly Histogram<double> RunCost = Meter.CreateHistogram<double>(
        "atlas.run.cost", "USD", "Cost of workflow runs in US dollars.");

    /// <summary>Whether <paramref name="value"/> of <see cref="CaptureMessageContentVariable"/> turns capture on.</summary>
    internal static bool IsOn(string? value) => string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Marks <paramref name="activity"/> failed: <c>error.type</c> the exception's type, status Error with its (redacted) message.</summary>
    internal static void Fail(Activity? activity, Exception error, SecretRedactor secrets)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(Attributes.ErrorType, error.GetType().FullName);
        activity.SetStatus(ActivityStatusCode.Error, secrets.Redact(RunContext.Describe(error)));
    }

    /// <summary>Adds a usage's tokens and cost to <paramref name="activity"/>.</summary>
    internal static void SetUsage(Activity activity, Usage usage)
    {
        activity.SetTag(Attributes.InputTokens, usage.InputTokens);
        activity.SetTag(Attributes.OutputTokens, usage.OutputTokens);
        activity.SetTag(Attributes.CostUsd, (double)usage.CostUsd);
    }

    /// <summary>The attribute names, GenAI conventions' and Atlas's own.</summary>
    internal static class Attributes
    {
        public const string OperationName = "gen_ai.operation.name";
        public const string ProviderName = "gen_ai.provider.name";
        public const string RequestModel = "gen_ai.request.model";
        public const string InputTokens = "gen_ai.usage.input_tokens";
        public const string OutputTokens = "gen_ai.usage.output_tokens";
        public const string AgentName = "gen_ai.agent.name";
        public const string ToolName = "gen_ai.tool.name";
        public const string ToolCallId = "gen_ai.tool.call.id";
        public const string ToolType = "gen_ai.tool.type";
        public const string DataSourceId = "gen_ai.data_source.id";
        public const string InputMessages = "gen_ai.input.messages";
        public const string OutputMessages = "gen_ai.output.messages";
        public const string WorkflowName = "gen_ai.workflow.name";
        public const string ErrorType = "error.type";
        public const string RunId = "atlas.run.id";
        public const string Step = "atlas.step";
        public const string CostUsd = "atlas.cost_usd";
        public const string Route = "atlas.route";
        public const string Retry = "atlas.retry";
    }
}
