using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Atlas.Compiler;
using Atlas.Compiler.Text;
using Atlas.Emitter.Tests.TestSupport;
using Atlas.Testing;

namespace Atlas.Emitter.Tests;

/// <summary>
/// The fuzz oracle "every mutation that still binds emits C# that compiles warning-free" (issue 11):
/// mutations of every project (one file at a time, by the shared fixed-seed mutator) that bind
/// without errors are emitted, and those whose generated code differs from every earlier one are
/// compiled with Roslyn as a consumer would (nullable on, warnings as errors). Compiling is slow,
/// so a fixed number are compiled (the first ones in seed order, so the sample is deterministic);
/// <c>ATLAS_FUZZ_COMPILES</c> compiles more.
/// </summary>
public class FuzzCompileTests
{
    private static readonly int Compiles =
        int.TryParse(Environment.GetEnvironmentVariable("ATLAS_FUZZ_COMPILES"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 8;

    [Fact]
    public void MutationsThatBind_EmitCodeThatCompilesWithoutWarnings()
    {
        var projects = AtlasProject.All().Select(p => (p.Name, Files: p.Files.Select(f => (Path: Path.GetFileName(f), Text: File.ReadAllText(f))).ToArray())).ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var project in projects) seen.Add(Hash(AtlasProject.Generate(Bind(project.Files)!)));

        int compiled = 0, bound = 0, attempts = 0;
        for (int i = 0; compiled < Compiles && i < 200 * Compiles; i++, attempts++)
        {
            var project = projects[i % projects.Length];
            var files = project.Files.ToArray();
            int target = (i / projects.Length) % files.Length;
            files[target] = (files[target].Path, AtlasMutator.Mutate(files[target].Text, i));

            var model = Bind(files);
            if (model is null) continue;
            bound++;
            var sources = AtlasProject.Generate(model);
            if (!seen.Add(Hash(sources))) continue;

            var compilation = RoslynCompiler.Compile(sources, Consumer.ToolImplementations(model));
            var problems = RoslynCompiler.Problems(compilation);
            Assert.True(problems.Count == 0,
                $"input {i} ({project.Name}/{files[target].Path}, AtlasMutator.Mutate(text, {i})) binds but its code does not compile cleanly:\n" +
                RoslynCompiler.Describe(problems, compilation) + "\n--- mutated file ---\n" + files[target].Text);
            compiled++;
        }

        Assert.True(compiled == Compiles, $"only {compiled} of {attempts} mutations gave new code that binds ({bound} bound)");
    }

    private static Atlas.Compiler.Model.AtlasModel? Bind((string Path, string Text)[] files)
    {
        var result = AtlasCompiler.Compile(files.Select(f => new SourceFile(f.Path, f.Text)));
        return result.HasErrors ? null : result.Model;
    }

    private static string Hash(IEnumerable<Atlas.Compiler.Emit.GeneratedSource> sources)
    {
        var text = string.Join("\n\u0001\n", sources.Select(s => s.HintName + "\n" + s.Text));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
