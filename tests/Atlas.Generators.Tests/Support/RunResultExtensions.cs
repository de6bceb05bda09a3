using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Atlas.Generators.Tests.Support;

internal static class RunResultExtensions
{
    /// <summary>Every tracking name of the pipeline (the constants of <see cref="TrackingNames"/>).</summary>
    public static readonly string[] AllStepNames = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    public static GeneratorRunResult Single(this GeneratorDriverRunResult result) => Assert.Single(result.Results);

    /// <summary>The reasons of every output of a tracked step, in order.</summary>
    public static IReadOnlyList<IncrementalStepRunReason> Reasons(this GeneratorDriverRunResult result, string step) =>
        result.Single().TrackedSteps.TryGetValue(step, out var runs)
            ? runs.SelectMany(r => r.Outputs).Select(o => o.Reason).ToList()
            : new List<IncrementalStepRunReason>();

    /// <summary>(output value, reason) of every output of a tracked step.</summary>
    public static IReadOnlyList<(object Value, IncrementalStepRunReason Reason)> Outputs(this GeneratorDriverRunResult result, string step) =>
        result.Single().TrackedSteps.TryGetValue(step, out var runs)
            ? runs.SelectMany(r => r.Outputs).ToList()
            : new List<(object, IncrementalStepRunReason)>();

    /// <summary>
    /// The reasons of the source output runs fed by <paramref name="step"/>: Cached means the
    /// output did not run again for that input (both outputs are named "SourceOutput", so they are
    /// told apart by the step that feeds them).
    /// </summary>
    public static IReadOnlyList<IncrementalStepRunReason> OutputReasons(this GeneratorDriverRunResult result, string step) =>
        result.Single().TrackedOutputSteps.TryGetValue("SourceOutput", out var runs)
            ? runs.Where(r => r.Inputs.Any(i => i.Source.Name == step)).SelectMany(r => r.Outputs).Select(o => o.Reason).ToList()
            : new List<IncrementalStepRunReason>();

    /// <summary>The generator did not crash (a crash is CS8784/CS8785 and no output at all).</summary>
    public static void AssertNoGeneratorException(this GeneratorDriverRunResult result)
    {
        var run = result.Single();
        Assert.True(run.Exception is null, run.Exception?.ToString());
        Assert.DoesNotContain(result.Diagnostics, d => d.Id is "CS8784" or "CS8785");
    }
}
