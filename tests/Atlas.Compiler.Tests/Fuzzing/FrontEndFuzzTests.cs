using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;
using Atlas.Testing;

namespace Atlas.Compiler.Tests.Fuzzing;

/// <summary>
/// Bad input never escapes as an exception: mutated and truncated versions of every example, in
/// both formats, and of the hostile seeds (deep nesting, recursive types, huge templates, control
/// characters) go through parse + bind and must come out as diagnostics only. Oracles beyond "no
/// crash": no ATL9001 (an internal failure caught by the safety net is still a bug), every
/// position inside the file, no raw control character in a message, at most 100 diagnostics and
/// one ATL0006 per file, and the .atlas parser's work bounded by the input's length (counted,
/// not timed, so a loaded machine cannot fail it). A fixed seed: input i is seed i, 10,000 in
/// all; <c>ATLAS_FUZZ_ITERATIONS</c> runs more.
/// </summary>
public class FrontEndFuzzTests
{
    private static readonly int Iterations = AtlasMutator.Iterations(10_000);

    /// <summary>
    /// Parser work (inputs created) per character. Token parsers jump ahead, so the examples and
    /// their mutations take 0.2-0.5 per character; a rule that backtracks (2^depth, or re-reading
    /// the rest of the file per token) would be orders of magnitude above this.
    /// </summary>
    private const int MaxStepsPerCharacter = 4;

    private static readonly (string Path, string Text)[] Corpus = LoadCorpus();

    private static (string Path, string Text)[] LoadCorpus()
    {
        var files = new List<(string, string)>
        {
            ("sketch.atlas", TestSupport.TestData("sketch.atlas")),
            ("fragment.atlas.yaml", TestSupport.TestData("fragment.atlas.yaml")),
        };
        var examples = Path.Combine(RepositoryRoot(), "examples");
        if (Directory.Exists(examples))
        {
            foreach (var path in Directory.EnumerateFiles(examples, "*.atlas*", SearchOption.AllDirectories)
                         .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                         .OrderBy(p => p, StringComparer.Ordinal))
            {
                files.Add((Path.GetFileName(path), File.ReadAllText(path)));
            }
        }
        files.AddRange(HostileInputs.FuzzSeeds());
        return files.ToArray();
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Atlas.Dsl.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Atlas.Dsl.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Corpus_HoldsBothFormats_AndTheHostileSeeds()
    {
        Assert.Contains(Corpus, c => c.Path.EndsWith(".atlas", StringComparison.Ordinal));
        Assert.Contains(Corpus, c => c.Path.EndsWith(".yaml", StringComparison.Ordinal));
        Assert.Contains(Corpus, c => c.Path == "recursive.atlas");
        Assert.Contains(Corpus, c => c.Path == "deep-chunking.atlas.yaml");
    }

    [Fact]
    public void Seeds_AsWritten_PassEveryOracle()
    {
        foreach (var seed in Corpus) Check(seed, "seed " + seed.Path);
    }

    [Fact]
    public void MutatedInputs_ProduceOnlyDiagnostics()
    {
        for (int i = 0; i < Iterations; i++)
        {
            var seed = Corpus[i % Corpus.Length];
            Check((seed.Path, AtlasMutator.Mutate(seed.Text, i)), $"input {i} (seed {seed.Path}, AtlasMutator.Mutate(text, {i}))");
        }
    }

    private static void Check((string Path, string Text) input, string name)
    {
        var file = new SourceFile(input.Path, input.Text);
        if (!file.IsYaml)
        {
            AtlasParser.ParseFile(file, new DiagnosticBag(), default, out long steps);
            Assert.True(steps <= MaxStepsPerCharacter * (input.Text.Length + 1L),
                $"{name}: the parser took {steps:N0} steps for {input.Text.Length:N0} characters\n{Excerpt(input.Text)}");
        }

        var result = AtlasCompiler.Compile(file);
        var internalError = result.Diagnostics.FirstOrDefault(d => d.Id == "ATL9001");
        Assert.True(internalError is null, $"{name}: {internalError}\n{Excerpt(input.Text)}");
        Assert.True(result.Diagnostics.Count <= DiagnosticBag.MaxReportedPerFile + 1, $"{name}: {result.Diagnostics.Count} diagnostics");
        foreach (var d in result.Diagnostics)
        {
            Assert.True(d.Location.Start.Line >= 1 && d.Location.Start.Column >= 1, $"{name}: {d}");
            Assert.InRange(d.Location.Span.Start, 0, input.Text.Length);
            Assert.InRange(d.Location.Span.End, d.Location.Span.Start, input.Text.Length);
            Assert.False(string.IsNullOrWhiteSpace(d.Message), $"{name}: {d.Id}");
            Assert.True(d.Message == DiagnosticText.Escape(d.Message), $"{name}: a raw control character in {Escape(d.ToString())}");
        }
    }

    private static string Excerpt(string text) => Escape(text.Length > 2_000 ? text.Substring(0, 2_000) + "..." : text);

    private static string Escape(string text) => DiagnosticText.Escape(text).Replace("\\u000A", "\n");
}
