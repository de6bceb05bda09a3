using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Atlas.Runtime;

namespace Atlas.Cli.Tests;

/// <summary><c>atlas run</c> of the dispatch example, offline: the dispatcher delegates to both specialists, and the trace says so.</summary>
public sealed class DelegationRunTests
{
    [Fact]
    public void Run_Dispatch_EventsAndProgressShowBothDelegations()
    {
        using var dir = new TempDirectory();
        var events = Path.Combine(dir.Path, "events.jsonl");

        var result = Cli.Offline(
            "run", Cli.Example("dispatch/dispatch.atlas"),
            "--input", "@" + Cli.Example("dispatch/request.json"), "--events", events);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var resolution = Assert.IsType<JsonObject>(JsonNode.Parse(result.Stdout));
        Assert.Equal("R-311", (string?)resolution["request"]);
        Assert.EndsWith("(consulted billing_specialist, tech_specialist)", (string?)resolution["answer"]);

        var log = File.ReadAllLines(events).Select(l => AtlasEventJson.DeserializeEvent(l)!).ToList();
        var started = log.OfType<DelegationStarted>().ToList();
        var completed = log.OfType<DelegationCompleted>().ToList();
        Assert.Equal(["billing_specialist", "tech_specialist"], started.Select(e => e.To));
        Assert.All(started, e => Assert.Equal(("dispatcher", "answer", 1), (e.From, e.Step, e.Depth)));
        Assert.All(completed, e => Assert.True(e.Succeeded && e.Usage.TotalTokens > 0, e.Error));

        // Inside the step that made them, and counted in its usage.
        var answerStarted = log.FindIndex(e => e is StepStarted { Step: "answer" });
        var answerDone = log.FindIndex(e => e is StepCompleted { Step: "answer" });
        Assert.All(started.Concat<AtlasEvent>(completed), e => Assert.InRange(log.IndexOf(e), answerStarted, answerDone));
        var step = (StepCompleted)log[answerDone];
        Assert.True(step.Usage.TotalTokens > completed.Sum(c => c.Usage.TotalTokens));

        Assert.Contains("dispatcher ⇢ billing_specialist {\"question\":", result.Stderr);
        Assert.Contains("dispatcher ⇠ tech_specialist in ", result.Stderr);
    }

    [Fact]
    public void Check_DelegationCycle_IsAnErrorAtTheClosingEntry()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "loop.atlas");
        File.WriteAllText(file, "provider offline { kind = mock }\nagent a(t: string) -> string {\n  model = offline\n  delegates = [a]\n  prompt = \"{{t}}\"\n}\n");

        var result = Cli.Run("check", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("loop.atlas(4,16): error ATL3007: Agents delegate to each other in a cycle: a → a; remove one of these delegations", result.Stdout);
    }

    [Fact]
    public void Run_WorkflowOverItsBudget_FailsNamingTheBudget()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "tight.atlas");
        File.WriteAllText(file, """
            provider offline { kind = mock }
            agent echo(t: string) -> string {
              model  = offline
              prompt = "Say something about {{t}}"
            }
            workflow tight(t: string) -> string {
              budget { tokens = 5 }
              a = echo(t)
              return a
            }
            """);

        var result = Cli.Offline("run", file, "--input", "\"hello\"");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Workflow 'tight' went over its budget of 5 tokens: it has used ", result.Stderr);
    }
}
