using System.Text.Json.Nodes;
using System.Threading;
using Atlas.Emitter.Tests.TestSupport;
using Atlas.Equivalence.Tests.TestSupport;
using Atlas.Interpreter;
using Atlas.Knowledge;
using Atlas.Runtime;

namespace Atlas.Equivalence.Tests;

/// <summary>
/// The examples that search, both ways on a fresh copy of the example, each side with its own knowledge stores: generated
/// code compiled as the generator compiles it for the copy's folder, with nothing set but the offline providers (its own
/// <c>CreateKnowledgeFactory</c>, its own base directory), and the interpreter wired as <c>atlas run</c> wires it. Both must
/// find the same passages (text, source, score, heading) and give the same result and events.
/// </summary>
public sealed class RealStoreEquivalenceTests
{
    [Theory]
    [InlineData("support-triage", "support", "examples/support-triage/ticket.json", "My card was billed twice for the March invoice. Can you refund one of the charges?")]
    [InlineData("research-assistant", "answer_question", "examples/research-assistant/question.json", "How should chunk size be chosen for retrieval?")]
    public async Task GeneratedAndInterpreted_OnTheSqliteStoreWithMiniLm_SamePassagesResultAndEvents(string projectName, string workflowName, string inputFile, string query)
    {
        var project = AtlasProject.Get(projectName);
        var model = project.Compile();
        var workflow = model.Workflows.Single(w => w.Name == workflowName);
        var copy = Path.Combine(Path.GetTempPath(), "atlas-equivalence-" + Guid.NewGuid().ToString("N"));
        CopyDirectory(Path.GetDirectoryName(project.Files[0])!, copy);
        try
        {
            var input = new EquivalenceCase(projectName, workflowName, inputFile).ReadInput();
            // Generated code compiled for Atlas files in the copy; its base directory is never set from outside, so a
            // search that resolved sources against the output folder (the test's bin) would find nothing.
            var generatedProgram = GeneratedProgram.For(project, baseDirectory: copy);
            var generatedConfigure = Offline.Configure(baseDirectory: null);

            // Generated first, on the store that does not exist yet: it ingests it beside the .atlas file, as atlas run would.
            var tools = generatedProgram.ToolFunctions();
            var generated = await generatedProgram.RunAsync(workflow, input, generatedConfigure);
            var declared = new AtlasRuntimeOptions();
            new AtlasProgram(model).AddDeclarationsTo(declared);
            Assert.NotEmpty(declared.KnowledgeBases);
            foreach (var knowledge in declared.KnowledgeBases)
            {
                var info = new SqliteKnowledgeStore(SqliteKnowledgeBase.StorePath(knowledge, copy)).ReadInfo();
                Assert.True(info is { Documents: > 0 }, $"{knowledge.Name}: generated code did not ingest its store beside the .atlas file");
            }

            Action<AtlasRuntimeOptions> interpretedConfigure = options =>
            {
                Offline.Configure(copy)(options);
                foreach (var tool in tools) options.Tools.TryAdd(tool.Name, tool);
            };
            var interpreted = await InterpretedProgram.RunAsync(model, workflow, input, interpretedConfigure, generatedProgram.JsonOptions);

            Assert.True(generated.Events[^1] is RunCompleted { Succeeded: true }, "generated: " + EventTrace.Describe(generated.Events[^1]));
            Assert.True(interpreted.Events[^1] is RunCompleted { Succeeded: true }, "interpreted: " + EventTrace.Describe(interpreted.Events[^1]));
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(generated.Result), JsonNode.Parse(interpreted.Result)), $"Results differ:\ngenerated:   {generated.Result}\ninterpreted: {interpreted.Result}");
            Assert.Equal(EventTrace.Multiset(generated.Events), EventTrace.Multiset(interpreted.Events));

            // The passages themselves, in every mode.
            await using var interpretedRuntime = InterpretedProgram.CreateRuntime(model, interpretedConfigure);
            foreach (var knowledge in declared.KnowledgeBases)
            {
                foreach (var mode in Enum.GetValues<SearchMode>())
                {
                    var options = new SearchOptions(Top: 5, Mode: mode);
                    var fromGenerated = await generatedProgram.SearchAsync(generatedConfigure, knowledge.Name, query, options);
                    var fromInterpreted = await interpretedRuntime.SearchAsync(knowledge.Name, query, options, null, CancellationToken.None);
                    Assert.NotEmpty(fromGenerated);
                    Assert.Equal(Describe(fromInterpreted), Describe(fromGenerated));
                }
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(copy, recursive: true); }
            catch (IOException) { }
        }
    }

    private static List<string> Describe(IReadOnlyList<Passage> passages) =>
        passages.Select(p => $"{p.Source} | {p.Heading} | {p.Title} | {p.Score:R} | {p.Text}").ToList();

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
