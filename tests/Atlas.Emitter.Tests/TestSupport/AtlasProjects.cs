using Atlas.Compiler;
using Atlas.Compiler.Emit;
using Atlas.Compiler.Model;
using Atlas.Compiler.Text;

namespace Atlas.Emitter.Tests.TestSupport;

/// <summary>
/// A set of Atlas files compiled together, as one project would: each folder under
/// <c>examples/</c>, and the language sketch kept with the compiler's tests.
/// </summary>
public sealed record AtlasProject(string Name, IReadOnlyList<string> Files)
{
    public const string Namespace = "Atlas.Generated";

    public override string ToString() => Name;

    public AtlasModel Compile()
    {
        var result = AtlasCompiler.Compile(Files.Select(f => new SourceFile(Path.GetFileName(f), File.ReadAllText(f))));
        if (result.HasErrors)
        {
            throw new InvalidOperationException($"{Name} has errors:\n" + string.Join("\n", result.Diagnostics.Where(d => d.IsError)));
        }

        return result.Model;
    }

    public IReadOnlyList<GeneratedSource> Emit(string ns = Namespace) => Generate(Compile(), ns);

    /// <summary>The generated files; <paramref name="baseDirectory"/> is the folder the generator would pass (its Atlas files' folder), none by default.</summary>
    public static IReadOnlyList<GeneratedSource> Generate(AtlasModel model, string ns = Namespace, string? baseDirectory = null) =>
        CSharpEmitter.Plan(model, new EmitOptions(ns, baseDirectory)).Select(CSharpEmitter.Emit).ToList();

    public static AtlasModel CompileText(string text, string path = "test.atlas")
    {
        var result = AtlasCompiler.Compile(new SourceFile(path, text));
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        return result.Model;
    }

    /// <summary>Every example project (a folder of .atlas / .atlas.yaml files), and the sketch.</summary>
    public static IReadOnlyList<AtlasProject> All()
    {
        var projects = new List<AtlasProject>
        {
            new("sketch", new[] { Path.Combine(Repository.Root, "tests", "Atlas.Compiler.Tests", "TestData", "sketch.atlas") }),
            new("coverage", Directory.GetFiles(Path.Combine(Repository.TestsDirectory, "TestData", "coverage")).OrderBy(f => f, StringComparer.Ordinal).ToArray()),
            new("names", Directory.GetFiles(Path.Combine(Repository.TestsDirectory, "TestData", "names")).OrderBy(f => f, StringComparer.Ordinal).ToArray()),
        };

        var examples = Path.Combine(Repository.Root, "examples");
        if (Directory.Exists(examples))
        {
            foreach (var folder in Directory.GetDirectories(examples).OrderBy(d => d, StringComparer.Ordinal))
            {
                var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                    .Where(IsAtlasFile)
                    .Where(f => !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar) && !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar))
                    .OrderBy(f => f, StringComparer.Ordinal)
                    .ToArray();
                if (files.Length > 0) projects.Add(new AtlasProject(Path.GetFileName(folder), files));
            }
        }

        return projects;
    }

    public static AtlasProject Get(string name) => All().Single(p => p.Name == name);

    public static IEnumerable<object[]> Cases() => All().Select(p => new object[] { p.Name });

    private static bool IsAtlasFile(string path) =>
        path.EndsWith(".atlas", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".atlas.yaml", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".atlas.yml", StringComparison.OrdinalIgnoreCase);
}
