using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.Extensions.AI;

namespace Atlas.Interpreter.Tests;

/// <summary>
/// Durable runs end to end on the interpreter and the real SQLite run store: what a run records, resuming after a failure
/// (completed steps and for items reused, no model request sent twice), an edited step, re-running from a step, replay.
/// </summary>
public sealed class DurableRunTests : IDisposable
{
    private const string Secret = "sk-test-0123456789abcdef";

    private const string Flow = """
        provider counted {
          kind = mock
        }

        provider keyed {
          kind    = openai
          model   = "gpt-4o-mini"
          api_key = env("ATLAS_TEST_KEY")
        }

        agent echo(x: string) -> string {
          model  = counted
          prompt = "echo {{x}}"
        }

        agent shout(x: string) -> string {
          model  = counted
          prompt = "shout {{x}}"
        }

        workflow chain(x: string) -> string {
          a = echo(x)
          b = shout(a)
          c = echo(b)
          return c
        }

        workflow fan(xs: string[]) -> string[] {
          r = for t in xs parallel 2 => echo(t)
          return r
        }

        human approve(draft: string) -> bool {
          prompt = "Send {{draft}}?"
        }

        workflow gated(x: string) -> string {
          a  = echo(x)
          ok = approve(a)
          b  = switch ok {
            true  => shout(a)
            false => echo("no")
          }
          return b
        }

        agent cached(x: string) -> string {
          model  = counted
          prompt = "cached {{x}}"
          cache  { ttl = 1h }
        }

        workflow once(x: string) -> string {
          a = cached(x)
          return a
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("atlas-durable-").FullName;
    private readonly CountingChatClient _model = new();

    private string StorePath => Path.Combine(_directory, "runs.db");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task RecordedRun_KeepsTheRunItsStepsAndModelCalls_AndNoSecret()
    {
        var program = Compile(Flow);
        var workflow = program.Workflow("chain");
        string runId;
        await using (var runtime = Runtime(program))
        {
            var result = await Run(runtime, workflow, JsonValue.Create("hi " + Secret), RunOptions.Default);
            Assert.DoesNotContain(Secret, (string?)result, StringComparison.Ordinal);
            runId = Assert.Single(await runtime.RunStore!.ListRunsAsync(new RunQuery())).RunId;
        }

        await using var store = new SqliteRunStore(StorePath);
        var run = await store.GetRunAsync(runId);
        Assert.NotNull(run);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(workflow.Fingerprint, run.Fingerprint);
        Assert.DoesNotContain(Secret, run.Input, StringComparison.Ordinal);
        Assert.StartsWith("\"hi ", run.Input, StringComparison.Ordinal);
        Assert.StartsWith("\"[echo [shout [echo hi ", run.Output, StringComparison.Ordinal);
        var steps = await store.GetStepsAsync(runId);
        Assert.Equal(["a", "b", "c"], steps.Select(s => s.Step).Order());
        Assert.All(steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
        Assert.Equal(workflow.Plan.Nodes.Select(n => n.Fingerprint).Order(), steps.Select(s => s.Fingerprint).Order());
        var calls = await store.GetModelCallsAsync(runId);
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c => Assert.Equal("counted", c.Provider));
        Assert.Contains(calls, c => c.Request.Contains("shout [echo hi ", StringComparison.Ordinal));
        var events = await store.GetEventsAsync(runId);
        Assert.IsType<RunStarted>(events[0]);
        Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal(3, events.OfType<StepCompleted>().Count());
        Assert.DoesNotContain(events, e => e is TokenEmitted);

        await store.DisposeAsync();
        foreach (var file in Directory.GetFiles(_directory))
        {
            Assert.DoesNotContain(Secret, Encoding.UTF8.GetString(File.ReadAllBytes(file)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Resume_AfterAFailedStep_ReusesTheCompletedSteps_AndSendsNoRequestTwice()
    {
        var program = Compile(Flow);
        var workflow = program.Workflow("chain");
        await using var runtime = Runtime(program);
        _model.FailWhen = prompt => prompt.StartsWith("echo [shout", StringComparison.Ordinal);

        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => Run(runtime, workflow, JsonValue.Create("x"), RunOptions.Default));
        Assert.Equal("c", failed.Step);
        Assert.Equal(RunStatus.Failed, (await runtime.RunStore!.GetRunAsync(failed.RunId))!.Status);

        _model.FailWhen = null;
        var result = await Run(runtime, workflow, JsonValue.Create("x"), new RunOptions { ResumeRunId = failed.RunId[..8] });

        Assert.Equal("[echo [shout [echo x]]]", (string?)result);
        Assert.Equal(1, _model.Sent("echo x"));
        Assert.Equal(1, _model.Sent("shout [echo x]"));
        Assert.Equal(2, _model.Sent("echo [shout [echo x]]")); // the failed attempt, then the resumed one
        var run = await runtime.RunStore.GetRunAsync(failed.RunId);
        Assert.Equal(RunStatus.Succeeded, run!.Status);
        var steps = (await runtime.RunStore.GetStepsAsync(failed.RunId)).ToDictionary(s => s.Step);
        Assert.True(steps["a"].Reused);
        Assert.True(steps["b"].Reused);
        Assert.False(steps["c"].Reused);
        Assert.Equal(StepStatus.Succeeded, steps["c"].Status);
    }

    [Fact]
    public async Task Resume_OfAnEditedWorkflow_RunsTheEditedStepAndEverythingAfterIt()
    {
        var first = Compile(Flow);
        string runId;
        await using (var runtime = Runtime(first))
        {
            _model.FailWhen = prompt => prompt.StartsWith("echo [shout", StringComparison.Ordinal);
            runId = (await Assert.ThrowsAsync<WorkflowFailedException>(() => Run(runtime, first.Workflow("chain"), JsonValue.Create("x"), RunOptions.Default))).RunId;
            _model.FailWhen = null;
        }

        var edited = Compile(Flow.Replace("prompt = \"shout {{x}}\"", "prompt = \"SHOUT {{x}}\"", StringComparison.Ordinal));
        await using (var runtime = Runtime(edited))
        {
            var result = await Run(runtime, edited.Workflow("chain"), JsonValue.Create("x"), new RunOptions { ResumeRunId = runId });
            Assert.Equal("[echo [SHOUT [echo x]]]", (string?)result);
            var steps = (await runtime.RunStore!.GetStepsAsync(runId)).ToDictionary(s => s.Step);
            Assert.True(steps["a"].Reused);
            Assert.False(steps["b"].Reused);
            Assert.False(steps["c"].Reused);
        }

        Assert.Equal(1, _model.Sent("echo x"));
        Assert.Equal(1, _model.Sent("SHOUT [echo x]"));
    }

    [Fact]
    public async Task FromStep_IsANewRunLinkedToItsParent_ThatReusesTheStepsBeforeIt()
    {
        var program = Compile(Flow);
        var workflow = program.Workflow("chain");
        await using var runtime = Runtime(program);
        await Run(runtime, workflow, JsonValue.Create("x"), RunOptions.Default);
        var parent = Assert.Single(await runtime.RunStore!.ListRunsAsync(new RunQuery())).RunId;

        var result = await Run(runtime, workflow, JsonValue.Create("x"), new RunOptions { ResumeRunId = parent, FromStep = "b" });

        Assert.Equal("[echo [shout [echo x]]]", (string?)result);
        var child = (await runtime.RunStore.ListRunsAsync(new RunQuery())).Single(r => r.RunId != parent);
        Assert.Equal(parent, child.ParentRunId);
        var steps = (await runtime.RunStore.GetStepsAsync(child.RunId)).ToDictionary(s => s.Step);
        Assert.True(steps["a"].Reused);
        Assert.Equal(Usage.Zero, steps["a"].Usage);
        Assert.False(steps["b"].Reused);
        Assert.Equal(1, _model.Sent("echo x"));
        Assert.Equal(2, _model.Sent("shout [echo x]"));
    }

    [Fact]
    public async Task Replay_AnswersEveryModelCallFromTheRecordedRun_AndFailsARequestItDidNotRecord()
    {
        var program = Compile(Flow);
        var workflow = program.Workflow("chain");
        await using var runtime = Runtime(program);
        var recorded = await Run(runtime, workflow, JsonValue.Create("x"), RunOptions.Default);
        var source = Assert.Single(await runtime.RunStore!.ListRunsAsync(new RunQuery())).RunId;
        _model.FailWhen = _ => true; // a replay must not reach the model

        var replayed = await Run(runtime, workflow, JsonValue.Create("x"), new RunOptions { ReplayRunId = source });
        var other = await Assert.ThrowsAsync<WorkflowFailedException>(() => Run(runtime, workflow, JsonValue.Create("y"), new RunOptions { ReplayRunId = source }));

        Assert.Equal((string?)recorded, (string?)replayed);
        Assert.Equal(3, _model.Total);
        Assert.Equal("a", other.Step);
        Assert.Contains($"run {source} recorded no reply to this request of agent 'echo'", other.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_OfAForStep_RunsOnlyTheItemsThatDidNotFinish()
    {
        var program = Compile(Flow);
        var workflow = program.Workflow("fan");
        await using var runtime = Runtime(program);
        var items = new JsonArray("1", "2", "3", "4", "5", "6");
        _model.FailWhen = prompt => prompt == "echo 5";

        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => Run(runtime, workflow, items, RunOptions.Default));
        var finished = (await runtime.RunStore!.GetItemsAsync(failed.RunId, "r")).Select(i => i.Item).ToList();
        Assert.Contains(1, finished);
        Assert.DoesNotContain(5, finished);

        _model.FailWhen = null;

        var result = await Run(runtime, workflow, items, new RunOptions { ResumeRunId = failed.RunId });

        Assert.Equal("""["[echo 1]","[echo 2]","[echo 3]","[echo 4]","[echo 5]","[echo 6]"]""", result!.ToJsonString());
        // A finished item is not run again; an item cut off by the failure had its reply recorded, which answers it now.
        foreach (var item in new[] { 1, 2, 3, 4, 6 }) Assert.Equal(1, _model.Sent($"echo {item}"));
        Assert.Equal(2, _model.Sent("echo 5"));
        // The replies the resume took from its earlier attempt are the run's already: each reply is recorded once.
        var calls = await runtime.RunStore.GetModelCallsAsync(failed.RunId);
        Assert.Equal(6, calls.Count);
        Assert.Equal(6, calls.Select(c => c.RequestKey).Distinct().Count());
        Assert.DoesNotContain(calls, c => c.CacheHit);
    }

    [Fact]
    public async Task HumanStep_WithNoOneToAsk_Waits_ThenTheRecordedAnswerResumesIt()
    {
        var program = Compile(Flow);
        var workflow = program.Workflow("gated");
        await using var runtime = Runtime(program);

        var waiting = await Assert.ThrowsAsync<HumanInputRequiredException>(() => Run(runtime, workflow, JsonValue.Create("x"), RunOptions.Default));
        Assert.Equal("ok", waiting.Step);
        var run = await runtime.RunStore!.GetRunAsync(waiting.RunId);
        Assert.Equal(RunStatus.Waiting, run!.Status);
        var question = Assert.Single(await runtime.RunStore.GetHumanRequestsAsync(waiting.RunId));
        Assert.Equal("Send [echo x]?", question.Prompt);
        Assert.Null(question.Answer);
        Assert.Contains(await runtime.RunStore.GetEventsAsync(waiting.RunId), e => e is HumanRequested { Step: "ok", Human: "approve" });

        Assert.True(await runtime.RunStore.AnswerHumanAsync(waiting.RunId, "ok", "true", DateTimeOffset.UtcNow));
        var result = await Run(runtime, workflow, JsonValue.Create("x"), new RunOptions { ResumeRunId = waiting.RunId });

        Assert.Equal("[shout [echo x]]", (string?)result);
        Assert.Equal(1, _model.Sent("echo x"));
        Assert.Equal(RunStatus.Succeeded, (await runtime.RunStore.GetRunAsync(waiting.RunId))!.Status);
        Assert.Contains(await runtime.RunStore.GetEventsAsync(waiting.RunId), e => e is HumanAnswered { Answer: "true" });
    }

    [Fact]
    public async Task HumanStep_AskedThroughTheHost_IsAskedAgainUntilTheAnswerIsValid()
    {
        var program = Compile(Flow);
        var asked = new List<HumanQuestion>();
        var answers = new Queue<string>(["perhaps", "n"]);
        await using var runtime = Runtime(program, new DelegateHumanInput(question =>
        {
            asked.Add(question);
            return answers.Dequeue();
        }));

        var result = await Run(runtime, program.Workflow("gated"), JsonValue.Create("x"), RunOptions.Default);

        Assert.Equal("[echo no]", (string?)result);
        Assert.Equal(2, asked.Count);
        Assert.Equal("answer y or n", asked[1].Problem);
        var runId = Assert.Single(await runtime.RunStore!.ListRunsAsync(new RunQuery())).RunId;
        Assert.Equal("false", Assert.Single(await runtime.RunStore.GetHumanRequestsAsync(runId)).Answer);
    }

    [Fact]
    public async Task Cache_AnswersAnIdenticalRequestFromTheStore_ForFree_UntilItsTtl()
    {
        var time = new ManualTime(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var program = Compile(Flow);
        var workflow = program.Workflow("once");
        await using var runtime = Runtime(program, time: time);

        await Run(runtime, workflow, JsonValue.Create("x"), RunOptions.Default);
        time.Advance(TimeSpan.FromMinutes(59));
        var events = new List<AtlasEvent>();
        await foreach (var e in runtime.RunStreamingAsync(workflow.Graph, workflow.CreateState(JsonValue.Create("x")), RunOptions.Default, CancellationToken.None)) events.Add(e);
        time.Advance(TimeSpan.FromMinutes(2));
        await Run(runtime, workflow, JsonValue.Create("x"), RunOptions.Default);

        Assert.Equal(2, _model.Sent("cached x")); // the first run, and the third (after the ttl)
        var hit = Assert.Single(events.OfType<CacheHit>());
        Assert.Equal("cache", hit.Source);
        Assert.Equal(Usage.Zero, events.OfType<RunCompleted>().Single().Usage);
    }

    private sealed class DelegateHumanInput(Func<HumanQuestion, string?> answer) : IHumanInput
    {
        public Task<string?> AskAsync(HumanQuestion question, CancellationToken cancellationToken) => Task.FromResult(answer(question));
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }

    private static AtlasProgram Compile(string text)
    {
        var compilation = AtlasInterpreter.CompileText(text, "flow.atlas");
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        return compilation.Program;
    }

    private AtlasRuntime Runtime(AtlasProgram program, IHumanInput? humans = null, TimeProvider? time = null)
    {
        var options = new AtlasRuntimeOptions
        {
            GetEnvironmentVariable = name => name == "ATLAS_TEST_KEY" ? Secret : null,
            HumanInput = humans,
            TimeProvider = time ?? TimeProvider.System,
        };
        program.AddDeclarationsTo(options);
        options.ChatClients["counted"] = _model;
        options.UseOpenAI(); // provider 'keyed' reads its key, which the runtime then keeps out of everything it records
        options.UseRunStore(StorePath);
        return new AtlasRuntime(options);
    }

    private static Task<JsonNode?> Run(AtlasRuntime runtime, WorkflowInterpreter workflow, JsonNode? input, RunOptions options) =>
        runtime.RunAsync(workflow.Graph, workflow.CreateState(workflow.ConformInput(input)), workflow.GetResult, options, CancellationToken.None);

    /// <summary>A model that answers <c>[prompt]</c>, counts every request by prompt, and fails the prompts it is told to.</summary>
    private sealed class CountingChatClient : IChatClient
    {
        private readonly ConcurrentDictionary<string, int> _sent = new(StringComparer.Ordinal);

        public Func<string, bool>? FailWhen { get; set; }

        public int Total => _sent.Values.Sum();

        public int Sent(string prompt) => _sent.GetValueOrDefault(prompt);

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var prompt = messages.Last().Text;
            _sent.AddOrUpdate(prompt, 1, (_, n) => n + 1);
            if (FailWhen?.Invoke(prompt) == true) throw new InvalidOperationException($"the model is down for '{prompt}'");
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"[{prompt}]")) { Usage = new UsageDetails { InputTokenCount = 3, OutputTokenCount = 2 } });
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates()) yield return update;
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
