using System.Linq;
using System.Threading;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;
using static Atlas.Compiler.Tests.Yaml.YamlTestHelpers;

namespace Atlas.Compiler.Tests.Yaml;

/// <summary>The YAML form and the .atlas form of the same declarations give the same tree, positions aside.</summary>
public class YamlAtlasEquivalenceTests
{
    internal const string Atlas = """
        provider openai {
          kind     = openai
          model    = "gpt-4o-mini"
          api_key  = env("OPENAI_API_KEY")
          supports = [chat, tools, json]
          cost     { input = 0.15, output = 0.60 }
        }

        provider offline {
          kind    = mock
          latency = 20ms
        }

        route smart {
          strategy = fallback
          use      = [openai, offline]
          require  = [json]
          retry    = 2
          timeout  = 30s
          cache { ttl = 24h }
        }

        enum Category { billing, bug, account, other }

        type Ticket {
          id:      string
          subject: string
          body:    string
        }

        type Triage {
          category: Category
          tags:     string[]
          owner:    string?
        }

        agent classifier(ticket: Ticket) -> Triage {
          model        = smart
          temperature  = 0
          instructions = "You triage customer-support tickets."
          prompt       = "Subject: {{ticket.subject}}"
          cache        = true
        }

        human reviewer(triage: Triage) -> bool {
          prompt  = "Is {{triage.category}} right?"
          timeout = 2h
        }

        tool lookup_order(order_id: string) -> string

        mcp files {
          command = "npx"
          args    = ["-y", "./docs"]
        }

        knowledge handbook {
          sources  = ["docs/**/*.md"]
          chunking = recursive { size = 800, overlap = 100 }
          embedder = minilm
          store    = sqlite("handbook.db")
        }

        workflow support(ticket: Ticket) -> Triage {
          triage  = classifier(ticket)
          context = handbook.search(ticket.body, top = 5)
          answer  = switch triage.category {
            billing => classifier(ticket)
            _       => classifier(ticket)
          }
          checked = reviewer(triage)
          return triage
        }

        workflow triage_all(tickets: Ticket[]) -> Triage[] {
          results = for t in tickets parallel 8 => classifier(t) with { retry = 3, timeout = 20s }
          return results
        }

        """;

    internal const string Yaml = """
        providers:
          openai:
            kind: openai
            model: "gpt-4o-mini"
            api_key: env("OPENAI_API_KEY")
            supports: [chat, tools, json]
            cost: { input: 0.15, output: 0.60 }
          offline: { kind: mock, latency: 20ms }
        routes:
          smart:
            strategy: fallback
            use: [openai, offline]
            require: [json]
            retry: 2
            timeout: 30s
            cache: { ttl: 24h }
        enums:
          Category: [billing, bug, account, other]
        types:
          Ticket: { id: string, subject: string, body: string }
          Triage:
            category: Category
            tags: string[]
            owner: string?
        agents:
          classifier:
            params: { ticket: Ticket }
            returns: Triage
            model: smart
            temperature: 0
            instructions: 'You triage customer-support tickets.'
            prompt: "Subject: {{ticket.subject}}"
            cache: true
        humans:
          reviewer:
            params: { triage: Triage }
            returns: bool
            prompt: "Is {{triage.category}} right?"
            timeout: 2h
        tools:
          lookup_order: { params: { order_id: string }, returns: string }
        mcp:
          files:
            command: "npx"
            args: ["-y", "./docs"]
        knowledge:
          handbook:
            sources: ["docs/**/*.md"]
            chunking: recursive { size = 800, overlap = 100 }
            embedder: minilm
            store: sqlite("handbook.db")
        workflows:
          support:
            params: { ticket: Ticket }
            returns: Triage
            steps:
              triage: classifier(ticket)
              context: handbook.search(ticket.body, top = 5)
              answer: |
                switch triage.category {
                  billing => classifier(ticket)
                  _       => classifier(ticket)
                }
              checked: reviewer(triage)
            return: triage
          triage_all:
            params: { tickets: "Ticket[]" }
            returns: Triage[]
            steps:
              results: for t in tickets parallel 8 => classifier(t) with { retry = 3, timeout = 20s }
            return: results

        """;

    [Theory]
    [InlineData("offline")]
    [InlineData("Ticket")]
    public void Load_BriefFragmentFile_DeclarationMatchesTheSketch(string name)
    {
        var (sketch, sketchDiagnostics) = TestSupport.ParseAtlas(TestSupport.TestData("sketch.atlas"));
        Assert.Empty(sketchDiagnostics);
        var (fragment, diagnostics) = Load(TestSupport.TestData("fragment.atlas.yaml"));
        Assert.Empty(diagnostics);

        Assert.Equal(
            SyntaxShape.Print(sketch.Declarations.Single(d => d.Name.Name == name)),
            SyntaxShape.Print(fragment.Declarations.Single(d => d.Name.Name == name)));
    }

    [Fact]
    public void Load_SameDeclarationsAsAtlasText_SameTreeApartFromPositions()
    {
        var atlasDiagnostics = new DiagnosticBag();
        var atlasTree = AtlasParser.ParseFile(new SourceFile("test.atlas", Atlas), atlasDiagnostics, CancellationToken.None);
        Assert.Empty(atlasDiagnostics.ToSortedArray());
        Assert.NotEmpty(atlasTree.Declarations);

        var (yamlTree, yamlDiagnostics) = Load(Yaml);
        Assert.Empty(yamlDiagnostics);

        Assert.Equal(SyntaxShape.Print(atlasTree), SyntaxShape.Print(yamlTree));
    }
}
