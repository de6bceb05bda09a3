using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using Google.Protobuf;

namespace Atlas.Cli.Tests;

/// <summary>One span as OTLP sends it: ids as hex, kind as the protocol's number (1 internal, 3 client), its attributes and status code (2 error).</summary>
internal sealed record OtlpSpan(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, IReadOnlyDictionary<string, object> Attributes, int StatusCode);

/// <summary>
/// An OTLP/HTTP collector on 127.0.0.1 for tests: it takes POST /v1/traces and /v1/metrics (application/x-protobuf) and
/// decodes, with Google.Protobuf's wire reader, the fields of ExportTraceServiceRequest the tests read (the generated
/// OpenTelemetry.Proto types are not needed), and the names of the metrics.
/// </summary>
internal sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    public OtlpReceiver()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string Endpoint { get; }

    public ConcurrentQueue<OtlpSpan> Spans { get; } = new();

    public ConcurrentQueue<string> MetricNames { get; } = new();

    /// <summary>Each request's path and content type, as received.</summary>
    public ConcurrentQueue<(string Path, string? ContentType)> Requests { get; } = new();

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener was closed under a pending accept.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var path = context.Request.Url!.AbsolutePath;
            Requests.Enqueue((path, context.Request.ContentType));
            if (context.Request.HttpMethod == "POST" && path == "/v1/traces")
            {
                foreach (var span in DecodeTraces(body.ToArray())) Spans.Enqueue(span);
            }
            else if (context.Request.HttpMethod == "POST" && path == "/v1/metrics")
            {
                foreach (var name in DecodeMetricNames(body.ToArray())) MetricNames.Enqueue(name);
            }
            else
            {
                context.Response.StatusCode = 404;
            }

            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    /// <summary>The messages of field <paramref name="field"/> in <paramref name="message"/>, as their bytes.</summary>
    private static IEnumerable<byte[]> Fields(byte[] message, int field)
    {
        var input = new CodedInputStream(message);
        var found = new List<byte[]>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited) found.Add(input.ReadBytes().ToByteArray());
            else input.SkipLastField();
        }

        return found;
    }

    /// <summary>ExportTraceServiceRequest: resource_spans(1) → scope_spans(2) → spans(2).</summary>
    private static IEnumerable<OtlpSpan> DecodeTraces(byte[] request) =>
        Fields(request, 1).SelectMany(resource => Fields(resource, 2)).SelectMany(scope => Fields(scope, 2)).Select(DecodeSpan);

    /// <summary>ExportMetricsServiceRequest: resource_metrics(1) → scope_metrics(2) → metrics(2) → name(1).</summary>
    private static IEnumerable<string> DecodeMetricNames(byte[] request) =>
        Fields(request, 1).SelectMany(resource => Fields(resource, 2)).SelectMany(scope => Fields(scope, 2)).Select(metric => Fields(metric, 1).Select(n => System.Text.Encoding.UTF8.GetString(n)).Single());

    /// <summary>Span: trace_id(1), span_id(2), parent_span_id(4), name(5), kind(6), attributes(9), status(15).</summary>
    private static OtlpSpan DecodeSpan(byte[] span)
    {
        var input = new CodedInputStream(span);
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = 0;
        var status = 0;
        var attributes = new Dictionary<string, object>(StringComparer.Ordinal);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: traceId = Convert.ToHexStringLower(input.ReadBytes().ToByteArray()); break;
                case 2: spanId = Convert.ToHexStringLower(input.ReadBytes().ToByteArray()); break;
                case 4: parent = Convert.ToHexStringLower(input.ReadBytes().ToByteArray()); break;
                case 5: name = input.ReadString(); break;
                case 6: kind = input.ReadEnum(); break;
                case 9:
                    var (key, value) = DecodeKeyValue(input.ReadBytes().ToByteArray());
                    attributes[key] = value;
                    break;
                case 15:
                    var statusInput = new CodedInputStream(input.ReadBytes().ToByteArray());
                    uint statusTag;
                    while ((statusTag = statusInput.ReadTag()) != 0)
                    {
                        if (WireFormat.GetTagFieldNumber(statusTag) == 3) status = statusInput.ReadEnum();
                        else statusInput.SkipLastField();
                    }

                    break;
                default: input.SkipLastField(); break;
            }
        }

        return new OtlpSpan(traceId, spanId, parent, name, kind, attributes, status);
    }

    /// <summary>KeyValue: key(1), value(2) an AnyValue: string(1), bool(2), int(3), double(4).</summary>
    private static (string Key, object Value) DecodeKeyValue(byte[] keyValue)
    {
        var input = new CodedInputStream(keyValue);
        var key = "";
        object value = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1)
            {
                key = input.ReadString();
                continue;
            }

            if (WireFormat.GetTagFieldNumber(tag) != 2)
            {
                input.SkipLastField();
                continue;
            }

            var any = new CodedInputStream(input.ReadBytes().ToByteArray());
            uint anyTag;
            while ((anyTag = any.ReadTag()) != 0)
            {
                value = WireFormat.GetTagFieldNumber(anyTag) switch
                {
                    1 => any.ReadString(),
                    2 => any.ReadBool(),
                    3 => any.ReadInt64(),
                    4 => any.ReadDouble(),
                    _ => SkipTo(any, value),
                };
            }
        }

        return (key, value);
    }

    private static object SkipTo(CodedInputStream input, object value)
    {
        input.SkipLastField();
        return value;
    }
}
