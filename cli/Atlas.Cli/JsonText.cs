using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
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
    // A duplicate key is an error when parsing, not an ArgumentException when the object is first read.
    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, AllowDuplicateProperties = false };

    public static string Format(JsonNode? value, bool indented) =>
        value is null ? "null" : value.ToJsonString(indented ? Indented : Compact);

    /// <summary>Parses one JSON value (an object, a list, a string, ...).</summary>
    /// <exception cref="JsonException">The text is not one valid JSON value.</exception>
    public static JsonNode? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text, NodeOptions, DocumentOptions);
        }
        catch (JsonException) when (FindDuplicateKey(text) is { } duplicate)
        {
            // System.Text.Json names the key but not where it is.
            throw new JsonException(duplicate);
        }
    }

    /// <summary>
    /// <c>duplicate key 'id' at $.ticket.id (line 3, column 5)</c> for the first key repeated in one
    /// object of <paramref name="text"/>, or <see langword="null"/> when there is none (or the text is not JSON).
    /// </summary>
    internal static string? FindDuplicateKey(string text) => FindDuplicateKey(Encoding.UTF8.GetBytes(text));

    /// <inheritdoc cref="FindDuplicateKey(string)"/>
    internal static string? FindDuplicateKey(ReadOnlySpan<byte> bytes)
    {
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        // One frame per open object or array: the keys seen so far, or the index of the next element.
        var frames = new Stack<(string Path, HashSet<string>? Keys, int Index)>();
        string? property = null, duplicate = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString()!;
                        var (path, keys, _) = frames.Peek();
                        if (!keys!.Add(property) && duplicate is null)
                        {
                            var before = Encoding.UTF8.GetString(bytes[..(int)reader.TokenStartIndex]);
                            var line = before.AsSpan().Count('\n') + 1;
                            var column = before.Length - (before.LastIndexOf('\n') + 1) + 1;
                            duplicate = string.Create(CultureInfo.InvariantCulture, $"duplicate key '{OneLine(property)}' at {Member(path, property)} (line {line}, column {column})");
                        }
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        frames.Push((ValuePath(), reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null, 0));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.Pop();
                        Completed();
                        break;
                    default:
                        Completed();
                        break;
                }
            }

            // Only a text that is JSON but for the repeated key: otherwise the parser's own message says what is wrong.
            return duplicate;
        }
        catch (JsonException)
        {
            return null;
        }

        string ValuePath() =>
            frames.Count == 0 ? "$"
            : frames.Peek().Keys is null ? string.Create(CultureInfo.InvariantCulture, $"{frames.Peek().Path}[{frames.Peek().Index}]")
            : Member(frames.Peek().Path, property!);

        void Completed()
        {
            if (frames.Count > 0 && frames.Peek().Keys is null)
            {
                var top = frames.Pop();
                frames.Push(top with { Index = top.Index + 1 });
            }
        }
    }

    private static string Member(string path, string name) =>
        name.Length > 0 && name.AsSpan().IndexOfAnyExcept(IdentifierCharacters) < 0 ? path + "." + name : path + "['" + OneLine(name).Replace("'", "\\'", StringComparison.Ordinal) + "']";

    private static readonly System.Buffers.SearchValues<char> IdentifierCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

    /// <summary>Parses one JSON value from UTF-8 bytes, without making a string of them first.</summary>
    /// <exception cref="JsonException">The bytes are not one valid JSON value.</exception>
    /// <remarks>Check the bytes are valid UTF-8 first (<see cref="InputFiles.FindInvalidUtf8"/>): System.Text.Json finds bad bytes inside strings only when it reads them.</remarks>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return JsonNode.Parse(utf8, NodeOptions, DocumentOptions);
        }
        catch (JsonException) when (FindDuplicateKey(utf8) is { } duplicate)
        {
            throw new JsonException(duplicate);
        }
    }

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
