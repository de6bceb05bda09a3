using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Atlas.Compiler.Text;
using CsCheck;

namespace Atlas.Compiler.Tests.Fuzzing;

/// <summary>
/// Bad input never escapes as an exception: mutated and truncated versions of every example, in
/// both formats, go through parse + bind and must come out as diagnostics only: no exception, no
/// ATL9001 (an internal failure caught by the safety net is still a bug), and no input over 1 s.
/// </summary>
public class FrontEndFuzzTests
{
    private const int Iterations = 10_000;

    /// <summary>Fragments that stress the grammar: openers without closers, template tags, YAML indicators.</summary>
    private static readonly string[] Splices =
    {
        "{", "}", "(", ")", "[", "]", "\"", "\"\"\"", "{{", "}}", "{{for x in y}}", "{{end}}", "=", "=>", "->", ":", ",", ".",
        "\n", "\t", "  ", "#", "//", "switch", "for", "in", "parallel", "with", "return", "_", "?", "[]", "-1", "0", "1e999",
        "99999999999", "20xs", "env(", "agent", "type", "workflow", "provider", "- ", "&a ", "*a", "!!str ", "|", ">", "'", "%",
        "\u0000", "\uFEFF", "é", "\ud800", "---\n", "...\n", "? ", "key: value\n", "{a: [b, {c: d}]}",
    };

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
            foreach (var path in Directory.EnumerateFiles(examples, "*.atlas*", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal))
                files.Add((Path.GetFileName(path), File.ReadAllText(path)));
        }
        return files.ToArray();
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Atlas.Dsl.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Atlas.Dsl.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Corpus_HoldsBothFormats()
    {
        Assert.Contains(Corpus, c => c.Path.EndsWith(".atlas", StringComparison.Ordinal));
        Assert.Contains(Corpus, c => c.Path.EndsWith(".yaml", StringComparison.Ordinal));
    }

    [Fact]
    public void MutatedInputs_ProduceOnlyDiagnostics()
    {
        var mutations = Gen.Int[0, int.MaxValue].Array[1, 6];
        var inputs = Gen.Select(Gen.Int[0, Corpus.Length - 1], mutations, (index, ops) => Mutate(Corpus[index], ops));

        int count = 0;
        inputs.Sample(input =>
        {
            count++;
            var watch = Stopwatch.StartNew();
            var result = AtlasCompiler.Compile(new SourceFile(input.Path, input.Text));
            watch.Stop();
            var internalError = result.Diagnostics.FirstOrDefault(d => d.Id == "ATL9001");
            Assert.True(internalError is null, $"{internalError}\n--- input ({input.Path}) ---\n{input.Text}");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed.TotalMilliseconds:F0} ms\n--- input ---\n{input.Text}");
            foreach (var d in result.Diagnostics)
            {
                Assert.True(d.Location.Start.Line >= 1 && d.Location.Start.Column >= 1, d.ToString());
                Assert.False(string.IsNullOrWhiteSpace(d.Message), d.Id);
            }
        }, iter: Iterations, threads: 1);
        Assert.Equal(Iterations, count);
    }

    /// <summary>Applies a few deterministic mutations chosen by <paramref name="ops"/>: truncate, delete, splice, duplicate, swap.</summary>
    internal static (string Path, string Text) Mutate((string Path, string Text) seed, int[] ops)
    {
        var text = seed.Text;
        foreach (int op in ops)
        {
            var random = new Random(op);
            int length = text.Length;
            int at = length == 0 ? 0 : random.Next(length + 1);
            switch (op % 6)
            {
                case 0: // truncate
                    text = text.Substring(0, at);
                    break;
                case 1: // delete a range
                    text = text.Remove(at, Math.Min(random.Next(1, 40), length - at));
                    break;
                case 2: // splice in a fragment
                case 3:
                    text = text.Insert(at, Splices[random.Next(Splices.Length)]);
                    break;
                case 4: // duplicate a range
                    int count = Math.Min(random.Next(1, 200), length - at);
                    text = text.Insert(at, text.Substring(at, count));
                    break;
                default: // replace a character with a random one
                    if (at < length)
                    {
                        var chars = new StringBuilder(text);
                        chars[at] = (char)random.Next(0, 0x3000);
                        text = chars.ToString();
                    }
                    break;
            }
        }
        return (seed.Path, text);
    }
}
