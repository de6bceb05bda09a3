using Atlas.Compiler.Model;

namespace Atlas.Cli.Display;

/// <summary>
/// How the CLI shows the model's enums: their .atlas spelling (<c>openai_compatible</c>, <c>round_robin</c>).
/// Display only: the runtime gets enum members, never these strings.
/// </summary>
internal static class Spellings
{
    /// <summary>The provider kind's .atlas spelling.</summary>
    public static string Kind(ProviderKind kind) => kind switch
    {
        ProviderKind.OpenAI => "openai",
        ProviderKind.Anthropic => "anthropic",
        ProviderKind.Ollama => "ollama",
        ProviderKind.OpenAICompatible => "openai_compatible",
        _ => "mock",
    };

    /// <summary>The route strategy's .atlas spelling.</summary>
    public static string Strategy(RouteStrategy strategy) => strategy switch
    {
        RouteStrategy.RoundRobin => "round_robin",
        RouteStrategy.Cheapest => "cheapest",
        RouteStrategy.Fastest => "fastest",
        _ => "fallback",
    };
}
