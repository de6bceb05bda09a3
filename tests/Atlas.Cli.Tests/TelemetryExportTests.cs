using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;

namespace Atlas.Cli.Tests;

/// <summary>`atlas run` sends its traces and metrics over OTLP/HTTP to a collector (a test receiver on 127.0.0.1), and logs with -v.</summary>
public class TelemetryExportTests
{
    private static string SupportCopy(TempDirectory dir)
    {
        KnowledgeCommandsTests.CopyDirectory(Cli.Example("support-triage"), Path.Combine(dir.Path, "examples/support-triage"), skip: f => f.EndsWith(".db", StringComparison.Ordinal) || f.Contains(".db-", StringComparison.Ordinal));
        return "examples/support-triage/support.atlas";
    }

    [Fact]
    public void Process_SupportTriage_WithOtlpEndpoint_SendsTheTraceInItsShape_AndTheMetrics()
    {
        using var dir = new TempDirectory();
        using var receiver = new OtlpReceiver();
        var start = AtlasProcess.StartInfo("run", SupportCopy(dir), "--workflow", "support", "--input", "@examples/support-triage/ticket.json", "--no-record");
        start.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint;

        var result = AtlasProcess.Launch(start, dir.Path);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.DoesNotContain("OTLP", result.Stderr, StringComparison.Ordinal);
        Assert.All(receiver.Requests, r => Assert.Equal("application/x-protobuf", r.ContentType));
        var spans = receiver.Spans.ToList();
        var workflow = Assert.Single(spans, s => s.Name == "invoke_workflow support");
        Assert.Equal("", workflow.ParentSpanId);
        Assert.All(spans, s => Assert.Equal(workflow.TraceId, s.TraceId));
        var runId = (string)workflow.Attributes["atlas.run.id"];

        // workflow → step → agent → chat, each step its own child of the run.
        var triage = Assert.Single(spans, s => s.Name == "step triage");
        var context = Assert.Single(spans, s => s.Name == "step context");
        var answer = Assert.Single(spans, s => s.Name == "step answer");
        Assert.All(new[] { triage, context, answer }, s => Assert.Equal((workflow.SpanId, 1, runId), (s.ParentSpanId, s.Kind, (string)s.Attributes["atlas.run.id"])));
        var classifier = Assert.Single(spans, s => s.Name == "invoke_agent classifier");
        Assert.Equal((triage.SpanId, 1), (classifier.ParentSpanId, classifier.Kind));
        Assert.Equal(("invoke_agent", "classifier", "smart", "triage"), ((string)classifier.Attributes["gen_ai.operation.name"], (string)classifier.Attributes["gen_ai.agent.name"], (string)classifier.Attributes["atlas.route"], (string)classifier.Attributes["atlas.step"]));
        var chats = spans.Where(s => s.ParentSpanId == classifier.SpanId && s.Kind == 3).ToList();
        var answered = Assert.Single(chats, s => s.StatusCode != 2);
        Assert.StartsWith("chat ", answered.Name, StringComparison.Ordinal);
        Assert.Equal(("chat", "atlas-mock"), ((string)answered.Attributes["gen_ai.operation.name"], (string)answered.Attributes["gen_ai.provider.name"]));
        Assert.True((long)answered.Attributes["gen_ai.usage.input_tokens"] > 0);
        Assert.True((long)answered.Attributes["gen_ai.usage.output_tokens"] > 0);
        Assert.True(answered.Attributes.ContainsKey("gen_ai.request.model"));

        // A provider the route tried first and could not reach (ollama on localhost): its chat span failed, with error.type.
        Assert.All(chats.Where(s => s.StatusCode == 2), s => Assert.True(s.Attributes.ContainsKey("error.type")));

        // The knowledge search under its step; the run's cost on the run.
        var retrieval = Assert.Single(spans, s => s.Name == "retrieval handbook");
        Assert.Equal(context.SpanId, retrieval.ParentSpanId);
        Assert.True(workflow.Attributes.ContainsKey("atlas.cost_usd"));
        Assert.DoesNotContain(spans, s => s.Attributes.ContainsKey("gen_ai.input.messages"));

        var metrics = receiver.MetricNames.ToHashSet();
        Assert.Superset(new HashSet<string> { "atlas.step.duration", "atlas.run.cost", "gen_ai.client.token.usage", "gen_ai.client.operation.duration" }, metrics);
    }

    [Fact]
    public void Process_CollectorDown_RunSucceedsInTime_WithOneWarningLine()
    {
        using var dir = new TempDirectory();
        string endpoint;
        using (var unused = new OtlpReceiver()) endpoint = unused.Endpoint; // a port nobody listens on any more
        var start = AtlasProcess.StartInfo("run", SupportCopy(dir), "--workflow", "support", "--input", "@examples/support-triage/ticket.json", "--no-record", "--otlp", endpoint);

        var clock = Stopwatch.StartNew();
        var result = AtlasProcess.Launch(start, dir.Path);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), clock.Elapsed.ToString());
        Assert.Equal($"atlas run: warning: the OTLP collector at {endpoint}/ did not take the traces and metrics within 5 s", Assert.Single(result.StderrLines, l => l.Contains("OTLP", StringComparison.Ordinal)));
    }

    [Fact]
    public void Run_OtlpNotAUrl_IsOneUsageLine()
    {
        var result = Cli.Offline("run", Cli.Example("support-triage/support.atlas"), "-w", "triage_all", "-i", "@" + Cli.Example("support-triage/tickets.json"), "--otlp", "localhost:4318");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("atlas run: --otlp 'localhost:4318' is not an http:// or https:// URL", result.Stderr.Trim());
    }

    [Fact]
    public void Run_Verbose_LogsProviderChoicesAndRequestsOnStderr_AsPlainLines()
    {
        var result = Cli.Offline("run", Cli.Example("support-triage/support.atlas"), "-w", "triage_all", "-i", "@" + Cli.Example("support-triage/tickets.json"), "--no-record", "-v");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains(result.StderrLines, l => l.StartsWith("info: Atlas.Runtime.AtlasRuntime: Step results of run ", StringComparison.Ordinal) && l.Contains(": provider offline chosen (", StringComparison.Ordinal));
        Assert.Contains(result.StderrLines, l => l.StartsWith("dbug: Atlas.Runtime.RequestLogChatClient: Model request to provider offline (model ", StringComparison.Ordinal) && l.Contains(" output tokens", StringComparison.Ordinal));
        Assert.NotNull(JsonNode.Parse(result.Stdout));

        var quiet = Cli.Offline("run", Cli.Example("support-triage/support.atlas"), "-w", "triage_all", "-i", "@" + Cli.Example("support-triage/tickets.json"), "--no-record");
        Assert.DoesNotContain(quiet.StderrLines, l => l.StartsWith("info: ", StringComparison.Ordinal) || l.StartsWith("dbug: ", StringComparison.Ordinal));
    }
}
