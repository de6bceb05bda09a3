using System;
using Atlas.Embeddings.MiniLM;
using Microsoft.ML.Tokenizers;

namespace Atlas.Knowledge.Tests;

/// <summary>One real MiniLM model for the whole test assembly (loading it takes about half a second).</summary>
public sealed class MiniLmFixture : IDisposable
{
    public MiniLmEmbeddingGenerator Embedder { get; } = new();

    public Tokenizer Tokenizer { get; } = MiniLmEmbeddingGenerator.CreateTokenizer();

    public void Dispose() => Embedder.Dispose();
}

[CollectionDefinition(Name)]
public sealed class MiniLmCollection : ICollectionFixture<MiniLmFixture>
{
    public const string Name = "MiniLM";
}
