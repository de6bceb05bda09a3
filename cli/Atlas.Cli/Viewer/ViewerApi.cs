using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Cli.Commands;
using Atlas.Cli.Display;
using Atlas.Cli.Graph;
using Atlas.Compiler.Lowering;
using Atlas.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Atlas.Cli.Viewer;

/// <summary>
/// The viewer's JSON endpoints under <c>/api/</c>, over one run store: the runs list, a run (graph, steps, calls,
/// timeline, critical path), a step's or call's full text, a workflow's statistics, a run's live changes (server-sent
/// events) and the answer to a waiting human step. An unknown run, step or call is a 404 with <c>{"error"}</c>.
/// </summary>
internal sealed class ViewerApi(SqliteRunStore store, CancellationToken stopping)
{
    private const string Name = AtlasCli.Name + " view";

    /// <summary>How often a live page's run is read again: the writer is another process, so the store is polled.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(400);

    /// <summary>How many runs the statistics read unless told (<c>?n=</c>).</summary>
    private const int DefaultStatisticsRuns = 100;

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/runs", ListAsync);
        app.MapGet("/api/runs/{id}", RunAsync);
        app.MapGet("/api/runs/{id}/steps/{step}", StepAsync);
        app.MapGet("/api/runs/{id}/model-calls/{sequence:long}", ModelCallAsync);
        app.MapGet("/api/runs/{id}/live", LiveAsync);
        app.MapPost("/api/runs/{id}/answer", AnswerAsync);
        app.MapGet("/api/workflows/{workflow}/stats", StatisticsAsync);
        app.MapGet("/api/live", StoreLiveAsync);
        app.Map("/api/{**rest}", () => NotFound("no such endpoint"));
    }

    private async Task<IResult> ListAsync(string? workflow, string? status, string? since, string? batch, int? limit, CancellationToken cancellationToken)
    {
        RunStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Spellings.RunStatuses.Any(s => s.Spelling == status)) return BadRequest($"{Name}: no status '{status}'");
            wanted = Spellings.RunStatus(status);
        }

        DateTimeOffset? from = null;
        if (!string.IsNullOrWhiteSpace(since))
        {
            try
            {
                from = RunsCommand.Since(since, "since", Name);
            }
            catch (UsageException ex)
            {
                return BadRequest(ex.Message);
            }
        }

        var query = new RunQuery(NullIfEmpty(workflow), wanted, from, BatchId: NullIfEmpty(batch), Limit: Math.Clamp(limit ?? 100, 1, OptionRanges.MaxListedRuns));
        var runs = await store.ListRunsAsync(query, cancellationToken).ConfigureAwait(false);
        // The workflows to filter by: those of the newest runs, whatever the filter.
        var recent = await store.ListRunsAsync(new RunQuery(Limit: 1000), cancellationToken).ConfigureAwait(false);
        return Json(new JsonObject
        {
            ["store"] = store.Path,
            ["runs"] = new JsonArray([.. runs.Select(r => (JsonNode)ViewerJson.RunRow(r))]),
            ["workflows"] = new JsonArray([.. recent.Select(r => r.Workflow).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(w => (JsonNode)w!)]),
            ["limited"] = runs.Count == query.Limit,
        });
    }

    private async Task<IResult> RunAsync(string id, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken).ConfigureAwait(false) is not { } run) return NotFound($"no run '{id}'");
        var steps = await store.GetStepsAsync(run.RunId, cancellationToken).ConfigureAwait(false);
        var modelCalls = await store.GetModelCallsAsync(run.RunId, cancellationToken).ConfigureAwait(false);
        var toolCalls = await store.GetToolCallsAsync(run.RunId, cancellationToken).ConfigureAwait(false);
        var questions = await store.GetHumanRequestsAsync(run.RunId, cancellationToken).ConfigureAwait(false);
        var events = await store.GetEventsAsync(run.RunId, cancellationToken).ConfigureAwait(false);
        var graph = RunGraph.For(run, steps);
        var critical = CriticalPath.Of(steps, graph.Plan is null ? null : graph.DependenciesOf);
        var slowest = steps.Where(s => !s.Reused).OrderByDescending(s => s.Duration).FirstOrDefault();
        var now = DateTimeOffset.UtcNow;
        return Json(new JsonObject
        {
            ["run"] = ViewerJson.RunHeader(run),
            ["elapsed_ms"] = ViewerJson.Milliseconds((run.EndedAt ?? (run.Status == RunStatus.Running ? now : Latest(run, steps, modelCalls))) - run.StartedAt),
            ["graph"] = new JsonObject
            {
                ["from_plan"] = graph.Plan is not null,
                ["note"] = graph.Note,
                ["nodes"] = new JsonArray([.. graph.Nodes.Select(n => (JsonNode)new JsonObject
                {
                    ["id"] = n.Id,
                    ["kind"] = n.Kind,
                    ["step"] = n.Step,
                    ["arm"] = n.Step is { } step && step != WorkflowPlan.ReturnNodeName && n.Id != WorkflowDiagram.StepId(step),
                    ["lines"] = new JsonArray([.. n.Lines.Select(l => (JsonNode)l!)]),
                    ["layer"] = n.Layer,
                    ["row"] = n.Row,
                })]),
                ["edges"] = new JsonArray([.. graph.Edges.Select(e => (JsonNode)ViewerJson.Object(("from", e.From), ("to", e.To), ("label", e.Label), ("dashed", e.Dashed ? true : null)))]),
            },
            ["steps"] = new JsonArray([.. steps.Select(s => (JsonNode)ViewerJson.Step(run, s))]),
            ["model_calls"] = new JsonArray([.. modelCalls.Select(c => (JsonNode)ViewerJson.ModelCall(run, c))]),
            ["tool_calls"] = new JsonArray([.. toolCalls.Select(c => (JsonNode)ViewerJson.ToolCall(run, c))]),
            ["retries"] = new JsonArray([.. events.OfType<RetryScheduled>().Select(r => (JsonNode)ViewerJson.Retry(run, r))]),
            ["questions"] = new JsonArray([.. questions.Select(q => (JsonNode)ViewerJson.Question(q))]),
            ["critical_path"] = new JsonArray([.. critical.Select(s => (JsonNode)s!)]),
            ["bottleneck"] = slowest is null ? null : new JsonObject { ["step"] = slowest.Step, ["duration_ms"] = ViewerJson.Milliseconds(slowest.Duration) },
            ["batch"] = run.BatchId is { } batch ? await BatchAsync(batch, cancellationToken).ConfigureAwait(false) : null,
        });
    }

    /// <summary>A step's input (what it read: the run's parameters and the results of the steps it waits for) and output, in full.</summary>
    private async Task<IResult> StepAsync(string id, string step, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken).ConfigureAwait(false) is not { } run) return NotFound($"no run '{id}'");
        var steps = await store.GetStepsAsync(run.RunId, cancellationToken).ConfigureAwait(false);
        if (steps.LastOrDefault(s => s.Step == step) is not { } record) return NotFound($"run {run.RunId} recorded no step '{step}'");
        var graph = RunGraph.For(run, steps);
        JsonNode? input = null;
        if (graph.Plan is { } plan)
        {
            var read = new JsonObject();
            var runInput = Parse(run.Input);
            foreach (var parameter in graph.ParametersOf(step))
                read[parameter] = (plan.Parameters.Count == 1 ? runInput : runInput?[parameter])?.DeepClone();
            foreach (var dependency in graph.DependenciesOf(step))
                read[dependency] = Parse(steps.LastOrDefault(s => s.Step == dependency)?.Result);
            input = read;
        }

        return Json(ViewerJson.Object(
            ("step", step),
            ("input", input is null ? null : JsonText.Format(input, indented: true)),
            ("input_note", input is null ? graph.Note : null),
            ("output", record.Result is null ? null : ViewerJson.Pretty(record.Result)),
            ("error", record.Error)));
    }

    private async Task<IResult> ModelCallAsync(string id, long sequence, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken).ConfigureAwait(false) is not { } run) return NotFound($"no run '{id}'");
        var calls = await store.GetModelCallsAsync(run.RunId, cancellationToken).ConfigureAwait(false);
        if (calls.FirstOrDefault(c => c.Sequence == sequence) is not { } call) return NotFound($"run {run.RunId} has no model call {sequence}");
        var json = ViewerJson.ModelCall(run, call);
        json["request"] = ModelMessages.Read(call.Request);
        json["response"] = ModelMessages.Read(call.Response);
        return Json(json);
    }

    /// <summary>
    /// Server-sent events: a <c>change</c> message whenever what is recorded of the run changes (its status, its steps,
    /// calls, questions or events, its batch's progress), with the events recorded since the last message; the page
    /// then reads the run again. The store is polled every <see cref="PollInterval"/>.
    /// </summary>
    private async Task LiveAsync(HttpContext context, string id, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken).ConfigureAwait(false) is not { } run)
        {
            await NotFound($"no run '{id}'").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await StreamAsync(context, async (sent, token) =>
        {
            var current = await store.GetRunAsync(run.RunId, token).ConfigureAwait(false) ?? run;
            var steps = await store.GetStepsAsync(run.RunId, token).ConfigureAwait(false);
            var modelCalls = await store.GetModelCallsAsync(run.RunId, token).ConfigureAwait(false);
            var toolCalls = await store.GetToolCallsAsync(run.RunId, token).ConfigureAwait(false);
            var questions = await store.GetHumanRequestsAsync(run.RunId, token).ConfigureAwait(false);
            var events = await store.GetEventsAsync(run.RunId, token).ConfigureAwait(false);
            var batch = current.BatchId is { } batchId ? await BatchAsync(batchId, token).ConfigureAwait(false) : null;
            var signature = string.Join('|', Spellings.Status(current.Status), steps.Count, modelCalls.Count, toolCalls.Count,
                questions.Count(q => q.Answer is not null), events.Count, batch?["done"], batch?["total"]);
            var message = new JsonObject
            {
                ["status"] = Spellings.Status(current.Status),
                ["steps"] = steps.Count,
                ["model_calls"] = modelCalls.Count,
                ["answered"] = questions.Count(q => q.Answer is not null),
                ["events"] = new JsonArray([.. events.Skip(sent).Select(e => JsonNode.Parse(AtlasEventJson.SerializeEvent(e)))]),
                ["batch"] = batch,
            };
            return (signature, message, events.Count);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Server-sent events for the runs list: a <c>change</c> whenever the newest runs or their statuses change.</summary>
    private Task StoreLiveAsync(HttpContext context, CancellationToken cancellationToken) =>
        StreamAsync(context, async (_, token) =>
        {
            var runs = await store.ListRunsAsync(new RunQuery(Limit: 200), token).ConfigureAwait(false);
            var signature = string.Join(',', runs.Select(r => r.RunId + ":" + Spellings.Status(r.Status)));
            return (signature, new JsonObject { ["runs"] = runs.Count }, 0);
        }, cancellationToken);

    private async Task StreamAsync(
        HttpContext context, Func<int, CancellationToken, Task<(string Signature, JsonObject Message, int Sent)>> read, CancellationToken requestAborted)
    {
        // A stream ends when its page goes away or when the viewer stops (which would otherwise wait for it).
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, stopping);
        var cancellationToken = linked.Token;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        string? last = null;
        var sent = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var (signature, message, count) = await read(sent, cancellationToken).ConfigureAwait(false);
                if (signature != last)
                {
                    last = signature;
                    sent = count;
                    await response.WriteAsync("event: change\ndata: " + message.ToJsonString() + "\n\n", cancellationToken).ConfigureAwait(false);
                    await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page went away, or the viewer stops.
        }
    }

    /// <summary>Records an answer to a waiting run's question with the checks of <c>atlas runs answer</c>; 400 with the one line when it is no answer.</summary>
    private async Task<IResult> AnswerAsync(string id, HttpRequest request, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken).ConfigureAwait(false) is not { } run) return NotFound($"no run '{id}'");
        string? step, value;
        try
        {
            var body = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
            step = body?["step"]?.GetValue<string>();
            value = body?["value"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return BadRequest($"{Name}: the answer is not {{\"step\": \"...\", \"value\": \"...\"}}");
        }

        if (step is null || value is null) return BadRequest($"{Name}: the answer needs a step and a value");
        var output = new StringWriter { NewLine = "\n" };
        try
        {
            await RunsCommand.AnswerAsync(store, run, step, value, "answer", null, output, Name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is UsageException or RunsCommand.RunsFailure)
        {
            return BadRequest(ex.Message);
        }

        return Json(new JsonObject { ["lines"] = new JsonArray([.. output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => (JsonNode)l!)]) });
    }

    /// <summary>Per step over a workflow's last N runs (<c>?n=</c>, 100 unless told): p50/p95 duration, tokens and cost, failure and retry rates.</summary>
    private async Task<IResult> StatisticsAsync(string workflow, int? n, CancellationToken cancellationToken)
    {
        var count = Math.Clamp(n ?? DefaultStatisticsRuns, 1, OptionRanges.MaxListedRuns);
        var runs = await store.ListRunsAsync(new RunQuery(workflow, Limit: count), cancellationToken).ConfigureAwait(false);
        if (runs.Count == 0) return NotFound($"no runs of workflow '{workflow}'");
        var steps = new List<StepRecord>();
        foreach (var run in runs) steps.AddRange(await store.GetStepsAsync(run.RunId, cancellationToken).ConfigureAwait(false));

        var ended = runs.Where(r => r.EndedAt is not null).Select(r => (r.EndedAt!.Value - r.StartedAt).TotalMilliseconds).Order().ToList();
        var rows = new JsonArray();
        // Steps in the order they first ran; a reused step ran in an earlier run and says nothing of this one's time.
        foreach (var group in steps.Where(s => !s.Reused).OrderBy(s => s.StartedAt).GroupBy(s => s.Step, StringComparer.Ordinal))
        {
            var durations = group.Select(s => s.Duration.TotalMilliseconds).Order().ToList();
            var runsOfStep = group.Count();
            rows.Add(new JsonObject
            {
                ["step"] = group.Key,
                ["runs"] = runsOfStep,
                ["p50_ms"] = Math.Round(ViewerJson.Percentile(durations, 0.5), 1),
                ["p95_ms"] = Math.Round(ViewerJson.Percentile(durations, 0.95), 1),
                ["tokens"] = Math.Round(group.Average(s => (double)s.Usage.TotalTokens), 1),
                ["cost_usd"] = group.Average(s => s.Usage.CostUsd),
                ["failure_rate"] = (double)group.Count(s => s.Status == StepStatus.Failed) / runsOfStep,
                ["retry_rate"] = (double)group.Count(s => s.Attempts > 1) / runsOfStep,
            });
        }

        return Json(new JsonObject
        {
            ["workflow"] = workflow,
            ["runs"] = runs.Count,
            ["failed"] = runs.Count(r => r.Status == RunStatus.Failed),
            ["p50_ms"] = Math.Round(ViewerJson.Percentile(ended, 0.5), 1),
            ["p95_ms"] = Math.Round(ViewerJson.Percentile(ended, 0.95), 1),
            ["tokens"] = runs.Sum(r => r.Usage.TotalTokens),
            ["cost_usd"] = runs.Sum(r => r.Usage.CostUsd),
            ["steps"] = rows,
        });
    }

    /// <summary>A batch's progress: its lines recorded so far and how many of them ended (or wait).</summary>
    private async Task<JsonObject> BatchAsync(string batch, CancellationToken cancellationToken)
    {
        var lines = await store.ListRunsAsync(new RunQuery(BatchId: batch, Limit: int.MaxValue), cancellationToken).ConfigureAwait(false);
        return new JsonObject
        {
            ["id"] = batch,
            ["done"] = lines.Count(r => r.Status != RunStatus.Running),
            ["total"] = lines.Count,
            ["failed"] = lines.Count(r => r.Status == RunStatus.Failed),
            ["waiting"] = lines.Count(r => r.Status == RunStatus.Waiting),
        };
    }

    private async Task<RunRecord?> FindAsync(string id, CancellationToken cancellationToken) =>
        id.Length == 0 ? null : await store.GetRunAsync(id, cancellationToken).ConfigureAwait(false);

    /// <summary>When a run's last record was written, for a run that ended without an end time (waiting).</summary>
    private static DateTimeOffset Latest(RunRecord run, IReadOnlyList<StepRecord> steps, IReadOnlyList<ModelCallRecord> calls) =>
        steps.Select(s => s.StartedAt + s.Duration).Concat(calls.Select(c => c.At + c.Latency)).DefaultIfEmpty(run.StartedAt).Max();

    private static JsonNode? Parse(string? json)
    {
        if (json is null) return null;
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static IResult Json(JsonNode json) => Results.Text(json.ToJsonString(), "application/json; charset=utf-8");

    private static IResult NotFound(string message) => Results.Text(ViewerJson.Error(message).ToJsonString(), "application/json; charset=utf-8", statusCode: 404);

    private static IResult BadRequest(string message) => Results.Text(ViewerJson.Error(message).ToJsonString(), "application/json; charset=utf-8", statusCode: 400);
}
