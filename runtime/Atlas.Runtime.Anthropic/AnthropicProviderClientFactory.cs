using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// The clients of <c>anthropic</c> providers: the official Anthropic SDK's <see cref="IChatClient"/>, sending through the
/// runtime's HTTP client, with the SDK's retries off. The SDK's own exceptions are described for the error line, and a
/// streamed tool call's unparsable arguments are read back from its raw stream events. Stateless, so thread-safe.
/// </summary>
internal sealed class AnthropicProviderClientFactory : ProviderClientFactory
{
    public static readonly AnthropicProviderClientFactory Instance = new();

    public override IChatClient CreateChatClient(ProviderClientContext context)
    {
        var descriptor = context.Descriptor;
        if (string.IsNullOrEmpty(descriptor.Model)) throw new ProviderUnavailableException("no model is set");
        if (context.ApiKey is null) throw new ProviderUnavailableException("no api_key is set");

        var options = new ClientOptions { ApiKey = context.ApiKey, MaxRetries = 0, HttpClient = context.HttpClient, Timeout = context.LibraryTimeout };
        if (descriptor.Endpoint is { Length: > 0 } baseUrl)
        {
            options.BaseUrl = baseUrl;
        }

        return new AnthropicClient(options).AsIChatClient(descriptor.Model);
    }

    public override ProviderFailure? DescribeFailure(Exception error) => error switch
    {
        AnthropicInvalidDataException => new ProviderFailure(ProviderFailureKind.MalformedReply, error.Message),
        AnthropicSseException sse => new ProviderFailure(ProviderFailureKind.ErrorMidStream, sse.ApiMessage ?? sse.Message),
        AnthropicIOException => new ProviderFailure(ProviderFailureKind.ConnectionFailed, error.GetBaseException().Message),
        _ => null,
    };

    /// <summary>A tool_use block starts with its id, then input_json_delta pieces follow, by block index.</summary>
    public override IEnumerable<ToolCallArgumentsPiece> ReadToolCallArgumentPieces(ChatResponseUpdate update)
    {
        if (update.RawRepresentation is not RawMessageStreamEvent streamEvent
            || JsonSerializer.SerializeToNode(streamEvent) is not JsonObject json
            || json["index"] is not JsonValue index)
        {
            yield break;
        }

        var type = (string?)json["type"];
        if (type == "content_block_start" && (string?)json["content_block"]?["type"] == "tool_use")
        {
            yield return new ToolCallArgumentsPiece(index.GetValue<long>(), (string?)json["content_block"]?["id"], null);
        }
        else if (type == "content_block_delta" && (string?)json["delta"]?["type"] == "input_json_delta")
        {
            yield return new ToolCallArgumentsPiece(index.GetValue<long>(), null, (string?)json["delta"]?["partial_json"]);
        }
    }
}
