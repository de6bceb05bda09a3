using System;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Generic;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace Atlas.Runtime;

/// <summary>
/// The clients of <c>openai</c> and <c>openai_compatible</c> providers: Microsoft.Extensions.AI.OpenAI over the official
/// OpenAI library, sending through the runtime's HTTP client, with the library's retries off. Chat and embeddings
/// (<c>/v1/embeddings</c>); a tool call's unparsable arguments are read back from the library's raw call and stream
/// updates. Stateless, so thread-safe.
/// </summary>
internal sealed class OpenAIProviderClientFactory : ProviderClientFactory
{
    public static readonly OpenAIProviderClientFactory Instance = new();

    public override IChatClient CreateChatClient(ProviderClientContext context)
    {
        var descriptor = context.Descriptor;
        if (string.IsNullOrEmpty(descriptor.Model)) throw new ProviderUnavailableException("no model is set");
        var (credential, options) = Connection(context);
        return new ChatClient(descriptor.Model, credential, options).AsIChatClient();
    }

    public override IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ProviderClientContext context)
    {
        var (credential, options) = Connection(context);
        return new OpenAI.Embeddings.EmbeddingClient(context.Descriptor.EmbeddingModel, credential, options).AsIEmbeddingGenerator();
    }

    /// <summary>A host's own OpenAI client reports a 429 as System.ClientModel's exception, which keeps the reply's headers.</summary>
    public override ProviderFailure? DescribeFailure(Exception error) =>
        error is ClientResultException { Status: 429 } refused
            ? new ProviderFailure(ProviderFailureKind.RateLimited, refused.Message)
            {
                RetryAfter = refused.GetRawResponse()?.Headers.TryGetValue("Retry-After", out var header) == true ? ProviderRateLimitedException.ParseRetryAfter(header) : null,
            }
            : null;

    public override string? ReadToolCallArguments(FunctionCallContent call) =>
        call.RawRepresentation is ChatToolCall toolCall ? toolCall.FunctionArguments.ToString() : null;

    public override IEnumerable<ToolCallArgumentsPiece> ReadToolCallArgumentPieces(ChatResponseUpdate update)
    {
        if (update.RawRepresentation is not StreamingChatCompletionUpdate { ToolCallUpdates: { Count: > 0 } pieces }) yield break;
        foreach (var piece in pieces)
        {
            yield return new ToolCallArgumentsPiece(piece.Index, piece.ToolCallId, piece.FunctionArgumentsUpdate?.ToString());
        }
    }

    /// <summary>The credential and the library's options: the runtime's HTTP client, no retries, the endpoint if declared.</summary>
    /// <exception cref="ProviderUnavailableException">An <c>openai_compatible</c> provider without an endpoint, or an <c>openai</c> one without a key.</exception>
    private static (ApiKeyCredential Credential, OpenAIClientOptions Options) Connection(ProviderClientContext context)
    {
        var descriptor = context.Descriptor;
        if (descriptor.Kind == ProviderKind.OpenAICompatible && string.IsNullOrEmpty(descriptor.Endpoint)) throw new ProviderUnavailableException("no endpoint is set");
        if (descriptor.Kind == ProviderKind.OpenAI && context.ApiKey is null) throw new ProviderUnavailableException("no api_key is set");

        var options = new OpenAIClientOptions
        {
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            Transport = new HttpClientPipelineTransport(context.HttpClient),
            NetworkTimeout = context.LibraryTimeout,
        };
        if (descriptor.Endpoint is { Length: > 0 } endpoint)
        {
            options.Endpoint = new Uri(endpoint);
        }

        // An OpenAI-compatible server without auth still gets a placeholder key: the SDK requires one.
        return (new ApiKeyCredential(context.ApiKey ?? "unused"), options);
    }
}
