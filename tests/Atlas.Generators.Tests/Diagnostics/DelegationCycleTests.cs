using System.Linq;
using Atlas.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace Atlas.Generators.Tests.Diagnostics;

/// <summary>A delegation cycle in an .atlas file is a build error at the entry that closes it, in either form.</summary>
public class DelegationCycleTests
{
    private const string Atlas = """
        provider offline { kind = mock }

        agent planner(task: string) -> string {
          model     = offline
          delegates = [writer]
          prompt    = "Plan: {{task}}"
        }

        agent writer(task: string) -> string {
          model     = offline
          delegates = [planner]
          prompt    = "Write: {{task}}"
        }
        """;

    [Fact]
    public void DelegationCycle_IsABuildError_AtItsLineAndColumn()
    {
        var result = new GeneratorHarness(("/src/agents.atlas", Atlas)).Run();

        result.AssertNoGeneratorException();
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(
            "/src/agents.atlas(11,16): error ATL3007: Agents delegate to each other in a cycle: planner → writer → planner; remove one of these delegations",
            diagnostic.ToString());
    }

    [Fact]
    public void DelegationChain_WithoutACycle_Generates()
    {
        var result = new GeneratorHarness(("/src/agents.atlas", Atlas.Replace("delegates = [planner]", "max_depth = 1"))).Run();

        result.AssertNoGeneratorException();
        Assert.Empty(result.Diagnostics);
        var planner = result.Results.Single().GeneratedSources.Single(s => s.HintName == "PlannerAgent.g.cs").SourceText.ToString();
        Assert.Contains("Delegates: [WriterAgent.Descriptor]", planner);
    }
}
