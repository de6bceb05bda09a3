using System;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atlas.Cli;

/// <summary>JSON in and out of the command line: <c>--input</c> values, results, batch lines.</summary>
internal static class JsonText
{
    /// <summary>Results as people read them: indented, non-ASCII text left as it is.</summary>
    public static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One value a line (JSON lines).</summary>
    public static readonly JsonSerializerOptions Compact = new()
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    public static string Format(JsonNode? value, bool indented) =>
        value is null ? "null" : value.ToJsonString(indented ? Indented : Compact);

    /// <summary>Parses one JSON value (an object, a list, a string, ...).</summary>
    /// <exception cref="JsonException">The text is not one valid JSON value.</exception>
    public static JsonNode? Parse(string text) => JsonNode.Parse(text, NodeOptions, DocumentOptions);

    /// <summary>Parses one JSON value from UTF-8 bytes, without making a string of them first.</summary>
    /// <exception cref="JsonException">The bytes are not one valid JSON value.</exception>
    /// <remarks>Check the bytes are valid UTF-8 first (<see cref="InputFiles.FindInvalidUtf8"/>): System.Text.Json finds bad bytes inside strings only when it reads them.</remarks>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8) => JsonNode.Parse(utf8, NodeOptions, DocumentOptions);

    /// <summary>
    /// The value of an option that takes JSON: the JSON itself, or <c>@path</c> to read it from a file (a regular file of
    /// at most <see cref="InputFiles.MaxBytes"/>, UTF-8, parsed from its bytes).
    /// </summary>
    /// <exception cref="UsageException">The file cannot be read, is too large or not UTF-8, or the text is not valid JSON.</exception>
    public static JsonNode? ReadOption(string text, string commandName, string optionName)
    {
        try
        {
            if (!text.StartsWith('@')) return Parse(text);
            var path = text[1..];
            var bytes = InputFiles.ReadBytes(path, $"{optionName} file '{path}'", "an input", commandName);
            return Parse(InputFiles.RequireUtf8(bytes, path, commandName));
        }
        catch (JsonException ex)
        {
            var where = text.StartsWith('@') ? $" in '{text[1..]}'" : "";
            throw new UsageException($"{commandName}: {optionName} is not valid JSON{where}: {OneLine(ex.Message)}");
        }
    }

    /// <summary>An exception message on one line (System.Text.Json's messages span lines).</summary>
    public static string OneLine(string message) =>
        message.ReplaceLineEndings(" ").Trim();
}
