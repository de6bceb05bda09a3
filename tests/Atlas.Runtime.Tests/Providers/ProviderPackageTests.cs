using System;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime.Tests.Providers;

/// <summary>
/// Each remote provider kind's client (and MCP's) comes from a package of its own: a runtime that was not given a kind's
/// package says which one, in one line, and each package registers what the shared table says it does.
/// </summary>
public class ProviderPackageTests
{
    [Fact]
    public async Task AKindWithoutItsPackage_IsUnavailable_NamingThePackage_AndAnAgentOnItFailsWithThatLine()
    {
        var options = new AtlasRuntimeOptions { GetEnvironmentVariable = _ => "sk-test" };
        options.Providers.Add(new ProviderDescriptor("claude", ProviderKind.Anthropic, "claude-haiku-4-5", ApiKeyVariable: "ANTHROPIC_API_KEY"));
        using var runtime = new AtlasRuntime(options);

        var status = runtime.GetProviderStatus("claude");
        var agent = new AgentDescriptor("helper", [], "string", null, "claude", TestSupport.Template("hi"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None));

        const string Reason = "anthropic providers need Atlas.Runtime.Anthropic: reference it and call options.UseAnthropic() (generated AddAtlas() does for what the .atlas files declare)";
        Assert.Equal((false, Reason), (status.Available, status.Reason));
        Assert.Contains("claude: " + Reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void TheSameRuntime_WithThePackageRegistered_MakesTheClient()
    {
        var options = new AtlasRuntimeOptions { GetEnvironmentVariable = _ => "sk-test" }.UseAnthropic();
        options.Providers.Add(new ProviderDescriptor("claude", ProviderKind.Anthropic, "claude-haiku-4-5", ApiKeyVariable: "ANTHROPIC_API_KEY"));
        using var runtime = new AtlasRuntime(options);

        var status = runtime.GetProviderStatus("claude");

        Assert.Equal((true, null), (status.Available, status.Reason));
    }

    [Fact]
    public void EachPackage_RegistersItsKinds_WithTheMethodTheTableNames_AndEveryRemoteKindHasAPackage()
    {
        foreach (var package in RuntimePackage.All)
        {
            var register = Assembly.Load(package.Name).GetExportedTypes()
                .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
                .Single(m => m.Name == package.Register && m.GetParameters() is [{ ParameterType: var type }] && type == typeof(AtlasRuntimeOptions));
            var options = new AtlasRuntimeOptions();

            Assert.Same(options, register.Invoke(null, [options]));

            Assert.Equal(package.ProviderKinds.Order(StringComparer.Ordinal), options.ProviderClientFactories.Keys.Select(ProviderKinds.Spelling).Order(StringComparer.Ordinal));
            Assert.Equal(package == RuntimePackage.Mcp, options.McpServerFactory is not null);
        }

        foreach (var kind in Enum.GetValues<ProviderKind>().Where(k => k is not (ProviderKind.Mock or ProviderKind.Custom)))
        {
            Assert.NotNull(RuntimePackage.ForProviderKind(ProviderKinds.Spelling(kind)));
        }
    }

    [Fact]
    public void AnEmbedder_OfAKindWithoutItsPackage_CannotBeMade_NamingThePackage()
    {
        var provider = new ProviderDescriptor("local", ProviderKind.Ollama, "llama3.2", EmbeddingModel: "nomic-embed-text");

        Assert.False(ProviderEmbedders.TryCreate(provider, new AtlasRuntimeOptions(), out _, out var reason));
        Assert.True(ProviderEmbedders.TryCreate(provider, new AtlasRuntimeOptions().UseOllama(), out var generator, out _));
        generator.Dispose();

        Assert.Equal("ollama providers need Atlas.Runtime.Ollama: reference it and call options.UseOllama() (generated AddAtlas() does for what the .atlas files declare)", reason);
    }
}
