using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using Atlas.Runtime;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Atlas.Cli.Telemetry;

/// <summary>
/// What <c>atlas run</c> and <c>atlas chat</c> report besides their output: the runtime's traces and metrics over OTLP
/// (http/protobuf) when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>--otlp URL</c> names a collector, and the runtime's
/// logs on stderr with <c>-v</c>. Disposing it sends what is left, waiting at most <see cref="FlushTimeout"/>: a
/// collector that is down costs one warning line, never a hung command.
/// </summary>
internal sealed class CliTelemetry : IDisposable
{
    /// <summary>The environment variable of the OTLP endpoint, as every OpenTelemetry SDK reads it.</summary>
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The longest the command waits on exit for the collector to take the last spans and metrics.</summary>
    public static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);

    private readonly TracerProvider? _tracing;
    private readonly MeterProvider? _metrics;
    private readonly Uri? _endpoint;
    private readonly TextWriter _error;
    private readonly string _commandName;

    private CliTelemetry(Uri? endpoint, CliEnvironment environment, string commandName, bool verbose)
    {
        _endpoint = endpoint;
        _error = environment.Error;
        _commandName = commandName;
        if (verbose)
        {
            LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new StderrLoggerProvider(environment.Error)));
        }

        if (endpoint is null)
        {
            return;
        }

        var timeout = (int)FlushTimeout.TotalMilliseconds;
        void Configure(OtlpExporterOptions o, string signal)
        {
            // Set in code, the endpoint is used as it is: the signal's path is added here, as the SDK does for the variable.
            o.Endpoint = new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/v1/" + signal);
            o.Protocol = OtlpExportProtocol.HttpProtobuf;
            o.TimeoutMilliseconds = timeout;
        }

        _tracing = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(r => r.AddService(AtlasCli.Name))
            .AddSource(AtlasTelemetry.SourceName)
            .AddOtlpExporter(o => Configure(o, "traces"))
            .Build();
        _metrics = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService(AtlasCli.Name))
            .AddMeter(AtlasTelemetry.SourceName)
            .AddOtlpExporter((o, reader) =>
            {
                Configure(o, "metrics");
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Delta;
            })
            .Build();
    }

    /// <summary>The runtime's logger factory with <c>-v</c>; null without.</summary>
    public ILoggerFactory? LoggerFactory { get; }

    /// <summary>The <c>--otlp</c> option of a command.</summary>
    public static Option<string?> OtlpOption() => new("--otlp")
    {
        Description = $"Send traces and metrics (OpenTelemetry GenAI conventions) to this OTLP/HTTP collector, e.g. http://localhost:4318; without it, {EndpointVariable} when set.",
        HelpName = "URL",
    };

    /// <summary>The <c>-v/--verbose</c> option of a command.</summary>
    public static Option<bool> VerboseOption() => new("--verbose", "-v")
    {
        Description = "Log the runtime's provider choices, retries and model requests (provider, model, tokens, latency; never content) on stderr; progress is then plain lines.",
    };

    /// <summary>Starts exporting (when an endpoint is named) and logging (with <paramref name="verbose"/>).</summary>
    /// <exception cref="UsageException"><paramref name="otlp"/> is not an http(s) URL.</exception>
    public static CliTelemetry Start(string? otlp, bool verbose, CliEnvironment environment, string commandName)
    {
        Uri? endpoint = null;
        if (otlp is not null)
        {
            endpoint = ParseEndpoint(otlp) ?? throw new UsageException($"{commandName}: --otlp '{otlp}' is not an http:// or https:// URL");
        }
        else if (environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } variable)
        {
            endpoint = ParseEndpoint(variable);
            if (endpoint is null) environment.Error.WriteLine($"{commandName}: warning: {EndpointVariable} '{variable}' is not an http:// or https:// URL; nothing is exported");
        }

        return new CliTelemetry(endpoint, environment, commandName, verbose);
    }

    /// <summary>
    /// The command's environment with the runtime's logs on stderr when verbose: each runtime gets the logger factory, and
    /// progress is written as plain lines (a log line would tear a live table).
    /// </summary>
    public CliEnvironment Apply(CliEnvironment environment)
    {
        if (LoggerFactory is not { } loggerFactory) return environment;
        var configure = environment.ConfigureRuntime;
        return environment with
        {
            ErrorIsTerminal = false,
            ConfigureRuntime = options =>
            {
                options.LoggerFactory = loggerFactory;
                configure?.Invoke(options);
            },
        };
    }

    /// <summary>Sends what is left, within <see cref="FlushTimeout"/> in all; says once if the collector did not take it.</summary>
    public void Dispose()
    {
        if (_tracing is not null && _metrics is not null)
        {
            var deadline = Stopwatch.StartNew();
            var traced = _tracing.ForceFlush((int)FlushTimeout.TotalMilliseconds);
            var measured = _metrics.ForceFlush((int)Math.Max(0, (FlushTimeout - deadline.Elapsed).TotalMilliseconds));
            if (!traced || !measured)
            {
                _error.WriteLine($"{_commandName}: warning: the OTLP collector at {_endpoint} did not take the traces and metrics within {FlushTimeout.TotalSeconds:0} s");
            }

            // Nothing is left to send: shutting down does not wait on the collector again.
            _tracing.Shutdown(0);
            _metrics.Shutdown(0);
            _tracing.Dispose();
            _metrics.Dispose();
        }

        LoggerFactory?.Dispose();
    }

    private static Uri? ParseEndpoint(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri : null;
}
