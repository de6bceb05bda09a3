using System.Linq;
using Atlas.Compiler.Model;
using static Atlas.Compiler.Tests.Binding.BindingAssert;

namespace Atlas.Compiler.Tests.Binding;

/// <summary>
/// <c>human</c> declarations bind like agents (signature, prompt template, calls from steps, switch arms and <c>for</c>
/// bodies) with a <c>timeout</c> of their own; <c>cache</c> on agents and routes binds to a <see cref="CacheModel"/>.
/// </summary>
public class HumanAndCacheTests
{
    private const string Header = """
        type Reply {
          ticket: string
          answer: string
        }
        enum Verdict { send, edit, drop }

        """; // lines 1-5

    // lines 6-9 after the header

    private const string Approver = """
        human approver(reply: Reply) -> Verdict {
          prompt  = "Send this answer to {{reply.ticket}}?\n{{reply.answer}}"
          timeout = 24h
        }

        """;

    [Fact]
    public void Human_CalledFromAStepASwitchArmAndAForBody_BindsAsAHumanCall()
    {
        var result = AssertDiagnostics(Header + Approver + """
            workflow review(reply: Reply, others: Reply[]) -> Verdict[] {
              first = approver(reply)
              again = switch first {
                edit => approver(reply)
                _    => first
              }
              all = for r in others => approver(r)
              return all
            }
            """);

        var human = Assert.Single(result.Model.Humans);
        Assert.Equal("approver", human.Name);
        Assert.Equal(new TypeRef("Verdict", TypeKind.Enum), human.Returns);
        Assert.Equal("reply", Assert.Single(human.Parameters).Name);
        Assert.Equal(24L * 3_600_000, human.TimeoutMs);
        Assert.Equal(new[] { "reply", "ticket" }, Assert.IsType<PathPart>(human.Prompt.Parts[1]).Path);

        var steps = result.Model.Workflows.Single().Steps;
        var call = Assert.IsType<CallExpr>(steps[0].Value);
        Assert.Equal((CallKind.Human, "approver"), (call.Kind, call.Target));
        Assert.Equal(CallKind.Human, Assert.IsType<CallExpr>(Assert.IsType<SwitchExpr>(steps[1].Value).Cases[0].Result).Kind);
        Assert.Equal(CallKind.Human, Assert.IsType<CallExpr>(Assert.IsType<ForExpr>(steps[2].Value).Body).Kind);
    }

    [Fact]
    public void Human_WithoutTimeout_HasNone()
    {
        var result = AssertDiagnostics(Header + """
            human note(reply: Reply) -> string { prompt = "Anything to add to {{reply.ticket}}?" }
            workflow w(reply: Reply) -> string {
              return note(reply)
            }
            """,
            ("ATL2013", 5, 6)); // Verdict
        Assert.Null(Assert.Single(result.Model.Humans).TimeoutMs);
    }

    [Fact]
    public void Human_TimeoutLongerThanADay_IsAllowed()
    {
        // The question waits in the run store, not on a timer: a call's 24h bound does not apply.
        var result = AssertDiagnostics(Header + Approver.Replace("24h", "168h") + "workflow w(reply: Reply) -> Verdict {\n  return approver(reply)\n}\n");
        Assert.Equal(168L * 3_600_000, Assert.Single(result.Model.Humans).TimeoutMs);
    }

    [Fact]
    public void Human_BadDeclaration_ReportsEveryProblemWithTheAgentsCodes()
    {
        var result = AssertDiagnostics(Header + """
            human ask(reply: Reply) -> Verdic {
              promt   = "{{reply.tickt}}"
              timeout = 0s
              model   = offline
            }
            human check(reply: Reply) -> bool {
              prompt  = "{{reply.tickt}}"
              timeout = "soon"
            }
            workflow w(reply: Reply) -> bool {
              return check(reply)
            }
            """,
            ("ATL2013", 5, 6),   // Verdict: `Verdic` is not it
            ("ATL2011", 6, 7),   // ask needs `prompt`
            ("ATL2013", 6, 7),   // and nothing calls it
            ("ATL2014", 6, 28),  // Verdic
            ("ATL2007", 7, 3),   // promt
            ("ATL2009", 8, 13),  // 0s
            ("ATL2007", 9, 3),   // model
            ("ATL2002", 12, 22), // tickt
            ("ATL2008", 13, 13)); // "soon"
        AssertMessage(result, "ATL2011", "Human `ask` needs `prompt`; add `prompt = \"...\"`, the question shown to the person who answers");
        AssertMessage(result, "ATL2013", "Human `ask` is declared but never used");
        AssertMessage(result, "ATL2007", "`human ask` has no attribute `promt`; did you mean `prompt`?");
        AssertMessage(result, "ATL2009", "`timeout` must be longer than 0ms, not 0s");
    }

    [Fact]
    public void Human_SameNameAsAnAgent_IsADuplicate_AndCannotBeADelegate()
    {
        var result = AssertDiagnostics(Header + Approver + """
            provider offline { kind = mock }
            agent approver(reply: Reply) -> string {
              model  = offline
              prompt = "{{reply.answer}}"
            }
            agent writer(reply: Reply) -> string {
              model     = offline
              prompt    = "{{reply.answer}}"
              delegates = [approver]
            }
            human asker(reply: Reply) -> bool { prompt = "ok?" }
            agent helper(reply: Reply) -> string {
              model     = offline
              prompt    = "{{reply.answer}}"
              tools     = [asker]
            }
            """,
            ("ATL2003", 11, 7),  // agent approver
            ("ATL2015", 18, 16), // the human approver is no agent to delegate to
            ("ATL2015", 24, 16)); // nor is asker a tool
        AssertMessage(result, "ATL2015", "`approver` is a human, but an agent is expected here");
        AssertMessage(result, "ATL2015", "`asker` is a human, but a tool or MCP server is expected here");
    }

    [Fact]
    public void HumanCall_ChecksItsArguments_LikeAnAgentCall()
    {
        var result = AssertDiagnostics(Header + Approver + """
            workflow w(text: string) -> Verdict {
              return approver(text)
            }
            """,
            ("ATL2005", 11, 19));
        AssertMessage(result, "ATL2005", "Argument `reply` of `approver` must be `Reply`, not `string`");
    }

    [Fact]
    public void Cache_OnAgentsAndRoutes_BindsItsTtl_AndFalseIsNone()
    {
        var result = AssertDiagnostics("""
            provider offline { kind = mock }
            route fast { use = [offline], cache = true }
            route slow { use = [offline], cache { ttl = 24h } }
            route none { use = [offline], cache = false }
            agent a(text: string) -> string { model = fast, prompt = "{{text}}", cache { ttl = 90s } }
            agent b(text: string) -> string { model = slow, prompt = "{{text}}", cache = true }
            agent c(text: string) -> string { model = none, prompt = "{{text}}", cache = false }
            """);

        var routes = result.Model.Routes.ToDictionary(r => r.Name, r => r.Cache);
        Assert.Equal(new CacheModel(null), routes["fast"]);
        Assert.Equal(new CacheModel(24L * 3_600_000), routes["slow"]);
        Assert.Null(routes["none"]);
        var agents = result.Model.Agents.ToDictionary(a => a.Name, a => a.Cache);
        Assert.Equal(new CacheModel(90_000), agents["a"]);
        Assert.Equal(new CacheModel(null), agents["b"]);
        Assert.Null(agents["c"]);
    }

    [Fact]
    public void Cache_BadValues_AreReported()
    {
        var result = AssertDiagnostics("""
            provider offline { kind = mock }
            route r { use = [offline], cache = 3 }
            agent a(text: string) -> string { model = r, prompt = "{{text}}", cache { ttl = 0s, size = 3 } }
            agent b(text: string) -> string { model = r, prompt = "{{text}}", cache { ttl = true } }
            """,
            ("ATL2008", 2, 36),
            ("ATL2009", 3, 81),
            ("ATL2007", 3, 85),
            ("ATL2008", 4, 81));
        AssertMessage(result, "ATL2008", "`cache` must be `true`, `false` or a block `{ ttl = 24h }` (how long a recorded reply answers), not the number 3");
        AssertMessage(result, "ATL2007", "`cache` has no attribute `size`");
    }

    [Fact]
    public void HumanAndCache_InYaml_BindToTheSameModelAsInAtlas()
    {
        var atlas = Compile(Header + Approver + """
            provider offline { kind = mock }
            route smart { use = [offline], cache { ttl = 1h } }
            agent writer(reply: Reply) -> string {
              model  = smart
              prompt = "{{reply.answer}}"
              cache  = true
            }
            workflow w(reply: Reply) -> Verdict {
              text = writer(reply)
              return approver(reply)
            }
            """);
        var yaml = Compile("""
            providers:
              offline: { kind: mock }
            routes:
              smart: { use: [offline], cache: { ttl: 1h } }
            types:
              Reply: { ticket: string, answer: string }
            enums:
              Verdict: [send, edit, drop]
            agents:
              writer:
                params: { reply: Reply }
                returns: string
                model: smart
                prompt: "{{reply.answer}}"
                cache: true
            humans:
              approver:
                params: { reply: Reply }
                returns: Verdict
                prompt: "Send this answer to {{reply.ticket}}?\n{{reply.answer}}"
                timeout: 24h
            workflows:
              w:
                params: { reply: Reply }
                returns: Verdict
                steps:
                  text: writer(reply)
                return: approver(reply)
            """, "t.atlas.yaml");

        Assert.Empty(atlas.Diagnostics);
        Assert.Empty(yaml.Diagnostics);
        Assert.Equal(atlas.Model, yaml.Model);
    }
}
