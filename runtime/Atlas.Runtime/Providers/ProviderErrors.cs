using System;
using System.Globalization;
using System.Text.Json;

namespace Atlas.Runtime;

/// <summary>
/// What a provider's error says, in the shapes the three wire formats use: OpenAI's
/// <c>{"error": {"message", "type", "code"}}</c>, Anthropic's <c>{"type": "error", "error": {"type", "message"}}</c>,
/// Ollama's <c>{"error": "..."}</c>; the same whether it came as an error response or as an event inside a 200 stream.
/// </summary>
internal static class ProviderErrors
{
    private const int MaxMessageChars = 2000;

    /// <summary>The message (shortened, on one line) and the code or type of an error body; the text itself when it is not such JSON.</summary>
    public static (string Message, string? Code) Parse(string body)
    {
        body = body.Trim();
        if (body.Length == 0)
        {
            return (string.Empty, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String)
                {
                    return (Shorten(error.GetString()!), null);
                }

                if (error.ValueKind == JsonValueKind.Object)
                {
                    var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : error.GetRawText();
                    return (Shorten(message), Text(error, "code") ?? Text(error, "type"));
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, say): show the start of the text.
        }

        return (Shorten(body), null);
    }

    /// <summary>
    /// The HTTP status an error event inside a 200 stream stands for, so retries, fallback and the circuit
    /// breaker treat it exactly like that status before the stream: 429 rate limit, 529 overloaded,
    /// 400 bad request, 401/403/404, 500 for any other failure. From the code or type (OpenAI's
    /// <c>rate_limit_exceeded</c>, Anthropic's <c>overloaded_error</c>, a numeric code), else from the message
    /// (Ollama sends only one).
    /// </summary>
    public static int StatusOf(string? code, string message)
    {
        if (code is not null && int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 400 and <= 599)
        {
            return number;
        }

        var text = (code ?? message).ToLowerInvariant();
        return text switch
        {
            _ when text.Contains("rate_limit", StringComparison.Ordinal) || text.Contains("rate limit", StringComparison.Ordinal) || text.Contains("too_many_requests", StringComparison.Ordinal) || text.Contains("too many requests", StringComparison.Ordinal) => 429,
            _ when text.Contains("overloaded", StringComparison.Ordinal) => 529,
            _ when text.Contains("unavailable", StringComparison.Ordinal) || text.Contains("busy", StringComparison.Ordinal) => 503,
            _ when text.Contains("authentication", StringComparison.Ordinal) || text.Contains("api_key", StringComparison.Ordinal) => 401,
            _ when text.Contains("permission", StringComparison.Ordinal) => 403,
            _ when text.Contains("not_found", StringComparison.Ordinal) => 404,
            _ when text.Contains("too_large", StringComparison.Ordinal) => 413,
            _ when text.Contains("invalid_request", StringComparison.Ordinal) || text.Contains("invalid request", StringComparison.Ordinal) || text.Contains("bad_request", StringComparison.Ordinal) || text.Contains("bad request", StringComparison.Ordinal) || text.Contains("context_length", StringComparison.Ordinal) => 400,
            _ when text.Contains("timeout", StringComparison.Ordinal) => 504,
            _ => 500,
        };
    }

    /// <summary>What an error of <paramref name="status"/> means, for a message: "is rate limited", "is overloaded", ...</summary>
    public static string Describe(int status) => status switch
    {
        429 => "is rate limited",
        529 or 503 => "is overloaded",
        400 or 413 or 422 => "rejected the request",
        401 or 403 => "refused the credentials",
        404 => "does not know the model",
        504 => "timed out",
        _ => "had a server error",
    };

    public static string Shorten(string text)
    {
        text = text.ReplaceLineEndings(" ").Trim();
        return text.Length <= MaxMessageChars ? text : string.Concat(text.AsSpan(0, MaxMessageChars), "...");
    }

    private static string? Text(JsonElement error, string name) =>
        error.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String when value.GetString() is { Length: > 0 } s => s,
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;
}
