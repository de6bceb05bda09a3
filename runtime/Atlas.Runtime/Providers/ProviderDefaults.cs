using System;
using System.Collections.Generic;

namespace Atlas;

/// <summary>
/// The capabilities each provider kind supports when it declares no <c>supports</c> (spec/language.md §6):
/// the one table. This file is compiled into Atlas.Runtime and, linked, into Atlas.Compiler, so the binder,
/// the runtime and <c>atlas providers</c> read the same rows while the runtime stays free of the front-end.
/// Kinds are keyed by their .atlas spelling, the one spelling both assemblies share.
/// </summary>
internal static class ProviderDefaults
{
    /// <summary>Every capability a provider can declare in <c>supports</c>, in the spec's order.</summary>
    public static readonly IReadOnlyList<string> CapabilityNames = new[] { "chat", "tools", "json", "embeddings", "vision", "streaming" };

    private static readonly string[] Full = { "chat", "tools", "json", "embeddings", "streaming" };
    private static readonly string[] NoEmbeddings = { "chat", "tools", "json", "streaming" };
    private static readonly string[] ChatOnly = { "chat", "streaming" };

    /// <summary>
    /// The rows of the table. <c>custom</c> is a host's own client registered under a name no descriptor
    /// declares; the mock does not embed (the offline embedder is <c>minilm</c>).
    /// </summary>
    public static readonly IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> Table = new[]
    {
        Row("openai", Full),
        Row("anthropic", NoEmbeddings),
        Row("ollama", Full),
        Row("openai_compatible", ChatOnly),
        Row("mock", NoEmbeddings),
        Row("custom", NoEmbeddings),
    };

    /// <summary>The default capabilities of <paramref name="kind"/>; none for a kind the table does not know.</summary>
    public static IReadOnlyList<string> Capabilities(string? kind)
    {
        foreach (var row in Table)
        {
            if (string.Equals(row.Key, kind, StringComparison.Ordinal)) return row.Value;
        }

        return Array.Empty<string>();
    }

    private static KeyValuePair<string, IReadOnlyList<string>> Row(string kind, string[] capabilities) => new(kind, capabilities);
}
