using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Atlas.Benchmarks;

/// <summary>
/// Generates a large, realistic and valid Atlas project as one file, in the .atlas form and the
/// same model in the YAML form. Deterministic: the same <c>targetBytes</c> gives the same text
/// on every machine and run (a fixed LCG, invariant culture, '\n' line ends).
/// </summary>
/// <remarks>
/// The file is a sequence of independent "modules" (one per business domain): two or three
/// providers and a route, two enums, three record types, three agents with multi-line templates
/// (paths, loops), a tool, a knowledge base, and two workflows (parallel steps, an exhaustive
/// switch, <c>for ... parallel N</c> with <c>with { retry, timeout }</c>, a sub-workflow call).
/// Every declaration is used, so it binds with no warnings either.
/// </remarks>
public static class LargeAtlasGenerator
{
    public const int DefaultTargetBytes = 1_200_000;

    private static readonly string[] Domains =
    [
        "billing", "shipping", "claims", "onboarding", "returns", "payroll", "compliance", "inventory",
        "support", "procurement", "security", "marketing", "legal", "research", "facilities", "travel",
    ];

    private static readonly string[] Words =
    [
        "customer", "request", "invoice", "deadline", "contract", "priority", "summary", "evidence",
        "policy", "account", "record", "history", "approval", "owner", "region", "supplier", "risk",
        "amount", "currency", "reference", "status", "escalation", "reviewer", "document", "audit",
        "schedule", "budget", "quality", "feedback", "incident", "timeline", "exception", "threshold",
    ];

    /// <summary>The .atlas text; at least <paramref name="targetBytes"/> UTF-8 bytes.</summary>
    public static string GenerateAtlas(int targetBytes = DefaultTargetBytes) => Generate(targetBytes, yaml: false);

    /// <summary>The same model as <see cref="GenerateAtlas"/> with the same <paramref name="targetBytes"/>, in YAML.</summary>
    public static string GenerateYaml(int targetBytes = DefaultTargetBytes) => Generate(targetBytes, yaml: true);

    /// <summary>A project of <paramref name="count"/> separate .atlas files, one domain module each (names are unique across files).</summary>
    public static IReadOnlyList<string> GenerateAtlasFiles(int count)
    {
        var files = new List<string>(count);
        for (int i = 0; i < count; i++) files.Add(AtlasWriter.Write([new Module(i)]));
        return files;
    }

    private static string Generate(int targetBytes, bool yaml)
    {
        // The module count is decided on the .atlas form, so both forms hold the same modules.
        int modules = ModuleCountFor(targetBytes);
        var modulesList = new List<Module>(modules);
        for (int i = 0; i < modules; i++) modulesList.Add(new Module(i));
        return yaml ? YamlWriter.Write(modulesList) : AtlasWriter.Write(modulesList);
    }

    private static int ModuleCountFor(int targetBytes)
    {
        long bytes = 0;
        int count = 0;
        while (bytes < targetBytes)
        {
            bytes += Encoding.UTF8.GetByteCount(AtlasWriter.Write([new Module(count)]));
            count++;
        }
        return Math.Max(1, count);
    }

    /// <summary>One domain's declarations, as data both writers render.</summary>
    private sealed class Module
    {
        public Module(int index)
        {
            var random = new Lcg((uint)(index * 7919 + 17));
            Index = index;
            Domain = Domains[index % Domains.Length] + "_" + index.ToString(CultureInfo.InvariantCulture);
            Flavor = index % 3;
            Tags = new string[3 + random.Next(4)];
            for (int t = 0; t < Tags.Length; t++) Tags[t] = Words[random.Next(Words.Length)];
            Sentences = new string[4 + random.Next(4)];
            for (int s = 0; s < Sentences.Length; s++) Sentences[s] = Sentence(random, 8 + random.Next(10));
            Parallel = 2 + random.Next(15);
            Top = 3 + random.Next(6);
            Retry = 1 + random.Next(3);
            TimeoutSeconds = 10 + random.Next(50);
            Size = 400 + 100 * random.Next(8);
            Overlap = 20 + 10 * random.Next(5);
            Temperature = random.Next(8) / 10.0;
            InputCost = (1 + random.Next(300)) / 100.0;
            OutputCost = InputCost * 4;
            LatencyMs = 5 + random.Next(40);
        }

        public int Index { get; }
        public string Domain { get; }
        public int Flavor { get; }
        public string[] Tags { get; }
        public string[] Sentences { get; }
        public int Parallel { get; }
        public int Top { get; }
        public int Retry { get; }
        public int TimeoutSeconds { get; }
        public int Size { get; }
        public int Overlap { get; }
        public double Temperature { get; }
        public double InputCost { get; }
        public double OutputCost { get; }
        public int LatencyMs { get; }

        public string N => Index.ToString(CultureInfo.InvariantCulture);
        public string Pascal => char.ToUpperInvariant(Domain[0]) + Domain.Substring(1).Replace("_", "");

        public string Primary => Domain + "_primary";
        public string Secondary => Domain + "_secondary";
        public string Offline => Domain + "_offline";
        public string Route => Domain + "_route";
        public string Status => Pascal + "Status";
        public string Level => Pascal + "Level";
        public string Item => Pascal + "Item";
        public string Result => Pascal + "Result";
        public string Batch => Pascal + "Batch";
        public string Analyze => "analyze_" + Domain;
        public string Escalate => "escalate_" + Domain;
        public string Overview => "overview_" + Domain;
        public string Tool => "lookup_" + Domain;
        public string Knowledge => Domain + "_kb";
        public string Handle => "handle_" + Domain;
        public string BatchFlow => "batch_" + Domain;

        public string Strategy => Flavor == 1 ? "cheapest" : "fallback";

        public string[] Providers => Flavor == 2 ? [Primary, Secondary, Offline] : [Primary, Offline];

        public static readonly string[] StatusMembers = ["open", "pending", "resolved", "closed", "escalated"];
        public static readonly string[] LevelMembers = ["low", "medium", "high", "critical"];

        public string Instructions =>
            $"You handle {Domain.Replace('_', ' ')} work. {Sentences[0]} Answer as JSON only.";

        public string[] AnalyzePrompt =>
        [
            $"Analyze this {Domain.Replace('_', ' ')} item and decide its status and level.",
            "",
            "Title: {{item.title}}",
            "Owner: {{item.owner}}",
            "Tags: {{for t in item.tags}}{{t}}, {{end}}",
            "",
            "{{item.body}}",
            "",
            .. Sentences,
        ];

        public string[] EscalatePrompt =>
        [
            "The first analysis of {{item.title}} was: {{draft.summary}} ({{draft.level}}).",
            "Check it against these passages and return a corrected result.",
            "{{for p in context}}- {{p.text}} ({{p.source}}, {{p.score}})",
            "{{end}}",
            "Points so far:",
            "{{for point in draft.points}}- {{point}}",
            "{{end}}",
            Sentences[1],
        ];

        public string[] OverviewPrompt =>
        [
            $"Write a short overview of today's {Domain.Replace('_', ' ')} results.",
            "{{for r in results}}- {{r.item}}: {{r.status}}/{{r.level}} {{r.summary}}",
            "{{end}}",
            Sentences[^1],
        ];

        private static string Sentence(Lcg random, int words)
        {
            var sb = new StringBuilder();
            for (int w = 0; w < words; w++)
            {
                if (w > 0) sb.Append(' ');
                var word = Words[random.Next(Words.Length)];
                sb.Append(w == 0 ? char.ToUpperInvariant(word[0]) + word.Substring(1) : word);
            }
            return sb.Append('.').ToString();
        }
    }

    private static string Num(double value) => value.ToString("0.0#", CultureInfo.InvariantCulture);

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static class AtlasWriter
    {
        public static string Write(IReadOnlyList<Module> modules)
        {
            var sb = new StringBuilder();
            sb.Append("# Generated by Atlas.Benchmarks.LargeAtlasGenerator: ").Append(Int(modules.Count)).Append(" domains.\n");
            foreach (var m in modules) WriteModule(sb, m);
            return sb.ToString();
        }

        private static void WriteModule(StringBuilder sb, Module m)
        {
            sb.Append("\n# ---- ").Append(m.Domain).Append(" ----\n\n");
            sb.Append("provider ").Append(m.Primary).Append(" {\n")
              .Append("  kind     = openai\n")
              .Append("  model    = \"gpt-4o-mini\"\n")
              .Append("  api_key  = env(\"OPENAI_API_KEY\")\n")
              .Append("  supports = [chat, tools, json, streaming]\n")
              .Append("  cost     { input = ").Append(Num(m.InputCost)).Append(", output = ").Append(Num(m.OutputCost)).Append(" }\n")
              .Append("}\n\n");
            if (m.Flavor == 2)
            {
                sb.Append("provider ").Append(m.Secondary).Append(" {\n")
                  .Append("  kind            = openai_compatible\n")
                  .Append("  endpoint        = \"https://llm.internal.example/v1\"\n")
                  .Append("  model           = \"mixtral-8x7b\"\n")
                  .Append("  api_key         = env(\"INTERNAL_LLM_KEY\")\n")
                  .Append("  supports        = [chat, json]\n")
                  .Append("  max_concurrency = 4\n")
                  .Append("}\n\n");
            }
            sb.Append("provider ").Append(m.Offline).Append(" {\n")
              .Append("  kind    = mock\n")
              .Append("  latency = ").Append(Int(m.LatencyMs)).Append("ms\n")
              .Append("}\n\n");
            sb.Append("route ").Append(m.Route).Append(" {\n")
              .Append("  strategy = ").Append(m.Strategy).Append('\n')
              .Append("  use      = [").Append(string.Join(", ", m.Providers)).Append("]\n")
              .Append("  require  = [json]\n")
              .Append("  retry    = ").Append(Int(m.Retry)).Append('\n')
              .Append("  timeout  = ").Append(Int(m.TimeoutSeconds)).Append("s\n")
              .Append("}\n\n");

            sb.Append("enum ").Append(m.Status).Append(" { ").Append(string.Join(", ", Module.StatusMembers)).Append(" }\n\n");
            sb.Append("enum ").Append(m.Level).Append(" { ").Append(string.Join(", ", Module.LevelMembers)).Append(" }\n\n");

            sb.Append("type ").Append(m.Item).Append(" {\n")
              .Append("  id:    string\n")
              .Append("  title: string\n")
              .Append("  body:  string\n")
              .Append("  owner: string?\n")
              .Append("  tags:  string[]\n")
              .Append("  score: float\n")
              .Append("  count: int\n")
              .Append("}\n\n");
            sb.Append("type ").Append(m.Result).Append(" {\n")
              .Append("  item:    string\n")
              .Append("  status:  ").Append(m.Status).Append('\n')
              .Append("  level:   ").Append(m.Level).Append('\n')
              .Append("  summary: string\n")
              .Append("  points:  string[]\n")
              .Append("  urgent:  bool\n")
              .Append("}\n\n");
            sb.Append("type ").Append(m.Batch).Append(" {\n")
              .Append("  results:  ").Append(m.Result).Append("[]\n")
              .Append("  overview: string\n")
              .Append("}\n\n");

            Agent(sb, m.Analyze, $"item: {m.Item}", m.Result, m, tools: false, m.AnalyzePrompt);
            Agent(sb, m.Escalate, $"item: {m.Item}, draft: {m.Result}, context: Passage[]", m.Result, m, tools: true, m.EscalatePrompt);
            Agent(sb, m.Overview, $"results: {m.Result}[]", "string", m, tools: false, m.OverviewPrompt);

            sb.Append("tool ").Append(m.Tool).Append("(id: string, limit: int) -> string\n\n");

            sb.Append("knowledge ").Append(m.Knowledge).Append(" {\n")
              .Append("  sources  = [\"docs/").Append(m.Domain).Append("/**/*.md\"]\n")
              .Append("  chunking = recursive { size = ").Append(Int(m.Size)).Append(", overlap = ").Append(Int(m.Overlap)).Append(" }\n")
              .Append("  embedder = minilm\n")
              .Append("  store    = sqlite(\"").Append(m.Domain).Append(".db\")\n")
              .Append("}\n\n");

            sb.Append("workflow ").Append(m.Handle).Append("(item: ").Append(m.Item).Append(") -> ").Append(m.Result).Append(" {\n")
              .Append("  draft   = ").Append(Expressions.Draft(m)).Append('\n')
              .Append("  context = ").Append(Expressions.Context(m)).Append('\n')
              .Append("  result  = ").Append(Expressions.Switch(m).Replace("\n", "\n  ")).Append('\n')
              .Append("  return result\n")
              .Append("}\n\n");
            sb.Append("workflow ").Append(m.BatchFlow).Append("(items: ").Append(m.Item).Append("[]) -> ").Append(m.Batch).Append(" {\n")
              .Append("  results = ").Append(Expressions.For(m)).Append('\n')
              .Append("  text    = ").Append(Expressions.OverviewCall(m)).Append('\n')
              .Append("  return ").Append(Expressions.Return(m)).Append('\n')
              .Append("}\n");
        }

        private static void Agent(StringBuilder sb, string name, string parameters, string returns, Module m, bool tools, string[] prompt)
        {
            sb.Append("agent ").Append(name).Append('(').Append(parameters).Append(") -> ").Append(returns).Append(" {\n")
              .Append("  model        = ").Append(m.Route).Append('\n')
              .Append("  temperature  = ").Append(Num(m.Temperature)).Append('\n')
              .Append("  max_tokens   = 800\n");
            if (tools) sb.Append("  tools        = [").Append(m.Tool).Append("]\n");
            sb.Append("  instructions = \"").Append(m.Instructions).Append("\"\n")
              .Append("  prompt = \"\"\"\n");
            foreach (var line in prompt) sb.Append(line.Length == 0 ? "" : "    " + line).Append('\n');
            sb.Append("  \"\"\"\n}\n\n");
        }
    }

    /// <summary>Workflow expressions: the same sub-language in both forms.</summary>
    private static class Expressions
    {
        public static string Draft(Module m) => $"{m.Analyze}(item)";

        public static string Context(Module m) => $"{m.Knowledge}.search(item.body, top = {Int(m.Top)})";

        public static string Switch(Module m)
        {
            var sb = new StringBuilder();
            sb.Append("switch draft.status {\n");
            if (m.Flavor == 0)
            {
                sb.Append("  escalated => ").Append(m.Escalate).Append("(item, draft, context) with { retry = ").Append(Int(m.Retry)).Append(" }\n");
                sb.Append("  open      => ").Append(m.Escalate).Append("(item, draft, context)\n");
                sb.Append("  _         => draft\n");
            }
            else
            {
                foreach (var member in Module.StatusMembers)
                {
                    sb.Append("  ").Append(member.PadRight(9)).Append(" => ")
                      .Append(member is "open" or "escalated" ? m.Escalate + "(item, draft, context)" : "draft").Append('\n');
                }
            }
            return sb.Append('}').ToString();
        }

        public static string For(Module m) =>
            $"for it in items parallel {Int(m.Parallel)} => {m.Handle}(it) with {{ retry = {Int(m.Retry)}, timeout = {Int(m.TimeoutSeconds)}s }}";

        public static string OverviewCall(Module m) => $"{m.Overview}(results)";

        public static string Return(Module m) => $"{m.Batch} {{ results = results, overview = text }}";
    }

    private static class YamlWriter
    {
        public static string Write(IReadOnlyList<Module> modules)
        {
            var sb = new StringBuilder();
            sb.Append("# Generated by Atlas.Benchmarks.LargeAtlasGenerator: ").Append(Int(modules.Count)).Append(" domains.\n");

            sb.Append("providers:\n");
            foreach (var m in modules)
            {
                sb.Append("  ").Append(m.Primary).Append(":\n")
                  .Append("    kind: openai\n")
                  .Append("    model: \"gpt-4o-mini\"\n")
                  .Append("    api_key: env(\"OPENAI_API_KEY\")\n")
                  .Append("    supports: [chat, tools, json, streaming]\n")
                  .Append("    cost: { input: ").Append(Num(m.InputCost)).Append(", output: ").Append(Num(m.OutputCost)).Append(" }\n");
                if (m.Flavor == 2)
                {
                    sb.Append("  ").Append(m.Secondary).Append(":\n")
                      .Append("    kind: openai_compatible\n")
                      .Append("    endpoint: \"https://llm.internal.example/v1\"\n")
                      .Append("    model: \"mixtral-8x7b\"\n")
                      .Append("    api_key: env(\"INTERNAL_LLM_KEY\")\n")
                      .Append("    supports: [chat, json]\n")
                      .Append("    max_concurrency: 4\n");
                }
                sb.Append("  ").Append(m.Offline).Append(": { kind: mock, latency: ").Append(Int(m.LatencyMs)).Append("ms }\n");
            }

            sb.Append("\nroutes:\n");
            foreach (var m in modules)
            {
                sb.Append("  ").Append(m.Route).Append(":\n")
                  .Append("    strategy: ").Append(m.Strategy).Append('\n')
                  .Append("    use: [").Append(string.Join(", ", m.Providers)).Append("]\n")
                  .Append("    require: [json]\n")
                  .Append("    retry: ").Append(Int(m.Retry)).Append('\n')
                  .Append("    timeout: ").Append(Int(m.TimeoutSeconds)).Append("s\n");
            }

            sb.Append("\nenums:\n");
            foreach (var m in modules)
            {
                sb.Append("  ").Append(m.Status).Append(": [").Append(string.Join(", ", Module.StatusMembers)).Append("]\n");
                sb.Append("  ").Append(m.Level).Append(": [").Append(string.Join(", ", Module.LevelMembers)).Append("]\n");
            }

            sb.Append("\ntypes:\n");
            foreach (var m in modules)
            {
                sb.Append("  ").Append(m.Item).Append(": { id: string, title: string, body: string, owner: \"string?\", tags: \"string[]\", score: float, count: int }\n");
                sb.Append("  ").Append(m.Result).Append(": { item: string, status: ").Append(m.Status).Append(", level: ").Append(m.Level)
                  .Append(", summary: string, points: \"string[]\", urgent: bool }\n");
                sb.Append("  ").Append(m.Batch).Append(": { results: \"").Append(m.Result).Append("[]\", overview: string }\n");
            }

            sb.Append("\nagents:\n");
            foreach (var m in modules)
            {
                Agent(sb, m.Analyze, [("item", m.Item)], m.Result, m, tools: false, m.AnalyzePrompt);
                Agent(sb, m.Escalate, [("item", m.Item), ("draft", m.Result), ("context", "Passage[]")], m.Result, m, tools: true, m.EscalatePrompt);
                Agent(sb, m.Overview, [("results", m.Result + "[]")], "string", m, tools: false, m.OverviewPrompt);
            }

            sb.Append("\ntools:\n");
            foreach (var m in modules)
                sb.Append("  ").Append(m.Tool).Append(": { params: { id: string, limit: int }, returns: string }\n");

            sb.Append("\nknowledge:\n");
            foreach (var m in modules)
            {
                sb.Append("  ").Append(m.Knowledge).Append(":\n")
                  .Append("    sources: [\"docs/").Append(m.Domain).Append("/**/*.md\"]\n")
                  .Append("    chunking: recursive { size = ").Append(Int(m.Size)).Append(", overlap = ").Append(Int(m.Overlap)).Append(" }\n")
                  .Append("    embedder: minilm\n")
                  .Append("    store: sqlite(\"").Append(m.Domain).Append(".db\")\n");
            }

            sb.Append("\nworkflows:\n");
            foreach (var m in modules)
            {
                sb.Append("  ").Append(m.Handle).Append(":\n")
                  .Append("    params: { item: ").Append(m.Item).Append(" }\n")
                  .Append("    returns: ").Append(m.Result).Append('\n')
                  .Append("    steps:\n")
                  .Append("      draft: ").Append(Expressions.Draft(m)).Append('\n')
                  .Append("      context: ").Append(Expressions.Context(m)).Append('\n')
                  .Append("      result: |-\n");
                foreach (var line in Expressions.Switch(m).Split('\n')) sb.Append("        ").Append(line).Append('\n');
                sb.Append("    return: result\n");
                sb.Append("  ").Append(m.BatchFlow).Append(":\n")
                  .Append("    params: { items: \"").Append(m.Item).Append("[]\" }\n")
                  .Append("    returns: ").Append(m.Batch).Append('\n')
                  .Append("    steps:\n")
                  .Append("      results: ").Append(Expressions.For(m)).Append('\n')
                  .Append("      text: ").Append(Expressions.OverviewCall(m)).Append('\n')
                  .Append("    return: ").Append(Expressions.Return(m)).Append('\n');
            }
            return sb.ToString();
        }

        private static void Agent(StringBuilder sb, string name, (string Name, string Type)[] parameters, string returns, Module m, bool tools, string[] prompt)
        {
            sb.Append("  ").Append(name).Append(":\n")
              .Append("    params: { ");
            for (int i = 0; i < parameters.Length; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(parameters[i].Name).Append(": \"").Append(parameters[i].Type).Append('"');
            }
            sb.Append(" }\n")
              .Append("    returns: \"").Append(returns).Append("\"\n")
              .Append("    model: ").Append(m.Route).Append('\n')
              .Append("    temperature: ").Append(Num(m.Temperature)).Append('\n')
              .Append("    max_tokens: 800\n");
            if (tools) sb.Append("    tools: [").Append(m.Tool).Append("]\n");
            sb.Append("    instructions: \"").Append(m.Instructions).Append("\"\n")
              .Append("    prompt: |-\n");
            foreach (var line in prompt) sb.Append(line.Length == 0 ? "" : "      " + line).Append('\n');
        }
    }

    /// <summary>A tiny linear congruential generator: the same numbers on every runtime, unlike an unseeded Random.</summary>
    private sealed class Lcg(uint seed)
    {
        private uint _state = seed == 0 ? 1u : seed;

        public int Next(int maxExclusive)
        {
            _state = unchecked(_state * 1664525u + 1013904223u);
            return (int)((_state >> 8) % (uint)maxExclusive);
        }
    }
}
