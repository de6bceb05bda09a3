using System.Linq;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Tests.Diagnostics;

/// <summary>
/// Mistakes a new user makes first, each with the whole set of diagnostics it must give: where (line,
/// column), which id, and what it says. Each was once reported somewhere else, or with a second,
/// contradictory or misleading diagnostic next to it.
/// </summary>
public class DiagnosticPlacementTests
{
    private const string Agent = """
        provider p { kind = mock }
        agent a(x: string) -> string {
          model  = p
          prompt = "hi {{x}}"
        }

        """;

    private static void AssertExactly(string path, string source, params string[] expected)
    {
        var result = AtlasCompiler.Compile(new SourceFile(path, source));
        var actual = result.Diagnostics.Select(d => d.ToString()).ToArray();
        Assert.True(expected.SequenceEqual(actual), "Expected:\n  " + string.Join("\n  ", expected) + "\nActual:\n  " + string.Join("\n  ", actual));
    }

    [Fact]
    public void Duration_SpaceBeforeTheUnit_IsReportedAtTheValueNotAtTheNextLine()
    {
        AssertExactly("t.atlas", Agent + """
            workflow w(x: string) -> string {
              r = a(x) with {
                timeout = 30 s
                retry = 2
              }
              return r
            }
            """,
            "t.atlas(8,15): error ATL0007: `30 s` is not a duration: write the unit right after the number, without a space: `30s`");
    }

    [Fact]
    public void Duration_SpaceBeforeAnAttributeNamedLikeAUnit_IsNotADuration()
    {
        // `m = 3` after a number is the next attribute, not a unit.
        AssertExactly("t.atlas", """
            provider p { kind = mock, max_concurrency = 2 m = 3 }
            """,
            "t.atlas(1,10): warning ATL2013: Provider `p` is declared but never used",
            "t.atlas(1,47): error ATL2007: `provider p` has no attribute `m`");
    }

    [Fact]
    public void Duration_UnitOtherToolsWrite_OnlyTheUnitErrorWithTheAtlasSpelling()
    {
        AssertExactly("t.atlas", Agent + """
            workflow w(x: string) -> string {
              r = a(x) with { timeout = 1min }
              return r
            }
            """,
            "t.atlas(7,30): error ATL0004: `min` is not a duration unit; use ms, s, m or h (e.g. `500ms`, `20s`); did you mean `1m`?");
    }

    [Theory]
    [InlineData("1min", "; did you mean `1m`?")]
    [InlineData("30 s", "; did you mean `30s`?")]
    [InlineData("2 hours", "; did you mean `2h`?")]
    [InlineData("\"soon\"", "")]
    public void YamlDuration_WrittenAsAString_SaysWhatToWrite(string value, string hint)
    {
        AssertExactly("t.atlas.yaml", $$$"""
            providers:
              offline:
                kind: mock
                timeout: {{{value}}}
            agents:
              a:
                params: { x: string }
                returns: string
                model: offline
                prompt: "hi {{x}}"
            """,
            $"t.atlas.yaml(4,14): error ATL2008: `timeout` must be a duration such as `500ms`, `20s` or `2m`, not a string{hint}");
    }

    [Fact]
    public void Duration_UnknownUnit_NoSuggestionAndNoRangeError()
    {
        AssertExactly("t.atlas", Agent + """
            workflow w(x: string) -> string {
              r = a(x) with { timeout = 2d }
              return r
            }
            """,
            "t.atlas(7,30): error ATL0004: `d` is not a duration unit; use ms, s, m or h (e.g. `500ms`, `20s`)");
    }

    [Fact]
    public void Agent_System_SuggestsInstructions()
    {
        AssertExactly("t.atlas", """
            provider p { kind = mock }
            agent a(x: string) -> string {
              model  = p
              system = "be brief"
              prompt = "hi {{x}}"
            }
            """,
            "t.atlas(4,3): error ATL2007: `agent a` has no attribute `system`; did you mean `instructions`?");
    }

    [Fact]
    public void YamlAgent_System_SuggestsInstructions()
    {
        var result = AtlasCompiler.Compile(new SourceFile("t.atlas.yaml", """
            providers:
              p: { kind: mock }
            agents:
              a:
                params: { x: string }
                returns: string
                model: p
                system: be brief
                prompt: "hi {{x}}"
            """));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("t.atlas.yaml(8,5): error ATL2007: `agent a` has no attribute `system`; did you mean `instructions`?", diagnostic.ToString());
    }

    [Fact]
    public void With_Retries_SuggestsRetry()
    {
        AssertExactly("t.atlas", Agent + """
            workflow w(x: string) -> string {
              r = a(x) with { retries = 3 }
              return r
            }
            """,
            "t.atlas(7,19): error ATL2007: `with` has no attribute `retries`; did you mean `retry`?");
    }

    [Fact]
    public void SyntaxError_NoUnusedWarningsForWhatTheBrokenCodeMayUse()
    {
        // Before: ATL2013 for `p` and `lookup`, which the agent that failed to parse uses.
        AssertExactly("t.atlas", """
            provider p { kind = mock }
            tool lookup(id: string) -> string
            agent a(x: string) -> string {
              model = p
              tools = [lookup]
              temperature = = 1
            }
            """,
            "t.atlas(6,17): error ATL0001: Unexpected `=`; expected a value");
    }

    [Fact]
    public void SyntaxErrorInOneFile_NoUnusedWarningsInTheOthers()
    {
        var result = AtlasCompiler.Compile(
            new SourceFile("types.atlas", "provider p { kind = mock }\ntype T { a: string }\n"),
            new SourceFile("agents.atlas", "agent a(t: T) -> string {\n  model = p\n  prompt = \"{{t.a}}\"\n  temperature = ]\n}\n"));
        Assert.Equal(["agents.atlas(4,17): error ATL0001: Unexpected `]`; expected a value"], result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void NoSyntaxError_UnusedWarningsStay()
    {
        AssertExactly("t.atlas", "provider p { kind = mock }\n",
            "t.atlas(1,10): warning ATL2013: Provider `p` is declared but never used");
    }

    [Fact]
    public void Yaml_TabBeforeAKey_PointsAtTheTabWithAPlainMessage()
    {
        AssertExactly("t.atlas.yaml",
            "providers:\n  p:\n    kind: mock\nagents:\n  a:\n    params: { x: string }\n    returns: string\n\tmodel: p\n    prompt: \"hi\"\n",
            "t.atlas.yaml(8,1): error ATL1001: A tab indents this line; YAML indents with spaces only, so replace the tab with spaces");
    }

    [Fact]
    public void Yaml_TabAsTheWholeIndentation_PointsAtTheTab()
    {
        AssertExactly("t.atlas.yaml",
            "providers:\n  p:\n    kind: mock\nagents:\n  a:\n\tmodel: p\n    prompt: \"hi\"\n",
            "t.atlas.yaml(6,1): error ATL1001: A tab indents this line; YAML indents with spaces only, so replace the tab with spaces");
    }

    [Fact]
    public void Yaml_KeyIndentedDeeperThanItsSiblings_AtTheKeyWithAPlainMessage()
    {
        AssertExactly("t.atlas.yaml",
            "providers:\n  p:\n    kind: mock\nagents:\n  a:\n    params: { x: string }\n    returns: string\n      model: p\n    prompt: \"hi\"\n",
            "t.atlas.yaml(8,7): error ATL1001: This line is indented more than the line above it, which already has its value; indent it like the keys beside it, or quote the value above if the `:` belongs to it");
    }

    [Fact]
    public void Yaml_KeyIndentedLessThanItsSiblings_NoNeedsPromptAfterIt()
    {
        // Before: also "Agent `a` needs `prompt`", though the misindented line is its prompt.
        AssertExactly("t.atlas.yaml",
            "providers:\n  p:\n    kind: mock\nagents:\n  a:\n    params: { x: string }\n    returns: string\n    model: p\n   prompt: \"hi\"\n",
            "t.atlas.yaml(9,4): error ATL1001: This line's indentation matches none of the keys above it; indent it exactly like the other keys of the mapping it belongs to");
    }
}
