using System;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http;
using System.Net.Http.Headers;
using Anthropic;
using Anthropic.Core;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;

namespace Atlas.Runtime;

/// <summary>
/// Clients for providers reached over the network: <c>openai</c> and <c>openai_compatible</c>
/// (Microsoft.Extensions.AI.OpenAI), <c>ollama</c> (OllamaSharp), <c>anthropic</c> (the official SDK).
/// </summary>
/// <remarks>
/// Each provider gets its own <see cref="HttpClient"/> whose <see cref="ProviderHttpHandler"/> turns
/// error statuses into <see cref="ProviderException"/>s, and each client sits under a
/// <see cref="ProviderErrorsChatClient"/> (the provider's pipeline puts it there), so all libraries fail the same way. The libraries'
/// own retries are off: Atlas retries with Polly, under the route's policy, and falls back between
/// providers. No request is made here; a wrong endpoint shows on the first call.
/// </remarks>
internal static class RemoteClients
{
    /// <summary>
    /// The libraries' own timeouts, set out of the way: <see cref="ProviderHttpHandler"/> bounds every request
    /// (<see cref="ProviderLimits"/>, or the provider's declared <c>timeout</c>), with messages that name the provider.
    /// </summary>
    internal static readonly TimeSpan BackstopTimeout = TimeSpan.FromMinutes(10);

    public static (IChatClient? Client, HttpClient? Http, string? Reason) Create(ProviderDescriptor descriptor, string? apiKey, SecretRedactor secrets, TimeProvider time)
    {
        switch (descriptor.Kind)
        {
            case ProviderKind.OpenAI or ProviderKind.OpenAICompatible:
            {
                if (string.IsNullOrEmpty(descriptor.Model))
                {
                    return (null, null, "no model is set");
                }

                if (descriptor.Kind == ProviderKind.OpenAICompatible && string.IsNullOrEmpty(descriptor.Endpoint))
                {
                    return (null, null, "no endpoint is set");
                }

                if (descriptor.Kind == ProviderKind.OpenAI && apiKey is null)
                {
                    return (null, null, "no api_key is set");
                }

                var endpoint = descriptor.Endpoint is { Length: > 0 } e ? new Uri(e) : null;
                var http = CreateHttpClient(descriptor, secrets, time);
                var options = new OpenAIClientOptions
                {
                    RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                    Transport = new HttpClientPipelineTransport(http),
                    NetworkTimeout = Backstop(descriptor),
                };
                if (endpoint is not null)
                {
                    options.Endpoint = endpoint;
                }

                // An OpenAI-compatible server without auth still gets a placeholder key: the SDK requires one.
                var credential = new ApiKeyCredential(apiKey ?? "unused");
                return (new OpenAI.Chat.ChatClient(descriptor.Model, credential, options).AsIChatClient(), http, null);
            }

            case ProviderKind.Ollama:
            {
                if (string.IsNullOrEmpty(descriptor.Model))
                {
                    return (null, null, "no model is set");
                }

                var endpoint = new Uri(descriptor.Endpoint is { Length: > 0 } e ? e : "http://localhost:11434");
                var http = CreateHttpClient(descriptor, secrets, time);
                http.BaseAddress = endpoint;
                if (apiKey is not null)
                {
                    // Ollama itself needs no key; a hosted Ollama or a proxy in front of one takes a bearer token.
                    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
                }

                return (new OllamaApiClient(http, descriptor.Model), http, null);
            }

            case ProviderKind.Anthropic:
            {
                if (string.IsNullOrEmpty(descriptor.Model))
                {
                    return (null, null, "no model is set");
                }

                if (apiKey is null)
                {
                    return (null, null, "no api_key is set");
                }

                var http = CreateHttpClient(descriptor, secrets, time);
                var options = new ClientOptions { ApiKey = apiKey, MaxRetries = 0, HttpClient = http, Timeout = Backstop(descriptor) };
                if (descriptor.Endpoint is { Length: > 0 } baseUrl)
                {
                    options.BaseUrl = baseUrl;
                }

                return (new AnthropicClient(options).AsIChatClient(descriptor.Model), http, null);
            }

            default:
                return (null, null, $"unknown provider kind '{ProviderKinds.Spelling(descriptor.Kind)}'");
        }
    }

    internal static HttpClient CreateHttpClient(ProviderDescriptor descriptor, SecretRedactor secrets, TimeProvider time)
    {
        // Pooled connections are recycled so a provider's DNS changes are picked up.
        var sockets = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        return new HttpClient(new ProviderHttpHandler(descriptor, secrets, time, sockets), disposeHandler: true)
        {
            Timeout = Backstop(descriptor),
            MaxResponseContentBufferSize = ProviderLimits.MaxReplyBytes,
        };
    }

    /// <summary>Past the handler's own bound, so that it, not the library, reports the timeout.</summary>
    internal static TimeSpan Backstop(ProviderDescriptor descriptor) =>
        descriptor.Timeout is { } timeout && timeout > BackstopTimeout
            ? (timeout > ProviderLimits.MaxTimeout ? ProviderLimits.MaxTimeout : timeout) + TimeSpan.FromMinutes(1)
            : BackstopTimeout;
}
