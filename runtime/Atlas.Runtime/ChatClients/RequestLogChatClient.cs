using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Atlas.Runtime;

/// <summary>
/// Logs each request to a provider at Debug (provider, model, tokens, latency) and each failed one at Warning, with
/// the error's redacted text; never the messages. Added only when the logger logs Debug or Warning. Thread-safe; it owns
/// its inner client.
/// </summary>
internal sealed class RequestLogChatClient : DelegatingChatClient
{
    private readonly ILogger _logger;
    private readonly string _provider;
    private readonly string? _model;
    private readonly SecretRedactor _secrets;
    private readonly TimeProvider _time;

    public RequestLogChatClient(IChatClient inner, ILogger logger, ProviderDescriptor provider, SecretRedactor secrets, TimeProvider time)
        : base(inner)
    {
        _logger = logger;
        _provider = provider.Name;
        _model = provider.Model ?? inner.GetService<ChatClientMetadata>()?.DefaultModelId;
        _secrets = secrets;
        _time = time;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            Answered(options, started, response.Usage);
            return response;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Failed(options, started, ex);
            throw;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        UsageDetails? usage = null;
        await using var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            ChatResponseUpdate update;
            try
            {
                if (!await updates.MoveNextAsync().ConfigureAwait(false)) break;
                update = updates.Current;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                Failed(options, started, ex);
                throw;
            }

            foreach (var content in update.Contents)
            {
                if (content is UsageContent { Details: var details }) usage = details;
            }

            yield return update;
        }

        Answered(options, started, usage);
    }

    private void Answered(ChatOptions? options, long started, UsageDetails? usage) =>
        RuntimeLog.ModelRequest(_logger, _provider, options?.ModelId ?? _model, RuntimeLog.Milliseconds(_time.GetElapsedTime(started)), usage?.InputTokenCount, usage?.OutputTokenCount);

    private void Failed(ChatOptions? options, long started, Exception error) =>
        RuntimeLog.ModelRequestFailed(_logger, _provider, options?.ModelId ?? _model, RuntimeLog.Milliseconds(_time.GetElapsedTime(started)), _secrets.Redact(RunContext.Describe(error)));
}
