namespace Atlas.Compiler.Tests.Yaml;

internal static class YamlSamples
{
    /// <summary>The YAML fragment of the design brief (atlas.md), verbatim.</summary>
    public const string BriefFragment = """
        providers:
          offline: { kind: mock, latency: 20ms }
        types:
          Ticket: { id: string, subject: string, body: string }
        agents:
          classifier:
            params:  { ticket: Ticket }
            returns: Triage
            model:   offline
            prompt:  "Subject: {{ticket.subject}}"
        workflows:
          support:
            params:  { ticket: Ticket }
            returns: Reply
            steps:
              triage:  classifier(ticket)
              context: handbook.search(ticket.body, top = 5)
            return: Reply { ticket = ticket.id, category = triage.category, answer = triage.summary }

        """;

    /// <summary>Every section, every scalar style and most value kinds.</summary>
    public const string Full = """
        # Atlas in YAML
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
        enums:
          Category: [billing, bug, account, other]
        types:
          Ticket: { id: string, subject: string, body: string }
          Triage:
            category: Category
            urgency: int
            summary: string
            tags: string[]
            owner: string?
          Reply: { ticket: string, category: Category, answer: string }
          Passage: { text: string, source: string }
        agents:
          classifier:
            params: { ticket: Ticket }
            returns: Triage
            model: smart
            temperature: 0
            instructions: 'You triage customer-support tickets.'
            prompt: |
              Subject: {{ticket.subject}}
              {{ticket.body}}
          support_agent:
            params: { ticket: Ticket, context: "Passage[]" }
            returns: string
            model: smart
            tools: [lookup_order]
            prompt: >
              Question: {{ticket.body}}
        tools:
          lookup_order:
            params: { order_id: string }
            returns: string
        mcp:
          files:
            command: "npx"
            args: ["-y", "@modelcontextprotocol/server-filesystem", "./docs"]
        knowledge:
          handbook:
            sources: ["docs/**/*.md"]
            chunking: recursive { size = 800, overlap = 100 }
            embedder: minilm
            store: sqlite("handbook.db")
        workflows:
          support:
            params: { ticket: Ticket }
            returns: Reply
            steps:
              triage: classifier(ticket)
              context: handbook.search(ticket.body, top = 5)
              answer: |
                switch triage.category {
                  billing => support_agent(ticket, context)
                  _       => support_agent(ticket, context)
                }
            return: Reply { ticket = ticket.id, category = triage.category, answer = answer }
          triage_all:
            params: { tickets: "Ticket[]" }
            returns: Triage[]
            steps:
              results: for t in tickets parallel 8 => classifier(t) with { retry = 3, timeout = 20s }
            return: results

        """;
}
