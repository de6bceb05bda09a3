using System.Linq;
using Atlas.Compiler.Model;
using Atlas.Compiler.Text;
using static Atlas.Compiler.Tests.Binding.BindingAssert;

namespace Atlas.Compiler.Tests.Binding;

public class ModelBindingTests
{
    /// <summary>The language sketch from the product brief, verbatim.</summary>
    internal const string Sketch = """"
            # providers: where models come from
            provider openai {
              kind     = openai                      # openai | anthropic | ollama | openai_compatible | mock
              model    = "gpt-4o-mini"
              api_key  = env("OPENAI_API_KEY")       # a provider whose key is unset is "unavailable", not an error
              supports = [chat, tools, json]
              cost     { input = 0.15, output = 0.60 }   # USD per million tokens
            }

            provider claude {
              kind    = anthropic
              model   = "claude-haiku-4-5"
              api_key = env("ANTHROPIC_API_KEY")
            }

            provider local {
              kind     = ollama
              endpoint = "http://localhost:11434"
              model    = "llama3.2"
            }

            provider offline {
              kind    = mock          # built in: deterministic, offline, schema-valid outputs, streamed
              latency = 20ms
            }

            route smart {
              strategy = fallback     # fallback | round_robin | cheapest | fastest
              use      = [openai, claude, local, offline]
              require  = [json]       # only providers that support these
              retry    = 2
              timeout  = 30s
            }

            # types: become C# records and enums, and JSON schemas for structured output
            enum Category { billing, bug, account, other }

            type Ticket {
              id:      string
              subject: string
              body:    string
            }

            type Triage {
              category: Category
              urgency:  int            # 1..5
              summary:  string
              tags:     string[]
              owner:    string?        # optional
            }

            type Reply {
              ticket:   string
              category: Category
              answer:   string
            }

            # agents: typed functions backed by a model
            agent classifier(ticket: Ticket) -> Triage {
              model        = smart
              temperature  = 0
              instructions = "You triage customer-support tickets."
              prompt = """
                Subject: {{ticket.subject}}
                {{ticket.body}}
              """
            }

            agent billing_expert(ticket: Ticket, triage: Triage) -> string {
              model  = smart
              prompt = "Answer this billing question ({{triage.summary}}): {{ticket.body}}"
            }

            agent support_agent(ticket: Ticket, context: Passage[]) -> string {
              model     = smart
              tools     = [lookup_order]                  # tools the model may call
              delegates = [billing_expert]                # agents it may hand work to
              prompt = """
                Use these passages:
                {{for p in context}}- {{p.text}} ({{p.source}})
                {{end}}
                Question: {{ticket.body}}
              """
            }

            # tools: implemented in C# (a partial method the compiler makes you write) or by an MCP server
            tool lookup_order(order_id: string) -> string

            mcp files {
              command = "npx"
              args    = ["-y", "@modelcontextprotocol/server-filesystem", "./docs"]
            }

            # knowledge: documents, chunked, embedded, stored, searched
            knowledge handbook {
              sources  = ["docs/**/*.md"]
              chunking = recursive { size = 800, overlap = 100 }
              embedder = minilm                 # built-in local model; or a provider that embeds
              store    = sqlite("handbook.db")  # embedded default; postgres("...") for scale
            }

            # workflows: a DAG of steps; a step runs as soon as what it reads is ready
            workflow support(ticket: Ticket) -> Reply {
              triage  = classifier(ticket)                         # these two do not depend on each other:
              context = handbook.search(ticket.body, top = 5)      # they run in parallel
              answer  = switch triage.category {                   # exhaustive over the enum, checked
                billing => billing_expert(ticket, triage)
                _       => support_agent(ticket, context)
              }
              return Reply { ticket = ticket.id, category = triage.category, answer = answer }
            }

            workflow triage_all(tickets: Ticket[]) -> Triage[] {
              results = for t in tickets parallel 8 => classifier(t) with { retry = 3, timeout = 20s }
              return results
            }
            """";

    [Fact]
    public void Sketch_FromTheBrief_BindsWithNoErrors()
    {
        // `files` (an MCP server) is declared but no agent lists it: the one warning.
        var result = AssertDiagnostics(Sketch, ("ATL2013", 89, 5));
        Assert.False(result.HasErrors);
        AssertMessage(result, "ATL2013", "MCP server `files` is declared but never used");
    }

    [Fact]
    public void Sketch_Model_HoldsSortedDeclarations()
    {
        var model = Compile(Sketch).Model;
        Assert.Equal(new[] { "claude", "local", "offline", "openai" }, model.Providers.Select(p => p.Name));
        Assert.Equal(new[] { "Reply", "Ticket", "Triage" }, model.Types.Select(t => t.Name));
        Assert.Equal(new[] { "billing_expert", "classifier", "support_agent" }, model.Agents.Select(a => a.Name));
        Assert.Equal(new[] { "support", "triage_all" }, model.Workflows.Select(w => w.Name));
        Assert.Equal(new[] { "billing", "bug", "account", "other" }, Assert.Single(model.Enums).Members);
        Assert.Equal("lookup_order", Assert.Single(model.Tools).Name);
        Assert.Equal("files", Assert.Single(model.McpServers).Name);
    }

    [Fact]
    public void Sketch_Providers_HoldDeclaredAndDefaultCapabilities()
    {
        var model = Compile(Sketch).Model;
        var openai = model.Providers.Single(p => p.Name == "openai");
        Assert.Equal(ProviderKind.OpenAI, openai.Kind);
        Assert.Equal("gpt-4o-mini", openai.Model);
        Assert.Equal("OPENAI_API_KEY", openai.ApiKeyVariable);
        Assert.Equal(new[] { "chat", "tools", "json" }, openai.Capabilities);
        Assert.Equal(new CostModel(0.15, 0.60), openai.Cost);

        var claude = model.Providers.Single(p => p.Name == "claude");
        Assert.Equal(new[] { "chat", "tools", "json", "streaming" }, claude.Capabilities);

        var local = model.Providers.Single(p => p.Name == "local");
        Assert.Equal("http://localhost:11434", local.Endpoint);

        var offline = model.Providers.Single(p => p.Name == "offline");
        Assert.Equal(ProviderKind.Mock, offline.Kind);
        Assert.Equal(20, offline.LatencyMs);
        Assert.Null(offline.Model);
    }

    [Fact]
    public void Sketch_RouteKnowledgeAndMcp_HoldTheirSettings()
    {
        var model = Compile(Sketch).Model;
        var route = Assert.Single(model.Routes);
        Assert.Equal(new RouteModel("smart", RouteStrategy.Fallback, EquatableArray.Create("openai", "claude", "local", "offline"), EquatableArray.Create("json"), 2, 30_000), route);

        var handbook = Assert.Single(model.KnowledgeBases);
        Assert.Equal(new[] { "docs/**/*.md" }, handbook.Sources);
        Assert.Equal(new ChunkingModel(ChunkingStrategy.Recursive, 800, 100), handbook.Chunking);
        Assert.Equal("minilm", handbook.Embedder);
        Assert.Equal(new StoreModel(StoreKind.Sqlite, "handbook.db"), handbook.Store);

        var files = Assert.Single(model.McpServers);
        Assert.Equal("npx", files.Command);
        Assert.Equal(new[] { "-y", "@modelcontextprotocol/server-filesystem", "./docs" }, files.Arguments);
    }

    [Fact]
    public void Sketch_Agents_HoldSignaturesAndTemplates()
    {
        var model = Compile(Sketch).Model;
        var classifier = model.Agents.Single(a => a.Name == "classifier");
        Assert.Equal(new ParameterModel("ticket", new TypeRef("Ticket", TypeKind.Record)), Assert.Single(classifier.Parameters));
        Assert.Equal(new TypeRef("Triage", TypeKind.Record), classifier.Returns);
        Assert.Equal("smart", classifier.Model);
        Assert.Equal(ModelTargetKind.Route, classifier.ModelKind);
        Assert.Equal(0, classifier.Temperature);
        Assert.NotNull(classifier.Instructions);
        Assert.Contains(new PathPart(EquatableArray.Create("ticket", "subject")), classifier.Prompt.Parts);

        var support = model.Agents.Single(a => a.Name == "support_agent");
        Assert.Equal(new[] { "lookup_order" }, support.Tools);
        Assert.Equal(new[] { "billing_expert" }, support.Delegates);
        Assert.Equal(TypeRef.Passage.AsList(), support.Parameters[1].Type);
        var loop = Assert.Single(support.Prompt.Parts.OfType<ForPart>());
        Assert.Equal("p", loop.Variable);
        Assert.Equal(new[] { "context" }, loop.Source);
        Assert.Contains(new PathPart(EquatableArray.Create("p", "text")), loop.Body);

        var triage = model.Types.Single(t => t.Name == "Triage");
        Assert.Equal(
            new[]
            {
                new FieldModel("category", new TypeRef("Category", TypeKind.Enum)),
                new FieldModel("urgency", TypeRef.Int),
                new FieldModel("summary", TypeRef.String),
                new FieldModel("tags", TypeRef.String.AsList()),
                new FieldModel("owner", TypeRef.String with { IsOptional = true }),
            },
            triage.Fields);
    }

    [Fact]
    public void Sketch_SupportWorkflow_HasStepsDependenciesAndTypes()
    {
        var support = Compile(Sketch).Model.Workflows.Single(w => w.Name == "support");
        Assert.Equal(new[] { "triage", "context", "answer" }, support.Steps.Select(s => s.Name));
        Assert.Empty(support.Steps[0].DependsOn);
        Assert.Empty(support.Steps[1].DependsOn);
        Assert.Equal(new[] { "triage", "context" }, support.Steps[2].DependsOn);
        Assert.Equal(new[] { "triage", "answer" }, support.ReturnDependsOn);

        var triage = Assert.IsType<CallExpr>(support.Steps[0].Value);
        Assert.Equal(CallKind.Agent, triage.Kind);
        Assert.Equal("classifier", triage.Target);
        Assert.Equal(new RefExpr(RefKind.Parameter, "ticket", new TypeRef("Ticket", TypeKind.Record)), Assert.Single(triage.Arguments));

        var context = Assert.IsType<SearchExpr>(support.Steps[1].Value);
        Assert.Equal("handbook", context.Knowledge);
        Assert.Equal(5, context.Top);
        Assert.Equal(SearchMode.Hybrid, context.Mode);
        Assert.Equal(TypeRef.Passage.AsList(), context.Type);

        var answer = Assert.IsType<SwitchExpr>(support.Steps[2].Value);
        Assert.Equal(TypeRef.String, answer.Type);
        Assert.Equal("billing", Assert.Single(answer.Cases).Value);
        Assert.NotNull(answer.Default);

        var returned = Assert.IsType<ObjectExpr>(support.Return);
        Assert.Equal(new[] { "ticket", "category", "answer" }, returned.Fields.Select(f => f.Name));
        Assert.Equal(new TypeRef("Reply", TypeKind.Record), returned.Type);
    }

    [Fact]
    public void Sketch_TriageAll_BindsParallelForWithCallOptions()
    {
        var workflow = Compile(Sketch).Model.Workflows.Single(w => w.Name == "triage_all");
        var step = Assert.Single(workflow.Steps);
        var loop = Assert.IsType<ForExpr>(step.Value);
        Assert.Equal("t", loop.Variable);
        Assert.Equal(8, loop.Parallelism);
        Assert.Equal(new TypeRef("Triage", TypeKind.Record, IsList: true), loop.Type);
        var call = Assert.IsType<CallExpr>(loop.Body);
        Assert.Equal(new CallOptions(3, 20_000), call.Options);
        Assert.Equal(new RefExpr(RefKind.Variable, "t", new TypeRef("Ticket", TypeKind.Record)), Assert.Single(call.Arguments));
        Assert.Equal(new[] { "results" }, workflow.ReturnDependsOn);
    }

    [Fact]
    public void Bind_SameSourcesTwiceOrInAnotherOrder_GivesEqualModelsAndDiagnostics()
    {
        var files = SplitSketch();
        var first = AtlasCompiler.Compile(files);
        var second = AtlasCompiler.Compile(files);
        var reversed = AtlasCompiler.Compile(files.Reverse().ToArray());

        Assert.Equal(first.Model, second.Model);
        Assert.Equal(first.Diagnostics, second.Diagnostics);
        Assert.Equal(first.Model, reversed.Model);
        Assert.Equal(first.Model.GetHashCode(), second.Model.GetHashCode());
    }

    [Fact]
    public void Bind_DeclarationsSpreadOverFiles_ResolveAcrossFiles()
    {
        var files = SplitSketch();
        var result = AtlasCompiler.Compile(files);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        Assert.Equal(Compile(Sketch).Model, result.Model);
    }

    [Fact]
    public void DuplicateName_AcrossFiles_ReportsTheSecondWithTheFirstsLocation()
    {
        var a = new SourceFile("a.atlas", "provider p { kind = mock }\nagent x() -> string { model = p, prompt = \"hi\" }\n");
        var b = new SourceFile("b.atlas", "\nprovider p { kind = mock }\n");
        var result = AtlasCompiler.Compile(a, b);
        var duplicate = Single(result, "ATL2003");
        Assert.Equal("b.atlas", duplicate.Location.Path);
        Assert.Equal(new LinePosition(2, 10), duplicate.Location.Start);
        Assert.Equal("`p` is already declared at a.atlas(1,10); give this one another name", duplicate.Message);
        Assert.Single(result.Diagnostics);
    }

    [Fact]
    public void Bind_ManyErrorsInOneInput_ReportsThemAllInOnePass()
    {
        const string Source = """"
            provider p { kind = mock, temprature = 1 }
            type Ticket { id: strin, name: string }
            agent a(t: Ticket) -> string { model = p, prompt = "{{t.idd}}" }
            workflow w(t: Ticket) -> int {
              x = a(tt)
              y = switch t.name {
                "a" => 1
              }
              return x
            }
            """";
        AssertDiagnostics(Source,
            ("ATL2007", 1, 27),
            ("ATL2014", 2, 19),
            ("ATL2002", 3, 57),
            ("ATL2001", 5, 9),
            ("ATL3001", 6, 7),
            ("ATL2006", 9, 10));
    }

    [Fact]
    public void ProviderTimeout_IsADuration_InTheModel_AndAbsentByDefault()
    {
        const string Source = """"
            provider slow { kind = openai_compatible, model = "m", endpoint = "http://127.0.0.1:1/v1", timeout = 90s }
            provider quick { kind = ollama, model = "llama3.2" }
            route r { use = [slow, quick], timeout = 2m }
            agent a() -> string { model = r, prompt = "hi" }
            """";
        var model = AssertDiagnostics(Source).Model;
        Assert.Equal(90_000, model.Providers.Single(p => p.Name == "slow").TimeoutMs);
        Assert.Null(model.Providers.Single(p => p.Name == "quick").TimeoutMs);
        Assert.Equal(120_000, model.Routes[0].TimeoutMs);
    }

    [Fact]
    public void Timeouts_ZeroOrLongerThan24h_AreReported_OnProvidersRoutesAndCalls()
    {
        const string Source = """"
            provider p { kind = ollama, model = "llama3.2", timeout = 0s }
            provider q { kind = ollama, model = "llama3.2", timeout = 25h }
            route r { use = [p, q], timeout = 48h }
            agent a() -> string { model = r, prompt = "hi" }
            workflow w() -> string {
              x = a() with { timeout = 100h }
              return x
            }
            """";
        var result = AssertDiagnostics(Source,
            ("ATL2009", 1, 59),
            ("ATL2009", 2, 59),
            ("ATL2009", 3, 35),
            ("ATL2009", 6, 28));
        AssertMessage(result, "ATL2009", "`timeout` must be longer than 0ms, not 0s");
        AssertMessage(result, "ATL2009", "`timeout` must be at most 24h, not 25h");
        AssertMessage(result, "ATL2009", "`timeout` must be at most 24h, not 48h");
        AssertMessage(result, "ATL2009", "`timeout` must be at most 24h, not 100h");
    }

    [Fact]
    public void Defaults_OmittedSettings_TakeTheDocumentedDefaults()
    {
        const string Source = """"
            provider o { kind = ollama, model = "llama3.2", embedding_model = "nomic-embed-text" }
            route r { use = [o] }
            agent a() -> string { model = r, prompt = "hi" }
            knowledge kb { sources = "a.md", embedder = o }
            workflow w(q: string) -> Passage[] {
              return kb.search(q)
            }
            """";
        var model = AssertDiagnostics(Source).Model;
        Assert.Equal(new[] { "chat", "tools", "json", "embeddings", "streaming" }, model.Providers[0].Capabilities);
        Assert.Equal("nomic-embed-text", model.Providers[0].EmbeddingModel);
        Assert.Equal(new RouteModel("r", RouteStrategy.Fallback, EquatableArray.Create("o"), EquatableArray<string>.Empty, 0, null), model.Routes[0]);
        var kb = model.KnowledgeBases[0];
        Assert.Equal(new ChunkingModel(ChunkingStrategy.Recursive, 800, 100), kb.Chunking);
        Assert.Equal(new StoreModel(StoreKind.Sqlite, "kb.db"), kb.Store);
        Assert.Equal("o", kb.Embedder);
        var search = Assert.IsType<SearchExpr>(model.Workflows[0].Return);
        Assert.Equal(5, search.Top);
        Assert.Null(search.MinScore);
        Assert.Equal(CallOptions.None, search.Options);
    }

    /// <summary>The sketch as three files: configuration, types and agents, workflows.</summary>
    private static SourceFile[] SplitSketch()
    {
        int types = Sketch.IndexOf("# types", System.StringComparison.Ordinal);
        int workflows = Sketch.IndexOf("# workflows", System.StringComparison.Ordinal);
        return new[]
        {
            new SourceFile("config.atlas", Sketch.Substring(0, types)),
            new SourceFile("agents.atlas", Sketch.Substring(types, workflows - types)),
            new SourceFile("flows.atlas", Sketch.Substring(workflows)),
        };
    }
}
