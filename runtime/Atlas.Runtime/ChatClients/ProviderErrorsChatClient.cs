using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// Error normalisation: sits right over a remote provider's client library and makes its failures uniform. Every
/// error other than the caller's cancellation leaves as a <see cref="ProviderException"/> naming the provider and saying
/// what went wrong (malformed reply, broken connection, error status, a timeout inside the library), with API keys
/// blanked out. A streamed reply that ends without a finish reason (a stream cut short) is an error too, never a
/// silently truncated answer.
/// </summary>
/// <remarks>
/// Error statuses never reach it: the <see cref="ProviderHttpHandler"/> under the library turns them into
/// <see cref="ProviderException"/>s, which pass through unchanged; it tells the handler the call's token before each
/// step. Thread-safe, like the client it wraps, which it owns (with the library's HTTP client).
/// </remarks>
internal sealed class ProviderErrorsChatClient : DelegatingChatClient
{
    private readonly string _provider;
    private readonly string _kind;
    private readonly SecretRedactor _secrets;
    private readonly ProviderClientFactory? _factory;
    private readonly IDisposable? _resources;

    /// <summary>
    /// Wraps <paramref name="inner"/>; <paramref name="factory"/> says what the library's own exceptions mean, and
    /// <paramref name="resources"/> (the library's HttpClient, which it does not dispose) go with it.
    /// </summary>
    public ProviderErrorsChatClient(IChatClient inner, string provider, string kind, SecretRedactor secrets, ProviderClientFactory? factory = null, IDisposable? resources = null)
        : base(inner)
    {
        _provider = provider;
        _kind = kind;
        _secrets = secrets;
        _factory = factory;
        _resources = resources;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ProviderHttpHandler.CallToken = cancellationToken;
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Translate(ex, cancellationToken);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IAsyncEnumerator<ChatResponseUpdate> updates;
        try
        {
            updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Translate(ex, cancellationToken);
        }

        var finished = false;
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                // Set before every step: an async iterator resumes on its consumer's execution context.
                ProviderHttpHandler.CallToken = cancellationToken;
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = updates.Current;
                }
                catch (Exception ex) when (IsFailure(ex, cancellationToken))
                {
                    throw Translate(ex, cancellationToken);
                }

                finished |= update.FinishReason is not null;
                yield return update;
            }
        }
        finally
        {
            try
            {
                await updates.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or ObjectDisposedException)
            {
                // Closing a connection that already broke; the error that matters was thrown above.
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (!finished)
        {
            throw new ProviderException(_provider, $"{_kind} provider '{_provider}' ended the stream before the reply was complete (no finish reason)");
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _resources?.Dispose();
        }
    }

    /// <summary>
    /// Anything but the caller's own cancellation. An <see cref="OperationCanceledException"/> the caller did not ask
    /// for is a timeout inside the library or HttpClient (its own <c>Timeout</c>): a failure, which must not pass for
    /// a cancellation.
    /// </summary>
    internal static bool IsFailure(Exception error, CancellationToken cancellationToken) =>
        error is not OperationCanceledException || !cancellationToken.IsCancellationRequested;

    /// <summary>The exception the caller sees instead of <paramref name="error"/>.</summary>
    private Exception Translate(Exception error, CancellationToken cancellationToken) => Translate(error, cancellationToken, _provider, _kind, _secrets, _factory);

    /// <summary>A library's failure as a <see cref="ProviderException"/> naming the provider (or a cancellation, if the call was cancelled); no key in its text.</summary>
    internal static Exception Translate(Exception error, CancellationToken cancellationToken, string providerName, string kind, SecretRedactor secrets, ProviderClientFactory? factory)
    {
        // A library may wrap the cancellation of a timed-out attempt in its own exception; it is still a cancellation.
        if (cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException("The call was cancelled.", Clean(error, secrets), cancellationToken);
        }

        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is ProviderException provider)
            {
                return provider;
            }
        }

        var (what, detail) = Classify(error, factory);
        return new ProviderException(providerName, secrets.Redact($"{kind} provider '{providerName}' {what}: {detail}"), inner: Clean(error, secrets));
    }

    private static (string What, string Detail) Classify(Exception error, ProviderClientFactory? factory)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            // The library's own exception types first: only its kind's factory knows them.
            if (factory?.DescribeFailure(e) is { } failure)
            {
                return (failure.Kind switch
                {
                    ProviderFailureKind.MalformedReply => "sent a malformed reply",
                    ProviderFailureKind.ErrorMidStream => "reported an error mid-stream",
                    ProviderFailureKind.TimedOut => "timed out",
                    ProviderFailureKind.RateLimited => "refused the call for now",
                    _ => "connection failed",
                }, failure.Detail);
            }

            switch (e)
            {
                case JsonException or FormatException or InvalidDataException:
                    return ("sent a malformed reply", e.Message);
                case OperationCanceledException or TimeoutException:
                    return ("timed out", e.Message);
                case IOException or HttpRequestException:
                    return ("connection failed", Innermost(e).Message);
            }
        }

        return ("failed", $"{error.GetType().Name}: {error.Message}");
    }

    /// <summary>The innermost exception of <paramref name="error"/>'s chain, whose message says what the network said.</summary>
    private static Exception Innermost(Exception error)
    {
        var e = error;
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    /// <summary>The original exception for diagnosis, unless its text holds a key (a library may copy a request into it).</summary>
    private static Exception? Clean(Exception error, SecretRedactor secrets) => secrets.Contains(error.ToString()) ? null : error;
}
