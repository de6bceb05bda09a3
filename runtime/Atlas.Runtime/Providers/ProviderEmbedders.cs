using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// The embedding generator of a provider that embeds (spec/language.md §10): <c>openai</c> and <c>openai_compatible</c>
/// (<c>/v1/embeddings</c>) and <c>ollama</c> (<c>/api/embed</c>), each with the provider's
/// <see cref="ProviderDescriptor.EmbeddingModel"/>, endpoint and API key, made by its kind's registered
/// <see cref="ProviderClientFactory"/> (Atlas.Runtime.OpenAI, Atlas.Runtime.Ollama).
/// </summary>
/// <remarks>
/// As for chat, the API key is read from the environment variable the provider names, handed to the client and
/// never shown; the libraries' own retries are off, and every failure surfaces as a <see cref="ProviderException"/>
/// naming the provider. The generator returned owns its HTTP client: dispose it when done. Thread-safe.
/// </remarks>
public static class ProviderEmbedders
{
    /// <summary>Makes the generator <paramref name="provider"/> embeds with, or says why it can't (e.g. <c>OPENAI_API_KEY is not set</c>).</summary>
    /// <param name="provider">The provider a knowledge base's <c>embedder</c> names.</param>
    /// <param name="options">
    /// The runtime's options: their <see cref="AtlasRuntimeOptions.ProviderClientFactories"/> make the client, their
    /// <see cref="AtlasRuntimeOptions.GetEnvironmentVariable"/> reads the API key.
    /// </param>
    /// <param name="generator">The generator, when it could be made.</param>
    /// <param name="reason">Why not, otherwise: one short clause naming what is missing (never a key).</param>
    /// <returns>Whether the generator could be made.</returns>
    public static bool TryCreate(
        ProviderDescriptor provider,
        AtlasRuntimeOptions options,
        [NotNullWhen(true)] out IEmbeddingGenerator<string, Embedding<float>>? generator,
        [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(options);
        generator = null;
        if (provider.Kind is not (ProviderKind.OpenAI or ProviderKind.OpenAICompatible or ProviderKind.Ollama))
        {
            reason = $"a {ProviderKinds.Spelling(provider.Kind)} provider does not embed (use an openai, openai_compatible or ollama provider, or minilm)";
            return false;
        }

        if (!ProviderKinds.TryGetFactory(provider.Kind, options, out var factory, out reason))
        {
            return false;
        }

        if (string.IsNullOrEmpty(provider.EmbeddingModel))
        {
            reason = "no embedding_model is set";
            return false;
        }

        var secrets = new SecretRedactor();
        if (!ProviderKinds.TryReadApiKey(provider, options.GetEnvironmentVariable, secrets, out var key, out reason))
        {
            return false;
        }

        var context = ProviderKinds.CreateContext(provider, key, secrets, options.TimeProvider ?? TimeProvider.System);
        try
        {
            var inner = factory.CreateEmbeddingGenerator(context);
            // Each request an `embeddings {model}` span (and the GenAI metrics) on the runtime's source.
            generator = new OpenTelemetryEmbeddingGenerator<string, Embedding<float>>(
                new ProviderGuardEmbeddingGenerator(inner, provider, secrets, factory, context.CreatedHttpClient),
                sourceName: AtlasTelemetry.SourceName)
            {
                EnableSensitiveData = false,
            };
            return true;
        }
        catch (Exception ex) when (ProviderKinds.Unusable(ex, provider, provider.EmbeddingModel, "embedding client") is { } unusable)
        {
            context.CreatedHttpClient?.Dispose();
            reason = unusable;
            return false;
        }
    }

    /// <summary>As <see cref="TryCreate"/>, throwing when the generator can't be made.</summary>
    /// <param name="provider">The provider a knowledge base's <c>embedder</c> names.</param>
    /// <param name="options">The runtime's options: the provider kinds' factories and the environment (<see cref="TryCreate"/>).</param>
    /// <returns>The generator; the caller owns it and disposes it.</returns>
    /// <exception cref="InvalidOperationException">The provider can't embed; the message names it and says why.</exception>
    public static IEmbeddingGenerator<string, Embedding<float>> Create(ProviderDescriptor provider, AtlasRuntimeOptions options) =>
        TryCreate(provider, options, out var generator, out var reason)
            ? generator
            : throw new InvalidOperationException($"Provider '{provider.Name}' cannot embed: {reason}.");

    /// <summary>Every failure as a <see cref="ProviderException"/> naming the provider, and a reply with one vector per input.</summary>
    private sealed class ProviderGuardEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, ProviderDescriptor provider, SecretRedactor secrets, ProviderClientFactory factory, IDisposable? resources)
        : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var inputs = values as IReadOnlyCollection<string> ?? values.ToList();
            ProviderHttpHandler.CallToken = cancellationToken;
            GeneratedEmbeddings<Embedding<float>> embeddings;
            try
            {
                embeddings = await base.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ProviderErrorsChatClient.IsFailure(ex, cancellationToken))
            {
                throw ProviderErrorsChatClient.Translate(ex, cancellationToken, provider.Name, ProviderKinds.Spelling(provider.Kind), secrets, factory);
            }

            if (embeddings.Count != inputs.Count || embeddings.Any(e => e.Vector.Length == 0))
            {
                throw new ProviderException(provider.Name, $"{ProviderKinds.Spelling(provider.Kind)} provider '{provider.Name}' returned {embeddings.Count} embeddings for {inputs.Count} inputs, or an empty one");
            }

            return embeddings;
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing)
            {
                resources?.Dispose();
            }
        }
    }
}
