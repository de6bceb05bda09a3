using System;
using System.ClientModel;
using System.ClientModel.Primitives;
using Anthropic;
using Anthropic.Core;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;

namespace Atlas.Runtime;

/// <summary>
/// Clients for providers reached over the network: <c>openai</c> and <c>openai_compatible</c>
/// (Microsoft.Extensions.AI.OpenAI), <c>ollama</c> (OllamaSharp), <c>anthropic</c> (the official SDK).
/// The clients' own retries are off: Atlas retries with Polly, under the route's policy, and
/// falls back between providers. No request is made here; a wrong endpoint shows on the first call.
/// </summary>
internal static class RemoteClients
{
    public static (IChatClient? Client, string? Reason) Create(ProviderDescriptor descriptor, string? apiKey)
    {
        switch (descriptor.Kind)
        {
            case ProviderKinds.OpenAI or ProviderKinds.OpenAICompatible:
                if (string.IsNullOrEmpty(descriptor.Model))
                {
                    return (null, "no model is set");
                }

                if (descriptor.Kind == ProviderKinds.OpenAICompatible && string.IsNullOrEmpty(descriptor.Endpoint))
                {
                    return (null, "no endpoint is set");
                }

                if (descriptor.Kind == ProviderKinds.OpenAI && apiKey is null)
                {
                    return (null, "no api_key is set");
                }

                var openAIOptions = new OpenAIClientOptions { RetryPolicy = new ClientRetryPolicy(maxRetries: 0) };
                if (descriptor.Endpoint is { Length: > 0 } endpoint)
                {
                    openAIOptions.Endpoint = new Uri(endpoint);
                }

                // An OpenAI-compatible server without auth still gets a placeholder key: the SDK requires one.
                var credential = new ApiKeyCredential(apiKey ?? "unused");
                return (new OpenAI.Chat.ChatClient(descriptor.Model, credential, openAIOptions).AsIChatClient(), null);

            case ProviderKinds.Ollama:
                if (string.IsNullOrEmpty(descriptor.Model))
                {
                    return (null, "no model is set");
                }

                return (new OllamaApiClient(new Uri(descriptor.Endpoint is { Length: > 0 } e ? e : "http://localhost:11434"), descriptor.Model), null);

            case ProviderKinds.Anthropic:
                if (string.IsNullOrEmpty(descriptor.Model))
                {
                    return (null, "no model is set");
                }

                if (apiKey is null)
                {
                    return (null, "no api_key is set");
                }

                var anthropicOptions = new ClientOptions { ApiKey = apiKey, MaxRetries = 0 };
                if (descriptor.Endpoint is { Length: > 0 } baseUrl)
                {
                    anthropicOptions.BaseUrl = baseUrl;
                }

                return (new AnthropicClient(anthropicOptions).AsIChatClient(descriptor.Model), null);

            default:
                return (null, $"unknown provider kind '{descriptor.Kind}'");
        }
    }
}
