using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.Extensions.AI;

namespace Atlas.Equivalence.Tests.TestSupport;

/// <summary>
/// The <c>scripted</c> provider of the unhappy-path sources, the same on both sides: a prompt that says
/// <c>boom</c> fails every time, one that says <c>flaky</c> fails on every other request (the first, the
/// third, ...: once per run, as a run's retry sends it again), one that says <c>slow</c> takes 300ms, one that
/// starts with <c>json:</c> is answered with the rest of it verbatim, and any other is echoed as <c>echo(prompt)</c>.
/// Failures are a 503 (transient, so a <c>retry</c> sends the request again).
/// </summary>
/// <remarks>One instance per runtime; a runtime's runs are sequential, so the count per prompt is deterministic.</remarks>
internal sealed class ScriptedChatClient : IChatClient
{
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var text = await ReplyAsync(messages, cancellationToken);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { Usage = Usage(text) };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var text = await ReplyAsync(messages, cancellationToken);
        // Two tokens, so that a step's token events are compared too.
        var half = text.Length / 2;
        yield return new ChatResponseUpdate(ChatRole.Assistant, text[..half]);
        yield return new ChatResponseUpdate(ChatRole.Assistant, text[half..]);
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(Usage(text))]);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private async Task<string> ReplyAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        var prompt = messages.Last(m => m.Role == ChatRole.User).Text.Trim();
        if (prompt.Contains("slow", StringComparison.Ordinal)) await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
        var request = _requests.AddOrUpdate(prompt, 1, (_, n) => n + 1);
        if (prompt.Contains("boom", StringComparison.Ordinal) || (prompt.Contains("flaky", StringComparison.Ordinal) && request % 2 == 1))
            throw new HttpRequestException($"scripted: 503 for '{prompt}'", null, HttpStatusCode.ServiceUnavailable);
        return prompt.StartsWith("json:", StringComparison.Ordinal) ? prompt["json:".Length..] : $"echo({prompt})";
    }

    private static UsageDetails Usage(string text) => new() { InputTokenCount = text.Length, OutputTokenCount = 2 };
}
