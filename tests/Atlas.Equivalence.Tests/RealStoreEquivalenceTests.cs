using System.Text.Json.Nodes;
using System.Threading;
using Atlas.Cli.Interpreter;
using Atlas.Embeddings.MiniLM;
using Atlas.Emitter.Tests.TestSupport;
using Atlas.Equivalence.Tests.TestSupport;
using Atlas.Knowledge;
using Atlas.Runtime;

namespace Atlas.Equivalence.Tests;

/// <summary>
/// The examples that search, with both sides on the real store: the same <see cref="KnowledgeBaseFactory"/> (SQLite,
/// MiniLM) as their <see cref="AtlasRuntimeOptions.KnowledgeFactory"/>, over a copy of the example ingested once.
/// Generated code gets it the way <c>AddAtlasKnowledge</c> gives it; <c>atlas run</c> uses the same stores.
/// </summary>
public sealed class RealStoreEquivalenceTests
{
    [Theory]
    [InlineData("support-triage", "support", "examples/support-triage/ticket.json")]
    [InlineData("research-assistant", "answer_question", "examples/research-assistant/question.json")]
    public async Task GeneratedAndInterpreted_OnTheSqliteStoreWithMiniLm_SameResultAndEvents(string projectName, string workflowName, string inputFile)
    {
        var project = AtlasProject.Get(projectName);
        var model = project.Compile();
        var workflow = model.Workflows.Single(w => w.Name == workflowName);
        var copy = Path.Combine(Path.GetTempPath(), "atlas-equivalence-" + Guid.NewGuid().ToString("N"));
        CopyDirectory(Path.GetDirectoryName(project.Files[0])!, copy);
        try
        {
            using var minilm = new MiniLmEmbeddingGenerator();
            var factory = new KnowledgeBaseFactory().AddEmbedder("minilm", minilm, MiniLmEmbeddingGenerator.CreateTokenizer());
            var declared = new AtlasRuntimeOptions();
            new AtlasProgram(model).AddDeclarationsTo(declared);
            Assert.NotEmpty(declared.KnowledgeBases);
            foreach (var knowledge in declared.KnowledgeBases)
            {
                var report = await factory.Create(knowledge, copy).IngestAsync();
                Assert.True(report.Added > 0, $"{knowledge.Name}: nothing ingested");
            }

            var counting = new CountingFactory(factory);
            Action<AtlasRuntimeOptions> configure = options =>
            {
                Offline.Configure(copy)(options);
                options.KnowledgeFactory = counting;
            };
            var input = new EquivalenceCase(projectName, workflowName, inputFile).ReadInput();
            var generatedProgram = GeneratedProgram.For(project);
            // The same C# tools on both sides, as in EquivalenceTests (atlas run loads them with --tools).
            var tools = generatedProgram.ToolFunctions();
            var generated = await generatedProgram.RunAsync(workflow, input, configure);
            var interpreted = await InterpretedProgram.RunAsync(model, workflow, input, options =>
            {
                configure(options);
                foreach (var tool in tools) options.Tools.TryAdd(tool.Name, tool);
            }, generatedProgram.JsonOptions);

            Assert.True(generated.Events[^1] is RunCompleted { Succeeded: true }, "generated: " + EventTrace.Describe(generated.Events[^1]));
            Assert.True(interpreted.Events[^1] is RunCompleted { Succeeded: true }, "interpreted: " + EventTrace.Describe(interpreted.Events[^1]));
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(generated.Result), JsonNode.Parse(interpreted.Result)), $"Results differ:\ngenerated:   {generated.Result}\ninterpreted: {interpreted.Result}");
            Assert.Equal(EventTrace.Multiset(generated.Events), EventTrace.Multiset(interpreted.Events));
            Assert.True(counting.Searches >= 4, $"{counting.Searches} searches on the real stores"); // each side runs the workflow twice (streaming, then RunAsync)
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(copy, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>Counts the searches that reach the real stores, so the test fails if a side fell back to the file search.</summary>
    private sealed class CountingFactory(KnowledgeBaseFactory inner) : IKnowledgeBaseFactory
    {
        private int _searches;

        public int Searches => Volatile.Read(ref _searches);

        public IKnowledgeBase Create(KnowledgeDescriptor descriptor, string baseDirectory) => new Counting(inner.Create(descriptor, baseDirectory), this);

        private sealed class Counting(IKnowledgeBase kb, CountingFactory owner) : IKnowledgeBase
        {
            public Task<IReadOnlyList<Passage>> SearchAsync(string query, SearchOptions options, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref owner._searches);
                return kb.SearchAsync(query, options, cancellationToken);
            }
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal) || relative.Contains(".db", StringComparison.Ordinal)) continue;
            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
