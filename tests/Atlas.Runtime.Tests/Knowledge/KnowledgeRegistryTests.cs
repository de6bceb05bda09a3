using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime.Tests.Knowledge;

public class KnowledgeRegistryTests
{
    private static readonly KnowledgeDescriptor Handbook = new("handbook", ["docs/*.md"], ChunkingStrategy.Recursive, 800, 100, "openai", StoreKind.Sqlite, "handbook.db");

    [Fact]
    public async Task KnowledgeRegistry_AHostsEntry_WinsOverTheFactory_AndAnEntryNoOneDeclared_IsSearchableToo()
    {
        var factory = new CountingFactory();
        var options = new AtlasRuntimeOptions { KnowledgeFactory = factory };
        options.KnowledgeBases.Add(Handbook);
        options.Knowledge["handbook"] = new Fixed("the host's");
        options.Knowledge["extra"] = new Fixed("extra");
        var registry = new KnowledgeRegistry(options, new SecretRedactor());

        Assert.Equal("the host's", (await registry.SearchAsync("handbook", "q", new SearchOptions(), CancellationToken.None)).Single().Text);
        Assert.Equal("extra", (await registry.SearchAsync("extra", "q", new SearchOptions(), CancellationToken.None)).Single().Text);
        Assert.Equal(0, factory.Created);
    }

    [Fact]
    public async Task KnowledgeRegistry_ADeclaredOneWithoutAnEntry_IsBuiltOnce_ByTheFactory()
    {
        var factory = new CountingFactory();
        var options = new AtlasRuntimeOptions { KnowledgeFactory = factory };
        options.KnowledgeBases.Add(Handbook);
        var registry = new KnowledgeRegistry(options, new SecretRedactor());

        await registry.SearchAsync("handbook", "q", new SearchOptions(), CancellationToken.None);
        await registry.SearchAsync("handbook", "q", new SearchOptions(), CancellationToken.None);

        Assert.Equal(1, factory.Created);
    }

    [Fact]
    public async Task KnowledgeRegistry_NoStore_SaysWhichPackageToReference_AndAnUnknownName_ListsTheKnownOnes()
    {
        var options = new AtlasRuntimeOptions();
        options.KnowledgeBases.Add(Handbook);
        var registry = new KnowledgeRegistry(options, new SecretRedactor());

        var none = await Assert.ThrowsAsync<InvalidOperationException>(() => registry.SearchAsync("handbook", "q", new SearchOptions(), CancellationToken.None));
        Assert.StartsWith("Knowledge base 'handbook' has no store: reference Atlas.Knowledge (generated AddAtlas()", none.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => registry.SearchAsync("faq", "q", new SearchOptions(), CancellationToken.None));
        Assert.StartsWith("Unknown knowledge base 'faq'. Known: handbook.", unknown.Message, StringComparison.Ordinal);
    }

    private sealed class Fixed(string text) : IKnowledgeBase
    {
        public Task<IReadOnlyList<Passage>> SearchAsync(string query, SearchOptions options, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Passage>>([new Passage(text, "x", 1)]);
    }

    private sealed class CountingFactory : IKnowledgeBaseFactory
    {
        public int Created { get; private set; }

        public IKnowledgeBase Create(KnowledgeDescriptor descriptor, string baseDirectory)
        {
            Created++;
            return new Fixed(descriptor.Name);
        }
    }
}
