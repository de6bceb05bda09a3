using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests.ChatClients;

public class ProviderErrorsChatClientTests
{
    private const string Key = "sk-secret-0123456789";

    [Fact]
    public async Task ProviderErrors_ALibrarysOwnFailures_BecomeProviderExceptions_NamingTheProvider()
    {
        Assert.Equal(
            "openai provider 'gpt' sent a malformed reply: 'x' is an invalid start of a value.",
            (await FailureOf(new JsonException("'x' is an invalid start of a value."))).Message);
        Assert.Equal(
            "openai provider 'gpt' connection failed: Connection refused",
            (await FailureOf(new HttpRequestException("An error occurred while sending the request.", new IOException("Connection refused")))).Message);
        Assert.Equal(
            "openai provider 'gpt' failed: InvalidCastException: odd",
            (await FailureOf(new InvalidCastException("odd"))).Message);
    }

    [Fact]
    public async Task ProviderErrors_AProviderExceptionFromTheHttpHandler_PassesThroughAsItIs()
    {
        var original = new ProviderException("gpt", "openai provider 'gpt' answered HTTP 500 (Internal Server Error): down", 500);

        Assert.Same(original, await FailureOf(new InvalidOperationException("the library wrapped it", original)));
    }

    [Fact]
    public async Task ProviderErrors_AKeyInTheLibrarysMessage_IsBlankedOut_AndTheInnerExceptionDropped()
    {
        var error = await FailureOf(new InvalidOperationException($"request with key {Key} failed"));

        Assert.Equal("openai provider 'gpt' failed: InvalidOperationException: request with key [redacted] failed", error.Message);
        Assert.Null(error.InnerException);
    }

    [Fact]
    public async Task ProviderErrors_AStreamThatEndsWithoutAFinishReason_IsAnError_NotATruncatedAnswer()
    {
        using var client = Errors(new StubChatClient((_, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "cut short")))));
        var pieces = new List<string>();

        var error = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
            {
                pieces.Add(update.Text);
            }
        });

        Assert.Equal("openai provider 'gpt' ended the stream before the reply was complete (no finish reason)", error.Message);
        Assert.Equal("cut short", string.Concat(pieces));
    }

    [Fact]
    public async Task ProviderErrors_ACancelledCall_IsACancellation_WhateverTheLibraryThrew()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        using var client = Errors(new StubChatClient((_, _) => Task.FromException<ChatResponse>(new HttpRequestException("aborted"))));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], cancellationToken: cancel.Token));
    }

    private static async Task<ProviderException> FailureOf(Exception libraryError)
    {
        using var client = Errors(new StubChatClient((_, _) => Task.FromException<ChatResponse>(libraryError)));
        return await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));
    }

    private static ProviderErrorsChatClient Errors(IChatClient inner)
    {
        var secrets = new SecretRedactor();
        secrets.Add(Key);
        return new ProviderErrorsChatClient(inner, "gpt", "openai", secrets);
    }
}
