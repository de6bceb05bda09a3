using System.Reflection;
using System.Text.Json;
using Atlas.Emitter.Tests.TestSupport;

namespace Atlas.Emitter.Tests;

/// <summary>
/// Generated code compiled with Roslyn, loaded, and run on the runtime's offline <c>mock</c>
/// provider: a consumer resolves workflows from <c>AddAtlas()</c> and gets typed results.
/// </summary>
public class RunTests
{
    /// <summary>Compiles a project's generated code with tool implementations and <paramref name="probe"/>, and calls its static methods.</summary>
    private static Func<string, Task<string>> Load(string project, string probe)
    {
        var model = AtlasProject.Get(project).Compile();
        var assembly = RoslynCompiler.Load(RoslynCompiler.Compile(AtlasProject.Generate(model), Consumer.ToolImplementations(model), probe));
        var type = assembly.GetType(AtlasProject.Namespace + ".Probe", throwOnError: true)!;
        return async name =>
        {
            var method = type.GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new MissingMethodException("Probe", name);
            try
            {
                return await (Task<string>)method.Invoke(null, null)!;
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        };
    }

    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Text.Json;
        using System.Threading.Tasks;
        using System.Threading.Tasks.Dataflow;
        using Atlas.Runtime;
        using Microsoft.Extensions.DependencyInjection;

        namespace Atlas.Generated;

        """;

    private const string SketchProbe = Usings + """"
        internal static class Probe
        {
            // Offline whatever the machine has set: every key reads as unset, so routes fall through to mock.
            private static ServiceProvider Services() =>
                new ServiceCollection().AddAtlas(options => options.GetEnvironmentVariable = _ => null).BuildServiceProvider();

            public static async Task<string> Support()
            {
                await using var provider = Services();
                var workflow = provider.GetRequiredService<SupportWorkflow>();
                Reply reply = await workflow.RunAsync(new Ticket("t-1", "Refund", "I was charged twice"));
                return AtlasJson.Serialize(reply);
            }

            public static async Task<string> TriageAll()
            {
                await using var provider = Services();
                var tickets = Enumerable.Range(1, 5).Select(i => new Ticket($"t-{i}", $"subject {i}", $"body {i}")).ToList();
                IReadOnlyList<Triage> results = await provider.GetRequiredService<TriageAllWorkflow>().RunAsync(tickets);
                return AtlasJson.Serialize(results);
            }

            public static async Task<string> Block()
            {
                await using var provider = Services();
                var block = provider.GetRequiredService<SupportWorkflow>().CreateBlock(new WorkflowBlockOptions(BoundedCapacity: 2));
                for (int i = 0; i < 4; i++) await block.SendAsync(new Ticket($"t-{i}", "s", "b"));
                block.Complete();
                var ids = new List<string>();
                for (int i = 0; i < 4; i++)
                {
                    WorkflowResult<Reply> result = await block.ReceiveAsync();
                    ids.Add(result.Succeeded ? result.Value!.Ticket : "error: " + result.Error);
                }

                await block.Completion;
                return string.Join(",", ids.Order());
            }

            public static async Task<string> Streaming()
            {
                await using var provider = Services();
                var events = new List<string>();
                await foreach (var e in provider.GetRequiredService<SupportWorkflow>().RunStreamingAsync(new Ticket("t-9", "s", "b")))
                {
                    events.Add(e switch
                    {
                        StepStarted s => "started:" + s.Step,
                        StepCompleted s => "completed:" + s.Step,
                        RunCompleted r => "run:" + r.Succeeded,
                        _ => "",
                    });
                }

                return string.Join(" ", events.Where(e => e.Length > 0));
            }

            public static async Task<string> StreamAgent()
            {
                await using var provider = Services();
                var triage = new Triage(Category.Billing, 3, "double charge", ["billing"], null);
                var parts = new List<string>();
                await foreach (var token in provider.GetRequiredService<BillingExpertAgent>().StreamAsync(new Ticket("t", "s", "b"), triage)) parts.Add(token);
                return parts.Count + ":" + string.Concat(parts);
            }

            public static Task<string> JsonRoundTrip()
            {
                var triage = AtlasJson.Deserialize<Triage>("""{"category":"bug","urgency":2,"summary":"crash","tags":["a","b"],"owner":null}""")!;
                return Task.FromResult(triage.Category + "|" + AtlasJson.Serialize(triage) + "|" + AtlasJson.Serialize<IReadOnlyList<Category>>([Category.Account]));
            }

            public static Task<string> JsonMissingField() => Error("""{"category":"bug","summary":"crash","tags":[]}""");

            public static Task<string> JsonUnknownEnum() => Error("""{"category":"urgent","urgency":1,"summary":"s","tags":[]}""");

            public static Task<string> JsonWrongKind() => Error("""{"category":"bug","urgency":"high","summary":"s","tags":[]}""");

            public static Task<string> JsonNullRequired() => Error("""{"category":"bug","urgency":1,"summary":null,"tags":[]}""");

            public static Task<string> JsonUnknownField() => Error("""{"category":"bug","urgency":1,"summary":"s","tags":[],"ownr":"x"}""");

            public static Task<string> JsonUnknownPassageField() => Error<Passage>("""{"text":"t","source":"s","score":0.5,"url":"u"}""");

            private static Task<string> Error(string json) => Error<Triage>(json);

            private static Task<string> Error<T>(string json)
            {
                try
                {
                    AtlasJson.Deserialize<T>(json);
                    return Task.FromResult("no error");
                }
                catch (JsonException e)
                {
                    return Task.FromResult(e.Message);
                }
            }
        }
        """";

    private static readonly Lazy<Func<string, Task<string>>> Sketch = new(() => Load("sketch", SketchProbe));

    [Fact]
    public async Task Run_SupportWorkflowFromDI_ReturnsTypedReplyOnMock()
    {
        using var reply = JsonDocument.Parse(await Sketch.Value("Support"));
        Assert.Equal("t-1", reply.RootElement.GetProperty("ticket").GetString());
        Assert.Contains(reply.RootElement.GetProperty("category").GetString(), new[] { "billing", "bug", "account", "other" });
        Assert.False(string.IsNullOrEmpty(reply.RootElement.GetProperty("answer").GetString()));
    }

    [Fact]
    public async Task Run_ForParallelWithRetry_ReturnsOneResultPerItemInOrder()
    {
        using var results = JsonDocument.Parse(await Sketch.Value("TriageAll"));
        Assert.Equal(5, results.RootElement.GetArrayLength());
        Assert.All(results.RootElement.EnumerateArray(), t => Assert.Equal(JsonValueKind.Array, t.GetProperty("tags").ValueKind));
    }

    [Fact]
    public async Task Run_Block_GivesOneResultPerInput() =>
        Assert.Equal("t-0,t-1,t-2,t-3", await Sketch.Value("Block"));

    [Fact]
    public async Task Run_Streaming_EndsWithASuccessfulRunCompleted()
    {
        var events = (await Sketch.Value("Streaming")).Split(' ');
        Assert.Equal("run:True", events[^1]);
        Assert.Contains("completed:triage", events);
        Assert.Contains("completed:answer", events);
        Assert.True(Array.IndexOf(events, "completed:triage") < Array.IndexOf(events, "completed:answer"));
    }

    [Fact]
    public async Task Run_TextAgentStream_YieldsTokens()
    {
        var result = await Sketch.Value("StreamAgent");
        Assert.True(int.Parse(result.Split(':')[0]) > 0, result);
    }

    [Fact]
    public async Task Json_Record_RoundTripsWithDeclaredNames() =>
        Assert.Equal(
            """Bug|{"category":"bug","urgency":2,"summary":"crash","tags":["a","b"],"owner":null}|["account"]""",
            await Sketch.Value("JsonRoundTrip"));

    [Fact]
    public async Task Json_MissingRequiredField_NamesTheField() =>
        Assert.Equal("Triage is missing the required field \"urgency\".", await Sketch.Value("JsonMissingField"));

    [Fact]
    public async Task Json_UnknownEnumValue_ListsTheMembers() =>
        Assert.Equal("Triage.category: \"urgent\" is not a Category; expected one of billing, bug, account, other.", await Sketch.Value("JsonUnknownEnum"));

    [Fact]
    public async Task Json_WrongKind_SaysWhereAndWhat() =>
        Assert.Equal("Triage.urgency must be a whole number, but the JSON has a string.", await Sketch.Value("JsonWrongKind"));

    [Fact]
    public async Task Json_NullForRequiredField_IsAnError() =>
        Assert.Equal("Triage.summary must be a string, but the JSON has null.", await Sketch.Value("JsonNullRequired"));

    /// <summary>The rule the interpreter follows too (spec/language.md §5): a property the type does not declare is rejected, never skipped.</summary>
    [Fact]
    public async Task Json_UnknownField_IsRejectedListingTheDeclaredFields() =>
        Assert.Equal("unknown field \"Triage.ownr\" (Triage has category, urgency, summary, tags, owner)", await Sketch.Value("JsonUnknownField"));

    [Fact]
    public async Task Json_UnknownPassageField_IsRejectedListingPassagesFields() =>
        Assert.Equal("unknown field \"Passage.url\" (Passage has text, source, score, heading, title)", await Sketch.Value("JsonUnknownPassageField"));

    private const string CoverageProbe = Usings + """"
        internal static class Probe
        {
            public static async Task<string> Pipeline()
            {
                await using var provider = new ServiceCollection().AddAtlas().BuildServiceProvider();
                IReadOnlyList<Summary> results = await provider.GetRequiredService<PipelineWorkflow>().RunAsync(["ok", "fine"]);
                string status = await provider.GetRequiredService<StatusWorkflow>().RunAsync();
                int echo = await provider.GetRequiredService<EchoWorkflow>().RunAsync("hello");
                return AtlasJson.Serialize(results) + "|" + (status.Length > 0) + "|" + echo;
            }

            public static Task<string> Recursive()
            {
                var node = new Node("root", [new Node("child", [], null)], null);
                var json = AtlasJson.Serialize(node);
                var back = AtlasJson.Deserialize<Node>(json)!;
                var measure = AtlasJson.Deserialize<Measure>("""{"class":"c","json_schema":"s","measure":2,"values":[1,2.5],"severity":"very_high","count":null,"flag":true}""")!;
                return Task.FromResult(json + "|" + back.Children[0].Label + "|" + measure.Severity + "|" + measure.MeasureValue + "|" + AtlasJson.Serialize(measure));
            }
        }
        """";

    [Fact]
    public async Task Run_CoverageWorkflows_ToolsNestedWorkflowsSwitchesAndForRun()
    {
        var run = Load("coverage", CoverageProbe);
        var parts = (await run("Pipeline")).Split('|');
        using var summaries = JsonDocument.Parse(parts[0]);
        Assert.Equal(2, summaries.RootElement.GetArrayLength());
        var first = summaries.RootElement[0];
        Assert.Equal("one", first.GetProperty("text").GetString()); // the word_count tool answers 1
        Assert.Equal("low", first.GetProperty("severity").GetString()); // "ok" => Severity.low
        Assert.Equal("[1,2,1]", first.GetProperty("scores").GetRawText());
        Assert.Equal(["True", "1"], parts[1..]);
    }

    [Fact]
    public async Task Json_RecursiveRecordAndRenamedMembers_RoundTrip()
    {
        var run = Load("coverage", CoverageProbe);
        Assert.Equal(
            """{"label":"root","children":[{"label":"child","children":[],"parent":null}],"parent":null}|child|VeryHigh|2|{"class":"c","json_schema":"s","measure":2,"values":[1,2.5],"severity":"very_high","count":null,"flag":true}""",
            await run("Recursive"));
    }
}
