using System;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>
/// The HTTP handler under every remote provider's client library. An error status becomes a
/// <see cref="ProviderException"/> here, the same way for all libraries: it names the provider,
/// carries the status and the <c>Retry-After</c> delay (for 429 and 503), and the server's own
/// error message (from at most <see cref="ProviderLimits.MaxErrorBodyBytes"/> of the body) with any API
/// key blanked out. The libraries never see the error response, so their differing exception types
/// (and whatever they copy into messages) never reach the caller. A successful body is handed on as a
/// <see cref="ProviderResponseStream"/>: size limits, timeouts, error events inside a stream.
/// </summary>
/// <remarks>
/// Every request is bounded (<see cref="ProviderRequest.ReadLimit"/>): by the provider's declared <c>timeout</c>
/// from sending to the reply's last byte, or else by <see cref="ProviderLimits.FirstByteTimeout"/> for the reply to
/// start and <see cref="ProviderLimits.IdleTimeout"/> between its chunks; on the runtime's <see cref="TimeProvider"/>.
/// </remarks>
internal sealed class ProviderHttpHandler : DelegatingHandler
{
    private static readonly AsyncLocal<CancellationToken> CallTokenSlot = new();
    private readonly string _provider;
    private readonly string _kind;
    private readonly SecretRedactor _secrets;
    private readonly TimeProvider _time;
    private readonly TimeSpan? _timeout;

    public ProviderHttpHandler(ProviderDescriptor descriptor, SecretRedactor secrets, TimeProvider time, HttpMessageHandler inner)
        : base(inner)
    {
        _provider = descriptor.Name;
        _kind = ProviderKinds.Spelling(descriptor.Kind);
        _secrets = secrets;
        _time = time;
        _timeout = descriptor.Timeout > ProviderLimits.MaxTimeout ? ProviderLimits.MaxTimeout : descriptor.Timeout;
    }

    /// <summary>
    /// The cancellation token of the chat call in progress on this async flow, set by
    /// <see cref="ProviderErrorsChatClient"/> before it calls into a library: response bodies are read under it.
    /// </summary>
    public static CancellationToken CallToken
    {
        get => CallTokenSlot.Value;
        set => CallTokenSlot.Value = value;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = new ProviderRequest(_provider, _kind, _secrets, _time, _timeout);
        using var timer = new CancellationTokenSource(call.ReadLimit(), _time);
        using var linked = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timer);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, timer.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException && timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw call.Expired();
        }

        if (response.IsSuccessStatusCode)
        {
            try
            {
                await ProviderResponseStream.WrapAsync(response, CallToken, call, timer.Token).ConfigureAwait(false);
            }
            catch
            {
                response.Dispose();
                throw;
            }

            return response;
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var retryAfter = RetryAfterOf(response);
            string detail;
            try
            {
                detail = await ErrorDetailAsync(response, timer.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // A server that sends its error status and then trickles the body: the status is what matters.
                detail = string.Empty;
            }

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

    /// <summary>Delta-seconds or an HTTP date (in whole seconds); also the <c>retry-after-ms</c> some OpenAI-compatible servers send.</summary>
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
                return wait < TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Ceiling(wait.TotalSeconds));
            }
        }

        return null;
    }

    /// <summary>
    /// The error message in the body: OpenAI's and Anthropic's <c>error.message</c>, Ollama's <c>error</c>, else the text
    /// itself, shortened. At most <see cref="ProviderLimits.MaxErrorBodyBytes"/> are read: an endless body is cut there.
    /// </summary>
    private static async Task<string> ErrorDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = new byte[ProviderLimits.MaxErrorBodyBytes];
        var length = 0;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            int read;
            while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // A body cut short: show what came.
        }

        return ProviderErrors.Parse(Encoding.UTF8.GetString(buffer, 0, length)).Message;
    }
}
