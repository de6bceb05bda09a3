using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Knowledge.Tests;

internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>Stands for a process killed mid-ingest: cancels the ingest on its nth call.</summary>
internal sealed class CancellingEmbedder(IEmbeddingGenerator<string, Embedding<float>> inner, CancellationTokenSource cts, int failOnCall) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    private int _calls;

    public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Increment(ref _calls) == failOnCall)
        {
            cts.Cancel();
            cancellationToken.ThrowIfCancellationRequested();
        }

        return base.GenerateAsync(values, options, cancellationToken);
    }
}

/// <summary>A second, different embedder (feature hashing of words), to switch a store to.</summary>
internal sealed class HashEmbedder(int dimensions) : IEmbeddingGenerator<string, Embedding<float>>
{
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            var vector = new float[dimensions];
            foreach (var word in value.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                vector[(int)((uint)StringComparer.Ordinal.GetHashCode(word) % (uint)dimensions)] += 1;
            }

            vector[0] += 0.01f;
            result.Add(new Embedding<float>(vector));
        }

        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
