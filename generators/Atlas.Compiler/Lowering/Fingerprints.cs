using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Atlas.Compiler.Model;

namespace Atlas.Compiler.Lowering;

/// <summary>
/// Stable fingerprints: the first 64 bits of the SHA-256 of a canonical text, as 16 lowercase hex
/// digits. The texts spell values in invariant form and name what they read by its own fingerprint,
/// so the same declarations give the same fingerprints on every machine and in every run, and only
/// a change to what is computed (not to a comment, layout, or the form — .atlas or YAML) moves them.
/// </summary>
/// <remarks>
/// A fingerprint says what is computed, not where: two steps that compute the same thing share one.
/// Thread-safe (pure functions).
/// </remarks>
public static class Fingerprints
{
    /// <summary>The fingerprint of a canonical text.</summary>
    public static string Of(string canonical)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(canonical));
        var hex = new StringBuilder(16);
        for (int i = 0; i < 8; i++) hex.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
        return hex.ToString();
    }

    internal static string Provider(ProviderModel provider) => Of(Join(
        "provider",
        provider.Kind.ToString(),
        Optional(provider.Model),
        Optional(provider.Endpoint),
        Optional(provider.ApiKeyVariable),
        List(provider.Capabilities),
        provider.Cost is { } cost ? Number(cost.InputPerMillion) + "/" + Number(cost.OutputPerMillion) : "-",
        Optional(provider.LatencyMs),
        Optional(provider.MaxConcurrency),
        Optional(provider.EmbeddingModel),
        Optional(provider.TimeoutMs)));

    /// <summary>A route: what decides where a request goes and how often it is tried. Not its <c>cache</c>: see <see cref="Agent"/>.</summary>
    internal static string Route(RouteModel route, IReadOnlyDictionary<string, string> providers) => Of(Join(
        "route",
        route.Strategy.ToString(),
        List(route.Use.Select(p => p + "#" + Lookup(providers, p))),
        List(route.Require),
        route.Retry.ToString(CultureInfo.InvariantCulture),
        Optional(route.TimeoutMs)));

    internal static string Mcp(McpModel server) => Of(Join("mcp", server.Command, List(server.Arguments)));

    internal static string Tool(ToolModel tool, JsonSchemas schemas) =>
        Of(Join("tool", schemas.ForParameters(tool.Parameters), schemas.For(tool.Returns), tool.ReadOnly ? "read_only" : "writes"));

    internal static string Knowledge(KnowledgeModel knowledge, IReadOnlyDictionary<string, string> providers) => Of(Join(
        "knowledge",
        List(knowledge.Sources),
        knowledge.Chunking.Strategy + "/" + knowledge.Chunking.Size.ToString(CultureInfo.InvariantCulture) + "/" + knowledge.Chunking.Overlap.ToString(CultureInfo.InvariantCulture),
        providers.TryGetValue(knowledge.Embedder, out var embedder) ? "provider#" + embedder : knowledge.Embedder,
        knowledge.Store.Kind + ":" + knowledge.Store.Target));

    /// <summary>
    /// An agent: everything that shapes its answer, its parameters' and result's types by their schemas (a
    /// new field changes what a prompt can render). Its own name is left out (renaming changes no answer);
    /// the names of its tools and delegates stay in, since the model sees them as function names. Its <c>cache</c> is left
    /// out: a cached reply is the reply recorded for the same request, so caching changes where an answer comes from and
    /// what it costs, never what is computed (a run recorded before <c>cache</c> was turned on replays the same).
    /// </summary>
    internal static string Agent(AgentModel agent, JsonSchemas schemas, string modelTarget, IEnumerable<string> tools, IEnumerable<string> delegates) => Of(Join(
        "agent",
        schemas.ForParameters(agent.Parameters),
        schemas.For(agent.Returns),
        modelTarget,
        Optional(agent.Temperature),
        Optional(agent.MaxTokens),
        agent.Instructions is { } instructions ? Template(instructions) : "-",
        Template(agent.Prompt),
        List(tools),
        List(delegates),
        Optional(agent.MaxDepth),
        Budget(agent.Budget),
        Optional(agent.MaxToolCalls)));

    /// <summary>
    /// A human: what shapes the question a person sees and the answer taken, as for an agent (its parameters' and result's
    /// schemas, its prompt), and its timeout, since a run that waits longer fails where it did not before. Not its name.
    /// </summary>
    internal static string Human(HumanModel human, JsonSchemas schemas) => Of(Join(
        "human",
        schemas.ForParameters(human.Parameters),
        schemas.For(human.Returns),
        Template(human.Prompt),
        Optional(human.TimeoutMs)));

    internal static string Budget(BudgetModel? budget) =>
        budget is null ? "-" : "budget " + Optional(budget.Usd) + " usd, " + Optional(budget.Tokens) + " tokens";


    internal static string Join(params string[] parts) => string.Join("|", parts.Select(p => p.Replace("\\", "\\\\").Replace("|", "\\|")));

    /// <summary>A template part by part, so literal text can never read as a tag.</summary>
    private static string Template(TemplateModel template)
    {
        var text = new StringBuilder();
        WriteTemplate(text, template.Parts);
        return text.ToString();
    }

    private static void WriteTemplate(StringBuilder text, IEnumerable<TemplatePart> parts)
    {
        text.Append('[');
        foreach (var part in parts)
        {
            switch (part)
            {
                case TextPart literal:
                    text.Append("text ").Append(PlanText.Quote(literal.Text));
                    break;
                case PathPart path:
                    text.Append("path ").Append(string.Join(".", path.Path));
                    break;
                case ForPart loop:
                    text.Append("for ").Append(loop.Variable).Append(" in ").Append(string.Join(".", loop.Source)).Append(' ');
                    WriteTemplate(text, loop.Body);
                    break;
            }

            text.Append(';');
        }

        text.Append(']');
    }

    private static string List(IEnumerable<string> items) => "[" + string.Join(",", items.Select(PlanText.Quote)) + "]";

    private static string Lookup(IReadOnlyDictionary<string, string> fingerprints, string name) =>
        fingerprints.TryGetValue(name, out var fingerprint) ? fingerprint : "?" + name;

    private static string Optional(string? value) => value is null ? "-" : PlanText.Quote(value);

    private static string Optional(long? value) => value is null ? "-" : value.Value.ToString(CultureInfo.InvariantCulture);

    private static string Optional(int? value) => value is null ? "-" : value.Value.ToString(CultureInfo.InvariantCulture);

    private static string Optional(double? value) => value is null ? "-" : Number(value.Value);

    /// <summary>A dollar amount as the binder holds it: the literal's decimal without trailing zeros, so the text never varies.</summary>
    private static string Optional(decimal? value) => value is null ? "-" : value.Value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
