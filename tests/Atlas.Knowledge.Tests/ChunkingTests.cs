using System.Linq;
using Atlas.Runtime;

namespace Atlas.Knowledge.Tests;

[Collection(MiniLmCollection.Name)]
public sealed class ChunkingTests(MiniLmFixture model)
{
    private static readonly string Prose = string.Join("\n\n", Enumerable.Range(1, 12).Select(p =>
        string.Join(" ", Enumerable.Range(1, 6).Select(s => $"Paragraph {p} sentence {s} talks about the ingestion of documents into a store."))));

    [Theory]
    [InlineData(ChunkingStrategy.Fixed, 64, 16)]
    [InlineData(ChunkingStrategy.Recursive, 64, 16)]
    [InlineData(ChunkingStrategy.Recursive, 200, 0)]
    public void Chunk_LongText_EveryChunkWithinSizeAndAllWordsKept(ChunkingStrategy strategy, int size, int overlap)
    {
        var chunker = new TextChunker(new ChunkingOptions(strategy, size, overlap), model.Tokenizer);

        var chunks = chunker.Chunk(Prose, "text");

        Assert.True(chunks.Count > 1);
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, size));
        var words = Prose.Split((char[]?)null, System.StringSplitOptions.RemoveEmptyEntries);
        var joined = string.Join(" ", chunks.Select(c => c.Text));
        Assert.All(words.Distinct(), w => Assert.Contains(w, joined, System.StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(c => c.Ordinal));
    }

    [Fact]
    public void Chunk_Fixed_ConsecutiveChunksOverlap()
    {
        var chunker = new TextChunker(new ChunkingOptions(ChunkingStrategy.Fixed, 40, 10), model.Tokenizer);

        var chunks = chunker.Chunk(Prose, "text");

        for (var i = 1; i < chunks.Count; i++)
        {
            var previous = chunks[i - 1].Text.Split(' ');
            var next = chunks[i].Text.Split(' ');
            var shared = Enumerable.Range(1, System.Math.Min(previous.Length, next.Length) - 1)
                .LastOrDefault(k => previous[^k..].SequenceEqual(next[..k]));
            Assert.True(shared > 0, $"[{chunks[i - 1].Text}] then [{chunks[i].Text}]");
            Assert.InRange(model.Tokenizer.CountTokens(string.Join(" ", next[..shared])), 1, 10);
        }
    }

    [Fact]
    public void Chunk_Recursive_PrefersParagraphBoundaries()
    {
        var chunker = new TextChunker(new ChunkingOptions(ChunkingStrategy.Recursive, 120, 0), model.Tokenizer);

        var chunks = chunker.Chunk(Prose, "text");

        Assert.All(chunks, c => Assert.StartsWith("Paragraph", c.Text, System.StringComparison.Ordinal));
        Assert.All(chunks, c => Assert.EndsWith("store.", c.Text, System.StringComparison.Ordinal));
    }

    [Fact]
    public void Chunk_Markdown_KeepsHeadingPathAndIgnoresFencedHashes()
    {
        const string markdown = """
            Intro line before any heading.

            # Guide
            Welcome text.

            ## Install
            Run the installer.

            ```bash
            # not a heading
            ./install.sh
            ```

            ### Linux
            Use the tarball.

            ## Configure
            Edit the file.
            """;
        var chunker = new TextChunker(new ChunkingOptions(ChunkingStrategy.Markdown, 200, 0), model.Tokenizer);

        var chunks = chunker.Chunk(markdown, "markdown");

        Assert.Equal([null, "Guide", "Guide > Install", "Guide > Install > Linux", "Guide > Configure"], chunks.Select(c => c.Heading));
        Assert.Contains("# not a heading", chunks[2].Text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Chunk_Markdown_LongSectionIsCutAndEachPieceKeepsTheHeading()
    {
        var chunker = new TextChunker(new ChunkingOptions(ChunkingStrategy.Markdown, 50, 0), model.Tokenizer);

        var chunks = chunker.Chunk("# Big\n\n" + Prose, "markdown");

        Assert.True(chunks.Count > 3);
        Assert.All(chunks, c => Assert.Equal("Big", c.Heading));
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 50));
    }

    [Theory]
    [InlineData((ChunkingStrategy)7, 10, 0)]
    [InlineData(ChunkingStrategy.Fixed, 0, 0)]
    [InlineData(ChunkingStrategy.Fixed, 10, 10)]
    [InlineData(ChunkingStrategy.Fixed, 10, -1)]
    public void Options_Invalid_Throw(ChunkingStrategy strategy, int size, int overlap) =>
        Assert.Throws<System.ArgumentException>(() => new ChunkingOptions(strategy, size, overlap).Validate());

    [Fact]
    public void DefaultTokenizer_IsCl100k() => Assert.Equal(2, TextChunker.DefaultTokenizer.CountTokens("hello world"));
}
