using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime.Tests;

/// <summary>
/// The runtime searches the host's knowledge bases or the factory's; a declared one with neither fails, naming the
/// packages, instead of answering from some other store (the stores themselves are tested in Atlas.Knowledge.Tests).
/// </summary>
public sealed class KnowledgeTests
{
    [Fact]
    public async Task Search_HostKnowledgeBase_IsUsed_UnknownName_Throws()
    {
        var runtime = TestSupport.Runtime(o => o.Knowledge["faq"] = new FixedKnowledge());
        Assert.Equal("fixed", (await runtime.SearchAsync("faq", "q", new SearchOptions(), null, CancellationToken.None)).Single().Text);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => runtime.SearchAsync("nope", "q", new SearchOptions(), null, CancellationToken.None));
        Assert.Contains("Unknown knowledge base 'nope'", error.Message);
    }

    [Fact]
    public async Task Search_DeclaredWithNoStore_FailsNamingThePackagesInsteadOfSearchingTheFiles()
    {
        var runtime = TestSupport.Runtime(o => o.KnowledgeBases.Add(new KnowledgeDescriptor("handbook", ["docs/**/*.md"], ChunkingStrategy.Recursive, 800, 100, "minilm", StoreKind.Sqlite, "handbook.db")));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.SearchAsync("handbook", "refunds", new SearchOptions(), null, CancellationToken.None));

        Assert.Equal(
            "Knowledge base 'handbook' has no store: reference Atlas.Knowledge and Atlas.Embeddings.MiniLM (generated AddAtlas() then searches it as `atlas run` does), " +
            "or set AtlasRuntimeOptions.KnowledgeFactory or AtlasRuntimeOptions.Knowledge.",
            error.Message);
    }

    [Fact]
    public async Task Search_DeclaredAndFactory_TheFactoryBuildsItWithTheBaseDirectory()
    {
        var factory = new RecordingFactory();
        var runtime = TestSupport.Runtime(o =>
        {
            o.BaseDirectory = "/atlas/files";
            o.KnowledgeFactory = factory;
            o.KnowledgeBases.Add(new KnowledgeDescriptor("handbook", ["docs/*.md"], ChunkingStrategy.Recursive, 800, 100, "minilm", StoreKind.Sqlite, "handbook.db"));
        });

        Assert.Equal("fixed", (await runtime.SearchAsync("handbook", "q", new SearchOptions(), null, CancellationToken.None)).Single().Text);
        Assert.Equal(("handbook", "/atlas/files"), factory.Created);
    }

    private sealed class FixedKnowledge : IKnowledgeBase
    {
        public Task<System.Collections.Generic.IReadOnlyList<Passage>> SearchAsync(string query, SearchOptions options, CancellationToken cancellationToken) =>
            Task.FromResult<System.Collections.Generic.IReadOnlyList<Passage>>([new Passage("fixed", "x", 1)]);
    }

    private sealed class RecordingFactory : IKnowledgeBaseFactory
    {
        public (string Name, string BaseDirectory) Created { get; private set; }

        public IKnowledgeBase Create(KnowledgeDescriptor descriptor, string baseDirectory)
        {
            Created = (descriptor.Name, baseDirectory);
            return new FixedKnowledge();
        }
    }
}
