using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Atlas.Compiler.Model;
using Atlas.Compiler.Tests.Yaml;
using Atlas.Compiler.Text;
using Atlas.Testing;

namespace Atlas.Compiler.Tests.Fuzzing;

/// <summary>
/// The fuzz oracle "a file's .atlas and YAML forms bind to equal models" (issue 11). There is no
/// converter between the forms, so the same edit is made to paired seeds that declare the same
/// model (the document-digest example in both forms, and the YAML equivalence test's pair), using
/// edits that mean the same in both syntaxes: renaming a declared name everywhere, and changing
/// every occurrence of a number or a duration. Both forms must then agree: equal models when they
/// bind, the same error ids when they do not. Fixed seeds; <c>ATLAS_FUZZ_ITERATIONS</c> runs more.
/// </summary>
public class FormEquivalenceFuzzTests
{
    private static readonly int Iterations = Math.Max(1, AtlasMutator.Iterations(10_000) / 10);

    private static readonly Regex Number = new(@"(?<![\w.])\d+(\.\d+)?(?![\w.])", RegexOptions.CultureInvariant);
    private static readonly Regex Duration = new(@"(?<![\w.])\d+(ms|s|m|h)(?![\w.])", RegexOptions.CultureInvariant);

    public static TheoryData<string> Pairs() => new() { "document-digest", "yaml-equivalence" };

    private static (string Atlas, string Yaml) Pair(string name)
    {
        if (name == "yaml-equivalence") return (YamlAtlasEquivalenceTests.Atlas, YamlAtlasEquivalenceTests.Yaml);
        var examples = Path.Combine(FrontEndFuzzTests.RepositoryRoot(), "examples");
        return (File.ReadAllText(Path.Combine(examples, "document-digest", "digest.atlas")),
                File.ReadAllText(Path.Combine(examples, "document-digest-yaml", "digest.atlas.yaml")));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void SameEditToBothForms_BindsToEqualModels(string pair)
    {
        var (atlas, yaml) = Pair(pair);
        var original = Compile("t.atlas", atlas);
        Assert.False(original.HasErrors, string.Join("\n", original.Diagnostics));
        AssertAgree(original, Compile("t.atlas.yaml", yaml), pair + " as written");

        var names = DeclaredNames(original.Model).Where(n => n.Length >= 2).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        int bound = 0;
        for (int i = 0; i < Iterations; i++)
        {
            var random = new Random(i);
            string a = atlas, y = yaml, edits = "";
            for (int op = random.Next(1, 4); op > 0; op--)
            {
                string edit;
                (a, y, edit) = random.Next(3) switch
                {
                    0 => Rename(a, y, names[random.Next(names.Length)], random),
                    1 => ReplaceAll(a, y, Number, random, () => random.Next(4) == 0 ? "0." + random.Next(100) : random.Next(0, 5000).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    _ => ReplaceAll(a, y, Duration, random, () => random.Next(1, 500) + new[] { "ms", "s", "m", "h" }[random.Next(4)]),
                };
                edits += edit + "; ";
            }

            var atlasResult = Compile("t.atlas", a);
            var yamlResult = Compile("t.atlas.yaml", y);
            AssertAgree(atlasResult, yamlResult, $"input {i} of {pair} ({edits})");
            if (!atlasResult.HasErrors) bound++;
        }

        // Most edits keep the files valid, so the model comparison really runs.
        Assert.True(bound > Iterations / 4, $"only {bound} of {Iterations} edited pairs bound");
    }

    private static CompilationResult Compile(string path, string text) => AtlasCompiler.Compile(new SourceFile(path, text));

    private static void AssertAgree(CompilationResult atlas, CompilationResult yaml, string name)
    {
        var atlasIds = atlas.Diagnostics.Select(d => d.Id).OrderBy(d => d, StringComparer.Ordinal);
        var yamlIds = yaml.Diagnostics.Select(d => d.Id).OrderBy(d => d, StringComparer.Ordinal);
        Assert.True(atlasIds.SequenceEqual(yamlIds),
            $"{name}: the forms disagree\n.atlas:\n  {string.Join("\n  ", atlas.Diagnostics)}\nYAML:\n  {string.Join("\n  ", yaml.Diagnostics)}");
        if (atlas.HasErrors) return;
        Assert.Equal(atlas.Model.Providers, yaml.Model.Providers);
        Assert.Equal(atlas.Model.Types, yaml.Model.Types);
        foreach (var (x, z) in atlas.Model.Agents.Zip(yaml.Model.Agents)) Assert.Equal(x, z);
        foreach (var (x, z) in atlas.Model.Workflows.Zip(yaml.Model.Workflows)) Assert.Equal(x, z);
        Assert.True(atlas.Model.Equals(yaml.Model), name + ": the models differ");
    }

    /// <summary>A declared name renamed as a whole word in both texts (declaration, uses, templates).</summary>
    private static (string, string, string) Rename(string atlas, string yaml, string name, Random random)
    {
        string replacement = name + "_r" + random.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var word = new Regex(@"(?<![\w])" + Regex.Escape(name) + @"(?![\w])", RegexOptions.CultureInvariant);
        return (word.Replace(atlas, replacement), word.Replace(yaml, replacement), $"rename {name} to {replacement}");
    }

    /// <summary>Every occurrence of one literal that both texts contain replaced by the same new literal.</summary>
    private static (string, string, string) ReplaceAll(string atlas, string yaml, Regex literal, Random random, Func<string> make)
    {
        var shared = literal.Matches(atlas).Select(m => m.Value).Intersect(literal.Matches(yaml).Select(m => m.Value)).OrderBy(v => v, StringComparer.Ordinal).ToArray();
        if (shared.Length == 0) return (atlas, yaml, "nothing");
        string old = shared[random.Next(shared.Length)], replacement = make();
        var exact = new Regex(@"(?<![\w.])" + Regex.Escape(old) + @"(?![\w.])", RegexOptions.CultureInvariant);
        return (exact.Replace(atlas, replacement), exact.Replace(yaml, replacement), $"{old} -> {replacement}");
    }

    /// <summary>Every string property called Name in the model: declarations, fields, parameters, steps.</summary>
    private static HashSet<string> DeclaredNames(object model)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<object>();
        pending.Push(model);
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (!visited.Add(node)) continue;
            foreach (var property in node.GetType().GetProperties())
            {
                if (property.GetIndexParameters().Length > 0) continue;
                object? value;
                try { value = property.GetValue(node); }
                catch (System.Reflection.TargetInvocationException) { continue; }
                // A TypeRef names a type declared elsewhere, and its computed Element is a new record on each read.
                if (value is TypeRef) continue;
                if (value is string s) { if (property.Name == "Name" && s.Length > 0) names.Add(s); }
                else if (value is IEnumerable items && value is not string) { foreach (var item in items) if (item is not null && item.GetType().Namespace == typeof(AtlasModel).Namespace) pending.Push(item); }
                else if (value is not null && value.GetType().Namespace == typeof(AtlasModel).Namespace && !value.GetType().IsEnum)
                {
                    pending.Push(value);
                }
            }
        }
        return names;
    }
}
