using System;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>
/// The HTTP handler under every remote provider's client library. An error status becomes a
/// <see cref="ProviderException"/> here, the same way for all libraries: it names the provider,
/// carries the status and the <c>Retry-After</c> delay (for 429 and 503), and the server's own
/// error message with any API key blanked out. The libraries never see the error response, so
/// their differing exception types (and whatever they copy into messages) never reach the caller.
/// </summary>
internal sealed class ProviderHttpHandler : DelegatingHandler
{
    private const int MaxErrorBodyChars = 2000;
    private static readonly AsyncLocal<CancellationToken> CallTokenSlot = new();
    private readonly string _provider;
    private readonly string _kind;
    private readonly SecretRedactor _secrets;

    public ProviderHttpHandler(string provider, string kind, SecretRedactor secrets, HttpMessageHandler inner)
        : base(inner)
    {
        _provider = provider;
        _kind = kind;
        _secrets = secrets;
    }

    /// <summary>
    /// The cancellation token of the chat call in progress on this async flow, set by
    /// <see cref="ProviderGuardChatClient"/> before it calls into a library: response bodies are read under it.
    /// </summary>
    public static CancellationToken CallToken
    {
        get => CallTokenSlot.Value;
        set => CallTokenSlot.Value = value;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            await CancellableReadStream.WrapAsync(response, CallToken).ConfigureAwait(false);
            return response;
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var retryAfter = RetryAfterOf(response);
            var detail = await ErrorDetailAsync(response, cancellationToken).ConfigureAwait(false);
            var what = status == 429 ? "is rate limited" : $"answered HTTP {status.ToString(CultureInfo.InvariantCulture)} ({response.ReasonPhrase ?? response.StatusCode.ToString()})";
            var message = new StringBuilder($"{_kind} provider '{_provider}' {what}");
            if (detail.Length > 0)
            {
                message.Append(": ").Append(detail);
            }

            if (retryAfter is { } after)
            {
                message.Append(" (retry after ").Append(Durations.Format(after)).Append(')');
            }

            throw new ProviderException(_provider, _secrets.Redact(message.ToString()), status, retryAfter);
        }
    }

    /// <summary>Delta-seconds or an HTTP date; also the <c>retry-after-ms</c> some OpenAI-compatible servers send.</summary>
    internal static TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("retry-after-ms", out var msValues)
            && double.TryParse(string.Join(",", msValues), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        if (response.Headers.RetryAfter is { } header)
        {
            if (header.Delta is { } delta)
            {
                return delta;
            }

            if (header.Date is { } date)
            {
                var wait = date - DateTimeOffset.UtcNow;
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }
        }

        return null;
    }

    /// <summary>The error message in the body: OpenAI's and Anthropic's <c>error.message</c>, Ollama's <c>error</c>, else the text itself, shortened.</summary>
    private static async Task<string> ErrorDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return string.Empty;
        }

        body = body.Trim();
        if (body.Length == 0)
        {
            return string.Empty;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String)
                {
                    return Shorten(error.GetString()!);
                }

                if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    return Shorten(message.GetString()!);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, say): show the start of the text.
        }

        return Shorten(body);
    }

    private static string Shorten(string text)
    {
        text = text.ReplaceLineEndings(" ").Trim();
        return text.Length <= MaxErrorBodyChars ? text : string.Concat(text.AsSpan(0, MaxErrorBodyChars), "...");
    }
}
