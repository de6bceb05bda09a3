using System;
using System.Collections.Generic;

namespace Atlas;

/// <summary>
/// The packages that add to Atlas.Runtime what it does not carry itself: each remote provider kind's client library, and
/// the MCP client. The one table: compiled into Atlas.Runtime and, linked, into Atlas.Compiler, so the generator (which
/// registers what a project declares in <c>AddAtlas()</c>, and fails the build naming a package the project lacks) and the
/// runtime (which names the package when a kind was not registered) read the same rows. Kinds are keyed by their .atlas
/// spelling, the one spelling both assemblies share; each package defines the registration method named here, an
/// extension of <c>AtlasRuntimeOptions</c> in the namespace <c>Atlas.Runtime</c>.
/// </summary>
internal sealed class RuntimePackage
{
    private RuntimePackage(string name, string register, string what, params string[] providerKinds)
    {
        Name = name;
        Register = register;
        What = what;
        ProviderKinds = providerKinds;
    }

    /// <summary>Atlas.Runtime.OpenAI: the <c>openai</c> and <c>openai_compatible</c> kinds (Microsoft.Extensions.AI.OpenAI).</summary>
    public static readonly RuntimePackage OpenAI = new("Atlas.Runtime.OpenAI", "UseOpenAI", "openai and openai_compatible providers", "openai", "openai_compatible");

    /// <summary>Atlas.Runtime.Anthropic: the <c>anthropic</c> kind (the Anthropic SDK).</summary>
    public static readonly RuntimePackage Anthropic = new("Atlas.Runtime.Anthropic", "UseAnthropic", "anthropic providers", "anthropic");

    /// <summary>Atlas.Runtime.Ollama: the <c>ollama</c> kind (OllamaSharp).</summary>
    public static readonly RuntimePackage Ollama = new("Atlas.Runtime.Ollama", "UseOllama", "ollama providers", "ollama");

    /// <summary>Atlas.Runtime.Mcp: the client of <c>mcp</c> servers (ModelContextProtocol).</summary>
    public static readonly RuntimePackage Mcp = new("Atlas.Runtime.Mcp", "UseMcp", "mcp servers");

    /// <summary>Every row.</summary>
    public static readonly IReadOnlyList<RuntimePackage> All = new[] { OpenAI, Anthropic, Ollama, Mcp };

    /// <summary>The package's id, which is its assembly's name.</summary>
    public string Name { get; }

    /// <summary>The extension method of <c>AtlasRuntimeOptions</c> that registers what the package adds.</summary>
    public string Register { get; }

    /// <summary>What it adds, for messages: <c>anthropic providers</c>.</summary>
    public string What { get; }

    /// <summary>The provider kinds it adds, as .atlas files spell them; none for MCP.</summary>
    public IReadOnlyList<string> ProviderKinds { get; }

    /// <summary>The package that adds the provider kind spelled <paramref name="kind"/>; <see langword="null"/> for <c>mock</c> (built in) or an unknown kind.</summary>
    public static RuntimePackage? ForProviderKind(string kind)
    {
        foreach (var package in All)
        {
            foreach (var provided in package.ProviderKinds)
            {
                if (string.Equals(provided, kind, StringComparison.Ordinal)) return package;
            }
        }

        return null;
    }

    /// <summary>One line for a runtime that was not given what this package adds: <c>anthropic providers need Atlas.Runtime.Anthropic: ...</c>.</summary>
    public string NotRegistered() =>
        $"{What} need {Name}: reference it and call options.{Register}() (generated AddAtlas() does for what the .atlas files declare)";
}
