using System.Linq;
using Atlas.Compiler.Diagnostics;
using static Atlas.Compiler.Tests.Binding.BindingAssert;

namespace Atlas.Compiler.Tests.Binding;

public class DeclarationBindingTests
{
    [Fact]
    public void DuplicateName_EnumMember_ReportsTheSecond()
    {
        const string Source = """"
            provider p { kind = mock }
            enum Color { red, green, red }
            type T { c: Color }
            agent a(t: T) -> string { model = p, prompt = "hi" }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2003", 2, 26));
        AssertMessage(result, "ATL2003", "`red` is already declared at t.atlas(2,14)");
    }

    [Fact]
    public void DuplicateName_FieldAndParameter_ReportsEachRepeat()
    {
        const string Source = """"
            provider p { kind = mock }
            type T {
              x: int
              x: string
            }
            agent a(t: T, t: int) -> string { model = p, prompt = "hi" }
            """";
        AssertDiagnostics(Source,
            ("ATL2003", 4, 3),
            ("ATL2003", 6, 15));
    }

    [Fact]
    public void DuplicateName_StepReusesParameterOrStep_ReportsStep()
    {
        const string Source = """"
            workflow w(x: int) -> int {
              x = 1
              y = 2
              y = 3
              return y
            }
            """";
        AssertDiagnostics(Source,
            ("ATL2003", 2, 3),
            ("ATL2003", 4, 3));
    }

    [Fact]
    public void DuplicateName_TwoDeclarationsInOneFile_ReportsTheSecondWithTheFirstsLocation()
    {
        const string Source = """"
            provider p { kind = mock }
            agent p() -> string { model = p, prompt = "hi" }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2003", 2, 7));
        AssertMessage(result, "ATL2003", "`p` is already declared at t.atlas(1,10)");
    }

    [Fact]
    public void ReservedName_BuiltInTypeDeclared_ReportsIt()
    {
        const string Source = """"
            type string { x: int }
            enum Passage { a }
            """";
        AssertDiagnostics(Source,
            ("ATL2021", 1, 6),
            ("ATL2021", 2, 6));
    }

    [Fact]
    public void UnknownType_Misspelled_SuggestsTheClosestType()
    {
        const string Source = """"
            provider p { kind = mock }
            type Ticket { id: string }
            agent a(t: Tiket) -> strng { model = p, prompt = "hi" }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2014", 3, 12),
            ("ATL2014", 3, 22),
            ("ATL2013", 2, 6));
        AssertMessage(result, "ATL2014", "Type `Tiket` is not declared; did you mean `Ticket`?");
        AssertMessage(result, "ATL2014", "Type `strng` is not declared; did you mean `string`?");
    }

    [Fact]
    public void WrongKindOfName_ProviderUsedAsType_ReportsWhatItIs()
    {
        const string Source = """"
            provider p { kind = mock }
            agent a(x: p) -> string { model = p, prompt = "hi" }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2015", 2, 12));
        AssertMessage(result, "ATL2015", "`p` is a provider, but a type is expected here");
    }

    [Fact]
    public void DuplicateAttribute_SetTwice_ReportsTheSecond()
    {
        const string Source = """"
            provider p {
              kind = mock
              kind = openai
            }
            agent a() -> string { model = p, prompt = "hi" }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2020", 3, 3));
        AssertMessage(result, "ATL2020", "`kind` is already set at t.atlas(2,3)");
    }

    [Fact]
    public void UnknownAttribute_Misspelled_SuggestsTheAttribute()
    {
        const string Source = """"
            provider p { kind = mock }
            agent a() -> string {
              model = p
              temprature = 0.5
              prompt = "hi"
            }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2007", 4, 3));
        AssertMessage(result, "ATL2007", "`agent a` has no attribute `temprature`; did you mean `temperature`?");
    }

    [Fact]
    public void InvalidAttributeValue_StringTemperature_SaysANumberIsExpected()
    {
        const string Source = """"
            provider p { kind = mock }
            agent a() -> string {
              model = p
              temperature = "hot"
              prompt = "hi"
            }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2008", 4, 17));
        AssertMessage(result, "ATL2008", "`temperature` must be a number, not a string");
    }

    [Fact]
    public void InvalidAttributeValue_LiteralApiKey_SaysSecretsBelongInEnvironmentVariables()
    {
        const string Source = """"
            provider p {
              kind = openai
              model = "gpt-4o-mini"
              api_key = "sk-123"
            }
            agent a() -> string { model = p, prompt = "hi" }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2008", 4, 13));
        AssertMessage(result, "ATL2008", "`api_key` must be `env(\"NAME\")`");
        AssertMessage(result, "ATL2008", "environment variable");
    }

    [Fact]
    public void Knowledge_StoresSharedOrUnreachable_ReportedAtTheStore()
    {
        const string Source = """"
            knowledge a { sources = "a/*.md", store = sqlite("data/kb.db") }
            knowledge b { sources = "b/*.md", store = sqlite("data/../data/kb.db") }
            knowledge c { sources = "c/*.md", store = chroma("localhost:8000") }
            knowledge d { sources = "d/*.md", store = chroma("http://127.0.0.1:8000") }
            knowledge e { sources = "e/*.md", store = sqlite("data/e.db") }
            workflow w(q: string) -> Passage[] {
              x = a.search(q)
              y = b.search(q)
              z = c.search(q)
              v = d.search(q)
              u = e.search(q)
              return x
            }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2030", 2, 43),
            ("ATL2008", 3, 50));
        AssertMessage(result, "ATL2030", "Knowledge base `b` stores in `data/../data/kb.db`, which is already the store of `a`: each ingest would remove the other's documents; give each knowledge base its own store");
        AssertMessage(result, "ATL2008", "`store` must be `chroma(\"http://host:port\")`, the ChromaDB server's URL, not `\"localhost:8000\"`");
    }

    [Fact]
    public void EmptyUseSourcesAndBudget_AreATL2032AtTheValue_NotOutOfRange()
    {
        // An empty list or block is a different mistake from a number outside its range (ATL2009).
        const string Source = """"
            provider p { kind = mock }
            route r { use = [] }
            knowledge kb { sources = [] }
            agent a() -> string { model = r, budget { }, prompt = "hi" }
            workflow w(q: string) -> Passage[] {
              x = a()
              return kb.search(q)
            }
            """";
        var result = Compile(Source);
        AssertDiagnostics(result,
            ("ATL2013", 1, 10),
            ("ATL2032", 2, 17),
            ("ATL2032", 3, 26),
            ("ATL2032", 4, 41));
        AssertMessage(result, "ATL2032", "`use` must name at least one provider");
        AssertMessage(result, "ATL2032", "`sources` must list at least one file, folder or glob such as \"docs/**/*.md\"");
        AssertMessage(result, "ATL2032", "`budget` must set `usd`, `tokens` or both, e.g. `budget { usd = 0.50, tokens = 20000 }`");
    }

    [Fact]
    public void AttributeOutOfRange_BadOverlapAndTemperature_ReportsAtTheValue()
    {
        const string Source = """"
            provider p { kind = mock }
            knowledge kb1 {
              sources = ["a.md"]
              chunking = recursive { size = 800, overlap = -5 }
            }
            knowledge kb2 {
              sources = "b.md"
              chunking = fixed { size = 100, overlap = 100 }
            }
            agent a() -> string { model = p, temperature = 3, prompt = "hi" }
            workflow w(q: string) -> Passage[] {
              x = kb1.search(q)
              y = kb2.search(q)
              return y
            }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2009", 4, 48),
            ("ATL2009", 8, 44),
            ("ATL2009", 10, 48));
        AssertMessage(result, "ATL2009", "`overlap` must be at least 0, not -5");
        AssertMessage(result, "ATL2009", "`overlap` must be less than `size` (100), not 100");
        AssertMessage(result, "ATL2009", "`temperature` must be between 0 and 2, not 3");
    }

    [Fact]
    public void UnknownOption_MisspelledStrategy_ListsTheValidOnes()
    {
        const string Source = """"
            provider p { kind = mock }
            route r {
              strategy = fallbak
              use = [p]
            }
            agent a() -> string { model = r, prompt = "hi" }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2010", 3, 14));
        AssertMessage(result, "ATL2010", "`fallbak` is not a valid route strategy; use one of fallback, round_robin, cheapest, fastest; did you mean `fallback`?");
    }

    [Fact]
    public void Tool_ReadOnly_InAtlasAndYaml_BindsTheFlag_DefaultIsNotReadOnly()
    {
        var atlas = Compile("""
            tool lookup(id: string) -> string { read_only = true }
            tool page(team: string) -> string
            tool write(path: string) -> string { read_only = false }
            """);
        var yaml = Compile("""
            tools:
              lookup: { params: { id: string }, returns: string, read_only: true }
              page: { params: { team: string }, returns: string }
              write: { params: { path: string }, returns: string, read_only: false }
            """, "t.atlas.yaml");

        foreach (var result in new[] { atlas, yaml })
        {
            Assert.DoesNotContain(result.Diagnostics, d => d.IsError);
            Assert.Equal(
                [("lookup", true), ("page", false), ("write", false)],
                result.Model.Tools.Select(t => (t.Name, t.ReadOnly)));
        }
    }

    [Fact]
    public void Tool_ReadOnlyNotABool_OrAnUnknownAttribute_IsReported()
    {
        var result = AssertDiagnostics("""
            tool lookup(id: string) -> string { read_only = "yes" }
            tool page(team: string) -> string { readonly = true }
            """,
            ("ATL2008", 1, 49),
            ("ATL2007", 2, 37),
            ("ATL2013", 1, 6),
            ("ATL2013", 2, 6));
        AssertMessage(result, "ATL2008", "`read_only` must be `true` or `false`, not a string");
        AssertMessage(result, "ATL2007", "`tool page` has no attribute `readonly`; did you mean `read_only`?");
    }

    [Fact]
    public void CheapestRoute_MemberWithoutCost_IsAnErrorAtTheMember_TheMockNeedsNone()
    {
        const string Source = """"
            provider priced { kind = openai, model = "a", cost { input = 1, output = 2 } }
            provider unpriced { kind = openai, model = "b" }
            provider ollama { kind = ollama, model = "c" }
            provider offline { kind = mock }
            route cheap { strategy = cheapest, use = [priced, unpriced, offline, ollama] }
            route ordered { strategy = fallback, use = [unpriced, offline] }
            agent a() -> string { model = cheap, prompt = "hi" }
            agent b() -> string { model = ordered, prompt = "hi" }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2024", 5, 51),
            ("ATL2024", 5, 70));
        Assert.Equal(
            "t.atlas(5,51): error ATL2024: Route `cheap` picks the cheapest provider, but `unpriced` declares no `cost`, so it cannot be ranked; add `cost { input = ..., output = ... }` (USD per million tokens) to provider `unpriced`, or choose another strategy",
            result.Diagnostics.First().ToString());
    }

    [Fact]
    public void CheapestRoute_YamlMemberWithoutCost_IsAnErrorAtTheMember()
    {
        var result = Compile("""
            providers:
              unpriced: { kind: openai, model: b }
              offline: { kind: mock }
            routes:
              cheap: { strategy: cheapest, use: [unpriced, offline] }
            agents:
              a: { returns: string, model: cheap, prompt: hi }
            """, "t.atlas.yaml");
        AssertDiagnostics(result, ("ATL2024", 5, 38));
    }

    [Fact]
    public void MissingAttribute_RequiredAttributesAbsent_ReportsAtTheDeclarationName()
    {
        const string Source = """"
            provider p { model = "x" }
            provider q { kind = openai }
            provider c { kind = openai_compatible, model = "m" }
            agent a() -> string { model = p, prompt = "hi" }
            agent b() -> string { model = q }
            route r { strategy = cheapest }
            agent d() -> string { model = r, prompt = "x" }
            agent e() -> string { model = c, prompt = "x" }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2011", 1, 10),
            ("ATL2011", 2, 10),
            ("ATL2011", 3, 10),
            ("ATL2011", 5, 7),
            ("ATL2011", 6, 7));
        AssertMessage(result, "ATL2011", "Provider `p` needs `kind`");
        AssertMessage(result, "ATL2011", "Provider `q` needs `model`");
        AssertMessage(result, "ATL2011", "Provider `c` needs `endpoint`");
        AssertMessage(result, "ATL2011", "Agent `b` needs `prompt`");
        AssertMessage(result, "ATL2011", "Route `r` needs `use`");
    }

    [Fact]
    public void RouteCannotMeetRequirements_NoProviderSupportsAll_ReportsAtRequire()
    {
        const string Source = """"
            provider p { kind = anthropic, model = "m" }
            provider q {
              kind = openai_compatible
              model = "m"
              endpoint = "http://localhost:1234"
            }
            route r {
              use = [p, q]
              require = [json, vision]
            }
            agent a() -> string { model = r, prompt = "hi" }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2012", 9, 13));
        AssertMessage(result, "ATL2012", "Route `r` requires [json, vision], but no provider in its `use` list supports all of that: `p` supports [chat, tools, json, streaming]; `q` supports [chat, streaming]");
    }

    [Fact]
    public void RouteUse_UnknownOrWrongKind_ReportsEach()
    {
        const string Source = """"
            provider openai { kind = mock }
            agent a() -> string { model = r, prompt = "hi" }
            route r { use = [opnai, a] }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2001", 3, 18),
            ("ATL2015", 3, 25),
            ("ATL2013", 1, 10));
        AssertMessage(result, "ATL2001", "`opnai` is not declared; did you mean `openai`?");
        AssertMessage(result, "ATL2015", "`a` is an agent, but a provider is expected here");
    }

    [Fact]
    public void UnusedDeclaration_NothingUsesIt_WarnsForEach()
    {
        const string Source = """"
            provider p { kind = mock }
            provider spare { kind = mock }
            route r { use = [p] }
            enum E { x }
            type T { e: E }
            tool t(x: int) -> int
            mcp m { command = "npx" }
            knowledge kb { sources = "a.md" }
            agent a() -> string { model = p, prompt = "hi" }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2013", 2, 10),
            ("ATL2013", 3, 7),
            ("ATL2013", 5, 6),
            ("ATL2013", 6, 6),
            ("ATL2013", 7, 5),
            ("ATL2013", 8, 11));
        Assert.All(result.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        AssertMessage(result, "ATL2013", "MCP server `m` is declared but never used");
        Assert.False(result.HasErrors);
    }

    [Fact]
    public void Template_UnknownNameAndMember_ReportInsideTheString()
    {
        const string Source = """"
            provider p { kind = mock }
            type Ticket {
              subject: string
              body: string
            }
            agent a(ticket: Ticket) -> string {
              model = p
              prompt = "{{ticket.subjct}} and {{tiket.body}}"
            }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2002", 8, 22),
            ("ATL2001", 8, 37));
        AssertMessage(result, "ATL2002", "`Ticket` has no member `subjct`; did you mean `subject`?");
        AssertMessage(result, "ATL2001", "`tiket` is not declared; did you mean `ticket`?");
    }

    [Fact]
    public void Template_ForOverANonList_ReportsNotAList()
    {
        const string Source = """"
            provider p { kind = mock }
            agent a(name: string, names: string[]) -> string {
              model = p
              prompt = "{{for c in name}}{{c}}{{end}} {{for n in names}}{{n}}{{end}}"
            }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2019", 4, 24));
        AssertMessage(result, "ATL2019", "`name` is `string`, not a list");
    }

    [Fact]
    public void AgentReferences_WrongKindsAndUnknownNames_AreReported()
    {
        const string Source = """"
            provider p { kind = anthropic, model = "m" }
            tool t(x: int) -> int
            agent helper() -> string { model = p, prompt = "hi" }
            agent a() -> string {
              model = t
              tools = [helper, lookp]
              delegates = [t]
              prompt = "hi"
            }
            knowledge kb {
              sources = "a.md"
              embedder = p
              store = mysql("x")
            }
            workflow w(q: string) -> Passage[] {
              return kb.search(q)
            }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2015", 5, 11),
            ("ATL2015", 6, 12),
            ("ATL2001", 6, 20),
            ("ATL2015", 7, 16),
            ("ATL2008", 12, 14),
            ("ATL2010", 13, 11));
        AssertMessage(result, "ATL2015", "`t` is a tool, but a provider or route is expected here");
        AssertMessage(result, "ATL2015", "`helper` is an agent, but a tool or MCP server is expected here");
        AssertMessage(result, "ATL2008", "`embedder` must be `minilm` or a provider that supports `embeddings`, not provider `p`, which supports [chat, tools, json, streaming]");
        AssertMessage(result, "ATL2010", "`mysql` is not a valid store; use one of sqlite, chroma");
    }

    [Fact]
    public void Embedder_ProviderWithoutEmbeddingModel_IsReported()
    {
        const string Source = """"
            provider oa { kind = openai, model = "gpt-4o-mini", api_key = env("OPENAI_API_KEY") }
            provider local { kind = ollama, model = "llama3.2", embedding_model = "nomic-embed-text" }
            knowledge a { sources = "a.md", embedder = oa }
            knowledge b { sources = "b.md", embedder = local }
            workflow w(q: string) -> Passage[] {
              return a.search(q)
            }
            workflow v(q: string) -> Passage[] {
              return b.search(q)
            }
            """";
        var result = AssertDiagnostics(Source, ("ATL2008", 3, 44));
        AssertMessage(result, "ATL2008", "`embedder` must be `minilm` or a provider that sets `embedding_model`, not provider `oa`, which sets none (add `embedding_model = \"...\"` to it)");
    }

    [Fact]
    public void Embedder_MockProvider_IsReported()
    {
        // The mock answers chats only, even when told it embeds: minilm is the offline embedder.
        const string Source = """"
            provider m { kind = mock, supports = [chat, embeddings], embedding_model = "x" }
            knowledge a { sources = "a.md", embedder = m }
            workflow w(q: string) -> Passage[] {
              return a.search(q)
            }
            """";
        var result = AssertDiagnostics(Source, ("ATL2008", 2, 44));
        AssertMessage(result, "ATL2008", "`embedder` must be `minilm` or a provider that supports `embeddings`, not provider `m`, a mock, which does not embed");
    }
}
