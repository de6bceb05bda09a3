using Atlas.Emitter.Tests.TestSupport;
using Atlas.Equivalence.Tests.TestSupport;
using Atlas.Interpreter;
using Atlas.Runtime;

namespace Atlas.Equivalence.Tests;

/// <summary>
/// What each side hands the runtime, compared before anything runs: every agent's descriptor
/// (parameters, result schema text, model, prompt and instruction templates segment for segment,
/// temperature, tools, delegates, cache), every human's, and the declared providers, routes (their
/// cache too) and knowledge bases. These cover agents and declarations that the sample inputs don't reach.
/// </summary>
public class DeclarationTests
{
    public static TheoryData<string> Projects()
    {
        var data = new TheoryData<string>();
        foreach (var name in EquivalenceTests.Cases.Select(c => c.Project).Distinct(StringComparer.Ordinal)) data.Add(name);
        data.Add("coverage"); // humans, and cache on a route and an agent
        return data;
    }

    /// <summary>The projects that declare humans: the emitter's coverage fixture and the unhappy paths.</summary>
    public static TheoryData<string> ProjectsWithHumans() => new("coverage", "unhappy");

    [Theory]
    [MemberData(nameof(ProjectsWithHumans))]
    public void Humans_GeneratedAndInterpreted_SameDescriptors(string name)
    {
        var project = name == "unhappy" ? UnhappyPathTests.Project : AtlasProject.Get(name);
        var model = project.Compile();
        var generated = GeneratedProgram.For(project);
        var interpreted = new AtlasProgram(model);
        Assert.NotEmpty(model.Humans);
        foreach (var human in model.Humans)
        {
            var expected = Structure.Describe(generated.HumanDescriptor(human.Name));
            var actual = Structure.Describe(interpreted.HumanDescriptor(human.Name));
            Assert.True(expected == actual, $"Human {human.Name}:\ngenerated:   {expected}\ninterpreted: {actual}");
        }
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Agents_GeneratedAndInterpreted_SameDescriptors(string name)
    {
        var project = AtlasProject.Get(name);
        var model = project.Compile();
        var generated = GeneratedProgram.For(project);
        var interpreted = new AtlasProgram(model);
        Assert.NotEmpty(model.Agents);
        foreach (var agent in model.Agents)
        {
            var expected = Structure.Describe(generated.AgentDescriptor(agent.Name));
            var actual = Structure.Describe(interpreted.AgentDescriptor(agent.Name));
            Assert.True(expected == actual, $"Agent {agent.Name}:\ngenerated:   {expected}\ninterpreted: {actual}");
        }
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Declarations_GeneratedAndInterpreted_SameProvidersRoutesKnowledgeAndMcpServers(string name)
    {
        var project = AtlasProject.Get(name);
        var generated = GeneratedProgram.For(project).Declarations();
        var interpreted = new AtlasRuntimeOptions();
        new AtlasProgram(project.Compile()).AddDeclarationsTo(interpreted);

        // By name: the order of the lists is not behaviour (the runtime looks them up by name; a route's `use` keeps its own order).
        Assert.Equal(Sorted(generated.Providers, p => p.Name), Sorted(interpreted.Providers, p => p.Name));
        Assert.Equal(Sorted(generated.Routes, r => r.Name), Sorted(interpreted.Routes, r => r.Name));
        Assert.Equal(Sorted(generated.KnowledgeBases, k => k.Name), Sorted(interpreted.KnowledgeBases, k => k.Name));
        Assert.Equal(Sorted(generated.McpServers, m => m.Name), Sorted(interpreted.McpServers, m => m.Name));
    }

    private static List<string> Sorted<T>(IEnumerable<T> items, Func<T, string> name) =>
        items.OrderBy(name, StringComparer.Ordinal).Select(i => Structure.Describe(i)).ToList();
}
