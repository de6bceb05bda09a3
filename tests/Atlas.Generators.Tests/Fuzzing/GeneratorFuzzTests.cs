using System;
using System.Diagnostics;
using System.Linq;
using Atlas.Generators.Tests.Support;

namespace Atlas.Generators.Tests.Fuzzing;

/// <summary>
/// The generator never throws, whatever the input: mutated versions of the examples in both
/// formats go through the GeneratorDriver (reused, so edits also take the incremental paths) and
/// come out as diagnostics only: no CS8785 (a crashed generator) and no ATL9001 (a failure
/// caught by a safety net is still a bug).
/// </summary>
public class GeneratorFuzzTests
{
    private const int Iterations = 2_000;

    [Theory]
    [InlineData("sketch.atlas")]
    [InlineData("fragment.atlas.yaml")]
    public void MutatedInputs_ProduceOnlyDiagnostics(string name)
    {
        var seed = TestData.Read(name);
        var path = "/src/" + name;
        var harness = new GeneratorHarness(new[] { new InMemoryAdditionalText(path, seed) }, new FakeEmitter());
        var watch = Stopwatch.StartNew();

        for (int i = 0; i < Iterations / 2; i++)
        {
            var text = Mutator.Mutate(seed, (name.Length * 1_000_003) + i);
            harness.ReplaceText(path, text);
            var result = harness.Run();

            var run = result.Single();
            Assert.True(run.Exception is null, $"{run.Exception}\n--- input {i} ---\n{text}");
            var failure = result.Diagnostics.FirstOrDefault(d => d.Id is "CS8784" or "CS8785" or "ATL9001");
            Assert.True(failure is null, $"{failure}\n--- input {i} ---\n{text}");
            Assert.All(result.Diagnostics, d => Assert.StartsWith("ATL", d.Id, StringComparison.Ordinal));
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"{Iterations / 2} runs took {watch.Elapsed.TotalSeconds:F1} s");
    }
}
