using System;
using System.Net.Http;

namespace Atlas.Runtime;

/// <summary>
/// What a <see cref="ProviderClientFactory"/> makes one provider's client from: its descriptor, its API key, and the HTTP
/// client every request to it goes through. Made by the runtime, once per client.
/// </summary>
public sealed class ProviderClientContext
{
    private readonly Func<HttpClient> _createHttpClient;
    private HttpClient? _httpClient;

    internal ProviderClientContext(ProviderDescriptor descriptor, string? apiKey, Func<HttpClient> createHttpClient, TimeSpan libraryTimeout)
    {
        Descriptor = descriptor;
        ApiKey = apiKey;
        _createHttpClient = createHttpClient;
        LibraryTimeout = libraryTimeout;
    }

    /// <summary>The provider as declared.</summary>
    public ProviderDescriptor Descriptor { get; }

    /// <summary>
    /// The API key read from <see cref="ProviderDescriptor.ApiKeyVariable"/>; <see langword="null"/> when the provider names no
    /// variable (a variable that is named but unset makes the provider unavailable before its factory is asked). Hand it to the
    /// library only: the runtime blanks it out of every message and event.
    /// </summary>
    public string? ApiKey { get; }

    /// <summary>
    /// The HTTP client the library must send with, made on first use: it bounds each request (the provider's <c>timeout</c>,
    /// or the start and idle limits), turns error statuses into <see cref="ProviderException"/>s with the server's message
    /// and <c>Retry-After</c>, and bounds a reply's size. The factory may set its <see cref="HttpClient.BaseAddress"/> and
    /// default headers. The runtime owns it and disposes it with the client.
    /// </summary>
    public HttpClient HttpClient => _httpClient ??= _createHttpClient();

    /// <summary>The library's own timeout: past the runtime's bound on a request, so that the runtime, naming the provider, reports it.</summary>
    public TimeSpan LibraryTimeout { get; }

    /// <summary>The HTTP client if the factory used it; the runtime disposes it with the client (or at once, when none was made).</summary>
    internal HttpClient? CreatedHttpClient => _httpClient;
}
