using System;
using System.Linq;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.Extensions.VectorData;

namespace Atlas.Knowledge.Tests;

[Collection(MiniLmCollection.Name)]
public sealed class VectorDataTests(MiniLmFixture model) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private async Task<KnowledgeVectorSearch> IngestAsync()
    {
        _folder.Write("docs/refunds.md", "# Refunds\n\nCustomers can get their money back within 30 days of purchase.\n\n## Exceptions\n\nGift cards are never refunded.");
        _folder.Write("docs/shipping.md", "# Shipping\n\nParcels ship from the Rotterdam warehouse and arrive in two to four business days.");
        var kb = SqliteKnowledgeBase.Create(new KnowledgeDescriptor("kb", ["docs/*.md"], ChunkingStrategy.Markdown, 100, 0, "minilm", StoreKind.Sqlite, "kb.db"), _folder.Path, model.Embedder, model.Tokenizer);
        await kb.IngestAsync();
        return new KnowledgeVectorSearch("kb", kb.Store, "minilm", model.Embedder);
    }

    [Fact]
    public async Task HybridSearch_ThroughTheInterfaceWithFilter_ReturnsRecords()
    {
        IKeywordHybridSearchable<KnowledgeChunkRecord> search = await IngestAsync();
        var source = "docs/refunds.md";

        var results = await search.HybridSearchAsync("can I return a voucher", ["gift", "cards"], 3, new HybridSearchOptions<KnowledgeChunkRecord> { Filter = r => r.Source == source && r.Metadata["format"] == "markdown" }).ToListAsync();

        Assert.Equal("Refunds > Exceptions", results[0].Record.Heading);
        Assert.All(results, r => Assert.Equal(source, r.Record.Source));
        Assert.Null(results[0].Record.Vector);
    }

    [Fact]
    public async Task Search_WithEmbeddingAndIncludeVectors_ReturnsNormalizedVectors()
    {
        var search = await IngestAsync();
        var query = (await model.Embedder.GenerateAsync(["when does my package arrive"]))[0];

        var results = await search.SearchAsync(query, 1, new VectorSearchOptions<KnowledgeChunkRecord> { IncludeVectors = true, ScoreThreshold = 0.2 }).ToListAsync();

        var top = Assert.Single(results);
        Assert.Equal("docs/shipping.md", top.Record.Source);
        Assert.Equal(384, top.Record.Vector!.Value.Length);
        Assert.Equal(1.0, System.Numerics.Tensors.TensorPrimitives.Norm(top.Record.Vector.Value.Span), 3);
    }

    [Fact]
    public async Task Search_UnsupportedFilter_NotSupported()
    {
        var search = await IngestAsync();

        await Assert.ThrowsAsync<NotSupportedException>(async () =>
            await search.SearchAsync("refund", 3, new VectorSearchOptions<KnowledgeChunkRecord> { Filter = r => r.Ordinal > 0 }).ToListAsync());
    }
}
