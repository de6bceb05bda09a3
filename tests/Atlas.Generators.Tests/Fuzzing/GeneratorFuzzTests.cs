using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Atlas.Generators.Emit;
using Atlas.Generators.Tests.Support;
using Atlas.Testing;

namespace Atlas.Generators.Tests.Fuzzing;

/// <summary>
/// The generator never throws, whatever the input: mutated versions of the examples in both
/// formats go through the GeneratorDriver (reused, so edits also take the incremental paths) and
/// come out as diagnostics only: no CS8785 (a crashed generator) and no ATL9001 (a failure
/// caught by a safety net is still a bug). The real emitter runs too, for every mutation that
/// still binds without errors. 10,000 inputs in all (fixed seeds; <c>ATLAS_FUZZ_ITERATIONS</c> for
/// more), over the examples and the hostile seeds the front-end's fuzz test uses. No clock: the
/// front-end's fuzz test bounds the parser's work by counting it.
/// </summary>
public class GeneratorFuzzTests
{
    private static readonly int Iterations = AtlasMutator.Iterations(10_000);

    /// <summary>The seeds: the brief's sketch, its YAML fragment, every example file and the hostile seeds.</summary>
    public static IEnumerable<object[]> Seeds()
    {
        yield return new object[] { "sketch.atlas", TestData.Read("sketch.atlas") };
        yield return new object[] { "fragment.atlas.yaml", TestData.Read("fragment.atlas.yaml") };
        foreach (var file in Directory.EnumerateFiles(Path.Combine(TestData.RepositoryRoot(), "examples"), "*.atlas*", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                     .OrderBy(f => f, StringComparer.Ordinal))
        {
            yield return new object[] { Path.GetFileName(file), File.ReadAllText(file) };
        }

        foreach (var (path, text) in HostileInputs.FuzzSeeds())
            yield return new object[] { path, text };
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void MutatedInputs_ProduceOnlyDiagnostics(string name, string seed)
    {
        var path = "/src/" + name;
        var harness = new GeneratorHarness(new[] { new InMemoryAdditionalText(path, seed) }, CSharpAtlasEmitter.Instance);
        int perSeed = Iterations / Seeds().Count();

        for (int i = 0; i < perSeed; i++)
        {
            var text = AtlasMutator.Mutate(seed, (name.Length * 1_000_003) + i);
            harness.ReplaceText(path, text);
            var result = harness.Run();

            var run = result.Single();
            Assert.True(run.Exception is null, $"{run.Exception}\n--- input {i} ---\n{text}");
            var failure = result.Diagnostics.FirstOrDefault(d => d.Id is "CS8784" or "CS8785" or "ATL9001");
            Assert.True(failure is null, $"{failure}\n--- input {i} ---\n{text}");
            Assert.All(result.Diagnostics, d => Assert.StartsWith("ATL", d.Id, StringComparison.Ordinal));
        }
    }
}
