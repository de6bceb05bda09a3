using System;
using System.Net.Http.Headers;
using Microsoft.Extensions.AI;
using OllamaSharp;

namespace Atlas.Runtime;

/// <summary>
/// The clients of <c>ollama</c> providers: OllamaSharp's <see cref="OllamaApiClient"/> (chat, and embeddings through
/// <c>/api/embed</c>), sending through the runtime's HTTP client to the declared endpoint or <c>http://localhost:11434</c>.
/// Stateless, so thread-safe.
/// </summary>
internal sealed class OllamaProviderClientFactory : ProviderClientFactory
{
    public static readonly OllamaProviderClientFactory Instance = new();

    public override IChatClient CreateChatClient(ProviderClientContext context)
    {
        if (string.IsNullOrEmpty(context.Descriptor.Model)) throw new ProviderUnavailableException("no model is set");
        return Client(context, context.Descriptor.Model);
    }

    public override IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ProviderClientContext context) =>
        Client(context, context.Descriptor.EmbeddingModel!);

    private static OllamaApiClient Client(ProviderClientContext context, string model)
    {
        var http = context.HttpClient;
        http.BaseAddress = new Uri(context.Descriptor.Endpoint is { Length: > 0 } endpoint ? endpoint : "http://localhost:11434");
        if (context.ApiKey is not null)
        {
            // Ollama itself needs no key; a hosted Ollama or a proxy in front of one takes a bearer token.
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", context.ApiKey);
        }

        return new OllamaApiClient(http, model);
    }
}
