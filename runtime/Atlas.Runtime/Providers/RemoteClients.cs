using System;
using System.Net.Http;

namespace Atlas.Runtime;

/// <summary>
/// The HTTP client under every remote provider's client library (<see cref="ProviderClientContext.HttpClient"/>), whichever
/// package makes the client.
/// </summary>
/// <remarks>
/// Each provider gets its own <see cref="HttpClient"/> whose <see cref="ProviderHttpHandler"/> turns error statuses into
/// <see cref="ProviderException"/>s, and each client sits under a <see cref="ProviderErrorsChatClient"/> (the provider's
/// pipeline puts it there), so all libraries fail the same way. The libraries' own retries are off (each kind's factory
/// turns them off): Atlas retries with Polly, under the route's policy, and falls back between providers.
/// </remarks>
internal static class RemoteClients
{
    /// <summary>
    /// The libraries' own timeouts, set out of the way: <see cref="ProviderHttpHandler"/> bounds every request
    /// (<see cref="ProviderLimits"/>, or the provider's declared <c>timeout</c>), with messages that name the provider.
    /// </summary>
    internal static readonly TimeSpan BackstopTimeout = TimeSpan.FromMinutes(10);

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
