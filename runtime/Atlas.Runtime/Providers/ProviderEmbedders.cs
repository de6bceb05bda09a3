using System;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;

namespace Atlas.Runtime;

/// <summary>
/// The embedding generator of a provider that embeds (spec/language.md §10): <c>openai</c> and
/// <c>openai_compatible</c> through Microsoft.Extensions.AI.OpenAI (<c>/v1/embeddings</c>), <c>ollama</c>
/// through OllamaSharp (<c>/api/embed</c>), each with the provider's <see cref="ProviderDescriptor.EmbeddingModel"/>,
/// endpoint and API key.
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
    /// <param name="getEnvironmentVariable">Reads the API key's variable; <see cref="Environment.GetEnvironmentVariable(string)"/> if <see langword="null"/>.</param>
    /// <param name="generator">The generator, when it could be made.</param>
    /// <param name="reason">Why not, otherwise: one short clause naming what is missing (never a key).</param>
    public static bool TryCreate(
        ProviderDescriptor provider,
        Func<string, string?>? getEnvironmentVariable,
        [NotNullWhen(true)] out IEmbeddingGenerator<string, Embedding<float>>? generator,
        [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(provider);
        generator = null;
        if (provider.Kind is not (ProviderKind.OpenAI or ProviderKind.OpenAICompatible or ProviderKind.Ollama))
        {
            reason = $"a {ProviderKinds.Spelling(provider.Kind)} provider does not embed (use an openai, openai_compatible or ollama provider, or minilm)";
            return false;
        }

        if (string.IsNullOrEmpty(provider.EmbeddingModel))
        {
            reason = "no embedding_model is set";
            return false;
        }

        var secrets = new SecretRedactor();
        string? key = null;
        if (provider.ApiKeyVariable is { Length: > 0 } variable)
        {
            key = (getEnvironmentVariable ?? Environment.GetEnvironmentVariable)(variable);
            if (string.IsNullOrEmpty(key))
            {
                reason = $"{variable} is not set";
                return false;
            }

            secrets.Add(key);
        }

        secrets.AddEndpoint(provider.Endpoint);
        try
        {
            (generator, reason) = Create(provider, provider.EmbeddingModel, key, secrets);
            return generator is not null;
        }
        catch (Exception ex) when (ex is ArgumentException or UriFormatException or InvalidOperationException or FormatException)
        {
            reason = $"{ProviderKinds.Spelling(provider.Kind)} embedding client could not be created for model '{provider.EmbeddingModel}': {ex.GetType().Name}";
            return false;
        }
    }

    /// <summary>As <see cref="TryCreate"/>, throwing when the generator can't be made.</summary>
    /// <param name="provider">The provider a knowledge base's <c>embedder</c> names.</param>
    /// <param name="getEnvironmentVariable">Reads the API key's variable; <see cref="Environment.GetEnvironmentVariable(string)"/> if <see langword="null"/>.</param>
    /// <returns>The generator; the caller owns it and disposes it.</returns>
    /// <exception cref="InvalidOperationException">The provider can't embed; the message names it and says why.</exception>
    public static IEmbeddingGenerator<string, Embedding<float>> Create(ProviderDescriptor provider, Func<string, string?>? getEnvironmentVariable = null) =>
        TryCreate(provider, getEnvironmentVariable, out var generator, out var reason)
            ? generator
            : throw new InvalidOperationException($"Provider '{provider.Name}' cannot embed: {reason}.");

    private static (IEmbeddingGenerator<string, Embedding<float>>? Generator, string? Reason) Create(ProviderDescriptor provider, string model, string? apiKey, SecretRedactor secrets)
    {
        if (provider.Kind == ProviderKind.Ollama)
        {
            var http = RemoteClients.CreateHttpClient(provider, secrets, TimeProvider.System);
            http.BaseAddress = new Uri(provider.Endpoint is { Length: > 0 } e ? e : "http://localhost:11434");
            if (apiKey is not null)
            {
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            }

            return (new ProviderGuardEmbeddingGenerator(new OllamaApiClient(http, model), provider, secrets, http), null);
        }

        if (provider.Kind == ProviderKind.OpenAICompatible && string.IsNullOrEmpty(provider.Endpoint))
        {
            return (null, "no endpoint is set");
        }

        if (provider.Kind == ProviderKind.OpenAI && apiKey is null)
        {
            return (null, "no api_key is set");
        }

        var client = RemoteClients.CreateHttpClient(provider, secrets, TimeProvider.System);
        var options = new OpenAIClientOptions
        {
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            Transport = new HttpClientPipelineTransport(client),
            NetworkTimeout = RemoteClients.Backstop(provider),
        };
        if (provider.Endpoint is { Length: > 0 } endpoint)
        {
            options.Endpoint = new Uri(endpoint);
        }

        // An OpenAI-compatible server without auth still gets a placeholder key: the SDK requires one.
        var inner = new OpenAI.Embeddings.EmbeddingClient(model, new ApiKeyCredential(apiKey ?? "unused"), options).AsIEmbeddingGenerator();
        return (new ProviderGuardEmbeddingGenerator(inner, provider, secrets, client), null);
    }

    /// <summary>Every failure as a <see cref="ProviderException"/> naming the provider, and a reply with one vector per input.</summary>
    private sealed class ProviderGuardEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, ProviderDescriptor provider, SecretRedactor secrets, IDisposable resources)
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
                throw ProviderErrorsChatClient.Translate(ex, cancellationToken, provider.Name, ProviderKinds.Spelling(provider.Kind), secrets);
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
                resources.Dispose();
            }
        }
    }
}
