using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Atlas.Compiler;
using Atlas.Compiler.Text;
using Atlas.Interpreter;
using Atlas.Runtime;

namespace Atlas.Cli.Tests;

/// <summary>
/// The default capabilities of each provider kind come from one table (ProviderDefaults.cs, compiled into
/// the compiler and the runtime): the binder, the runtime and <c>atlas providers</c> read it, and it says
/// what spec/language.md §6 says. Once the runtime kept its own copy and said the mock embeds.
/// </summary>
public sealed class ProviderDefaultsTests
{
    // One provider of each kind, none declaring `supports`: the names are the kinds.
    private const string EveryKind = """
        provider openai { kind = openai, model = "m" }
        provider anthropic { kind = anthropic, model = "m" }
        provider ollama { kind = ollama, model = "m" }
        provider openai_compatible { kind = openai_compatible, model = "m", endpoint = "http://127.0.0.1:1/v1" }
        provider mock { kind = mock }
        """;

    [Fact]
    public void DefaultCapabilities_BinderRuntimeCliAndSpecAgree()
    {
        var spec = SpecDefaults();
        Assert.Equal(["anthropic", "mock", "ollama", "openai", "openai_compatible"], spec.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("embeddings", spec["mock"]);

        var binder = BinderDefaults();
        var runtime = RuntimeDefaults();
        var cli = CliDefaults();
        foreach (var (kind, capabilities) in spec)
        {
            Assert.True(capabilities.SequenceEqual(binder[kind]), $"binder, {kind}: [{string.Join(", ", binder[kind])}], spec: [{string.Join(", ", capabilities)}]");
            Assert.True(capabilities.SequenceEqual(runtime[kind]), $"runtime, {kind}: [{string.Join(", ", runtime[kind])}], spec: [{string.Join(", ", capabilities)}]");
            Assert.True(capabilities.SequenceEqual(cli[kind]), $"atlas providers, {kind}: [{string.Join(", ", cli[kind])}], spec: [{string.Join(", ", capabilities)}]");
        }
    }

    [Fact]
    public void EveryKind_HasItsClient_TheCliCarriesEveryRuntimePackage()
    {
        var options = new AtlasRuntimeOptions().UseEveryPackage();
        using var dir = new TempDirectory();

        var result = Cli.Offline("providers", dir.Write("kinds.atlas", EveryKind));

        Assert.Equal(
            Enum.GetValues<ProviderKind>().Where(k => k is not (ProviderKind.Mock or ProviderKind.Custom)).Order(),
            options.ProviderClientFactories.Keys.Order());
        Assert.NotNull(options.McpServerFactory);
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain(result.StdoutLines, line => line.Contains("need Atlas.Runtime", StringComparison.Ordinal));
        Assert.Contains("available", result.StdoutLines.Single(l => l.StartsWith("ollama ", StringComparison.Ordinal)));
    }

    /// <summary>§6's "Default `supports`:" paragraph: <c>openai and ollama `[chat, ...]`; anthropic `[...]`; ...</c>.</summary>
    private static Dictionary<string, string[]> SpecDefaults()
    {
        var text = File.ReadAllText(Path.Combine(Cli.RepositoryRoot, "spec", "language.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var start = text.IndexOf("Default `supports`:", StringComparison.Ordinal);
        Assert.True(start >= 0, "spec/language.md has no \"Default `supports`:\" paragraph");
        var end = text.IndexOf("\n\n", start, StringComparison.Ordinal);
        var paragraph = text[(start + "Default `supports`:".Length)..end].Replace('\n', ' ');
        var defaults = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (Match row in Regex.Matches(paragraph, @"(?<kinds>[a-z_]+(?: and [a-z_]+)*)\s+`\[(?<capabilities>[a-z, ]*)\]`"))
        {
            var capabilities = row.Groups["capabilities"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var kind in row.Groups["kinds"].Value.Split(" and ")) defaults.Add(kind, capabilities);
        }

        return defaults;
    }

    private static Dictionary<string, string[]> BinderDefaults()
    {
        var result = AtlasCompiler.Compile([new SourceFile("kinds.atlas", EveryKind)]);
        Assert.Equal("", string.Join("\n", result.Diagnostics.Where(d => d.IsError)));
        return result.Model.Providers.ToDictionary(p => p.Name, p => p.Capabilities.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>A descriptor without <c>Capabilities</c> (as a host may write one) gets the runtime's default for its kind.</summary>
    private static Dictionary<string, string[]> RuntimeDefaults()
    {
        var providers = AtlasCompiler.Compile([new SourceFile("kinds.atlas", EveryKind)]).Model.Providers;
        var options = new AtlasRuntimeOptions { GetEnvironmentVariable = _ => null };
        foreach (var provider in providers) options.Providers.Add(Descriptors.Provider(provider) with { Capabilities = null });
        using var runtime = new AtlasRuntime(options);
        return providers.ToDictionary(p => p.Name, p => runtime.GetProviderStatus(p.Name).Capabilities.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The capabilities column of <c>atlas providers</c>.</summary>
    private static Dictionary<string, string[]> CliDefaults()
    {
        using var dir = new TempDirectory();
        var result = Cli.Offline("providers", dir.Write("kinds.atlas", EveryKind));
        Assert.Equal(0, result.ExitCode);
        var header = result.StdoutLines[0];
        var column = header.IndexOf("capabilities", StringComparison.Ordinal);
        var next = header.IndexOf("cost", column, StringComparison.Ordinal);
        return result.StdoutLines.Skip(1).TakeWhile(line => line.Length > 0).ToDictionary(
            line => line[..line.IndexOf(' ', StringComparison.Ordinal)],
            line => line[column..next].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            StringComparer.Ordinal);
    }
}
