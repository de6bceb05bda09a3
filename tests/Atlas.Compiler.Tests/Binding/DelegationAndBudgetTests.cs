using System.Linq;
using Atlas.Compiler.Model;
using Atlas.Compiler.Text;
using static Atlas.Compiler.Tests.Binding.BindingAssert;

namespace Atlas.Compiler.Tests.Binding;

/// <summary>`delegates` builds a graph the checker keeps acyclic (ATL3007); `max_depth` and `budget` bind with range checks.</summary>
public class DelegationAndBudgetTests
{
    private const string Header = "provider offline { kind = mock }\n";

    private static string Agent(string name, string extra = "") =>
        $"agent {name}(task: string) -> string {{\n  model = offline\n{extra}  prompt = \"{{{{task}}}}\"\n}}\n";

    [Fact]
    public void DelegationCycle_OfTwoAgents_IsATL3007AtTheEntryThatClosesIt()
    {
        var source = Header
            + Agent("planner", "  delegates = [writer]\n")     // lines 2-6
            + Agent("writer", "  delegates = [planner]\n");    // lines 7-11, `planner` at (9,16)
        var result = AssertDiagnostics(source, ("ATL3007", 9, 16));
        AssertMessage(result, "ATL3007", "Agents delegate to each other in a cycle: planner → writer → planner");
    }

    [Fact]
    public void SelfDelegation_IsATL3007()
    {
        var result = AssertDiagnostics(Header + Agent("solo", "  delegates = [other, solo]\n") + Agent("other"), ("ATL3007", 4, 23));
        AssertMessage(result, "ATL3007", "solo → solo");
    }

    [Fact]
    public void DelegationCycle_OfThree_IsReportedOnce()
    {
        var source = Header
            + Agent("a", "  delegates = [b]\n")
            + Agent("b", "  delegates = [c]\n")
            + Agent("c", "  delegates = [a]\n");     // lines 12-16: `a` at (14,16)
        var result = AssertDiagnostics(source, ("ATL3007", 14, 16));
        AssertMessage(result, "ATL3007", "a → b → c → a");
    }

    [Fact]
    public void Delegation_ThatIsADiamond_IsNoCycle()
    {
        var source = Header
            + Agent("top", "  delegates = [left, right]\n")
            + Agent("left", "  delegates = [bottom]\n")
            + Agent("right", "  delegates = [bottom]\n")
            + Agent("bottom");
        var result = AssertDiagnostics(source);
        var top = result.Model.Agents.Single(a => a.Name == "top");
        Assert.Equal(new[] { "left", "right" }, top.Delegates);
    }

    [Fact]
    public void MaxDepthAndBudget_OnAnAgent_Bind()
    {
        var result = AssertDiagnostics(Header + Agent("a", "  delegates = [b]\n  max_depth = 2\n  budget { usd = 0.25, tokens = 5000 }\n") + Agent("b"));
        var a = result.Model.Agents.Single(x => x.Name == "a");
        Assert.Equal(2, a.MaxDepth);
        Assert.Equal(new BudgetModel(0.25m, 5000), a.Budget);
        Assert.Null(result.Model.Agents.Single(x => x.Name == "b").Budget);
    }

    /// <summary>The dollar limit is the literal's decimal, digit for digit: no double sits between the text and the runtime.</summary>
    [Theory]
    [InlineData("0.1", "0.1")]
    [InlineData("0.50", "0.5")]
    [InlineData("12.345678901234567890123", "12.345678901234567890123")]
    [InlineData("2e-3", "0.002")]
    public void BudgetUsd_BindsToTheLiteralsExactDecimal(string literal, string expected)
    {
        var result = AssertDiagnostics(Header + Agent("a", "  budget { usd = " + literal + " }\n"));
        var usd = Assert.Single(result.Model.Agents).Budget!.Usd;
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), usd);
        Assert.Equal(expected, usd!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void BudgetUsd_BeyondADecimal_IsATL2009AtTheValue()
    {
        var result = AssertDiagnostics(Header + Agent("a", "  budget { usd = 1e30 }\n"), ("ATL2009", 4, 18));
        AssertMessage(result, "ATL2009", "`usd` must be at most 79228162514264337593543950335, not 1e30");
        Assert.Null(Assert.Single(result.Model.Agents).Budget);
    }

    [Fact]
    public void BadMaxDepthAndBudgetValues_AreReportedAtTheirValues()
    {
        var source = Header + Agent("a", "  max_depth = 0\n  budget { usd = 0, tokens = 1.5 }\n") + Agent("b", "  budget { }\n") + Agent("c", "  budget = 3\n") + Agent("d", "  budget { dollars = 1 }\n");
        var result = AssertDiagnostics(
            source,
            ("ATL2009", 4, 15),   // max_depth = 0
            ("ATL2009", 5, 18),   // usd = 0
            ("ATL2008", 5, 30),   // tokens = 1.5
            ("ATL2032", 10, 10),  // budget { }
            ("ATL2008", 15, 12),  // budget = 3
            ("ATL2007", 20, 12),  // dollars
            ("ATL2032", 20, 10)); // ... so nothing is set
        AssertMessage(result, "ATL2009", "`max_depth` must be at least 1, not 0");
        AssertMessage(result, "ATL2009", "`usd` must be more than 0, not 0");
        AssertMessage(result, "ATL2032", "`budget` must set `usd`, `tokens` or both");
    }

    [Fact]
    public void MaxToolCalls_OnAnAgentWithDelegates_Binds_AndUnsetIsNull()
    {
        var result = AssertDiagnostics(Header + Agent("a", "  delegates = [b]\n  max_tool_calls = 12\n") + Agent("b"));
        Assert.Equal(12, result.Model.Agents.Single(x => x.Name == "a").MaxToolCalls);
        Assert.Null(result.Model.Agents.Single(x => x.Name == "b").MaxToolCalls);
    }

    [Fact]
    public void MaxToolCalls_BelowOne_IsATL2009_AndWithoutToolsOrDelegates_IsATL2029AtTheAttribute()
    {
        var source = Header + Agent("a", "  delegates = [b]\n  max_tool_calls = 0\n") + Agent("b", "  max_tool_calls = 3\n") + Agent("c", "  max_tool_calls = \"many\"\n");
        var result = AssertDiagnostics(
            source,
            ("ATL2009", 5, 20),   // max_tool_calls = 0
            ("ATL2029", 10, 3),   // b has nothing to call
            ("ATL2008", 15, 20)); // "many"
        AssertMessage(result, "ATL2009", "`max_tool_calls` must be at least 1, not 0");
        AssertMessage(result, "ATL2029", "`max_tool_calls` has no effect: agent `b` has no `tools` or `delegates` to call; remove it, or add what the agent should call");
        Assert.False(result.Diagnostics.Single(d => d.Id == "ATL2029").IsError);
    }

    [Fact]
    public void WorkflowBudget_IsASettingNotAStep()
    {
        var source = Header + Agent("echo") + """
            workflow w(text: string) -> string {
              a = echo(text)
              budget { usd = 0.5, tokens = 20000 }
              b = echo(a)
              return b
            }
            """;
        var result = AssertDiagnostics(source);
        var workflow = Assert.Single(result.Model.Workflows);
        Assert.Equal(new BudgetModel(0.5m, 20000), workflow.Budget);
        Assert.Equal(new[] { "a", "b" }, workflow.Steps.Select(s => s.Name));
    }

    [Fact]
    public void WorkflowBudget_Twice_OrAnUnknownSetting_IsReported()
    {
        var source = Header + Agent("echo") + """
            workflow w(text: string) -> string {
              budget { usd = 0.5 }
              budget { tokens = 10 }
              limits { usd = 1 }
              a = echo(text)
              return a
            }
            """;
        var result = AssertDiagnostics(source, ("ATL2020", 8, 3), ("ATL2007", 9, 3));
        AssertMessage(result, "ATL2007", "`workflow w` has no attribute `limits`");
        Assert.Equal(new BudgetModel(0.5m, null), Assert.Single(result.Model.Workflows).Budget);
    }

    [Fact]
    public void BudgetNamedStep_IsStillAStep()
    {
        var source = Header + Agent("echo") + """
            workflow w(text: string) -> string {
              budget = echo(text)
              return budget
            }
            """;
        var result = AssertDiagnostics(source);
        Assert.Equal("budget", Assert.Single(Assert.Single(result.Model.Workflows).Steps).Name);
    }

    [Fact]
    public void Yaml_DelegationCycleAndBudgets_BindLikeAtlas()
    {
        const string yaml = """
            providers:
              offline: { kind: mock }
            agents:
              planner:
                params: { task: string }
                returns: string
                model: offline
                delegates: [writer]
                max_depth: 2
                max_tool_calls: 7
                budget: { usd: 0.1, tokens: 900 }
                prompt: "Plan {{task}}"
              writer:
                params: { task: string }
                returns: string
                model: offline
                delegates: [planner]
                prompt: "Write {{task}}"
            workflows:
              w:
                params: { task: string }
                returns: string
                budget: { tokens: 1000 }
                steps:
                  a: planner(task)
                return: a
            """;
        var result = AtlasCompiler.Compile(new SourceFile("t.atlas.yaml", yaml));
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal(("ATL3007", 17, 17), (error.Id, error.Location.Start.Line, error.Location.Start.Column));
        var planner = result.Model.Agents.Single(a => a.Name == "planner");
        Assert.Equal((2, 7, new BudgetModel(0.1m, 900)), (planner.MaxDepth, planner.MaxToolCalls, planner.Budget));
        Assert.Equal(new BudgetModel(null, 1000), Assert.Single(result.Model.Workflows).Budget);
    }
}
