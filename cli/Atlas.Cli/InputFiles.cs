using System;
using System.IO;
using System.Text;
using System.Text.Unicode;
using Atlas.Interpreter;

namespace Atlas.Cli;

/// <summary>
/// Every file the CLI reads from outside — Atlas sources, <c>--input @file</c>, <c>--batch</c>, <c>--tools</c>:
/// regular files only (a FIFO would block, <c>/dev/zero</c> never ends), of bounded size, decoded as strict UTF-8.
/// Each problem is a <see cref="UsageException"/> of one line (exit 2).
/// </summary>
internal static class InputFiles
{
    /// <summary>The most the CLI reads of an Atlas file, an <c>--input</c> file or one batch line: 16 MB, far beyond any model's context window.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    /// <summary><see cref="MaxBytes"/> as messages and help say it.</summary>
    public const string MaxText = "16 MB";

    /// <summary>The limit's object in messages about Atlas files.</summary>
    public const string SourceLimitFor = "an Atlas file";

    /// <summary>
    /// The status of <paramref name="path"/>, which must be a regular file (links followed); checked without opening it.
    /// <paramref name="what"/> names it in messages: <c>'flow.atlas'</c>, <c>--input file 'ticket.json'</c>.
    /// </summary>
    /// <exception cref="UsageException">It is missing, a directory, a FIFO, a device or a socket.</exception>
    public static FileStatus RequireRegularFile(string path, string what, string commandName)
    {
        var status = FileStatus.Of(path);
        return status.Kind switch
        {
            FileKind.Regular => status,
            FileKind.Missing => throw new UsageException($"{commandName}: {what} does not exist"),
            _ => throw new UsageException($"{commandName}: {what} is not a regular file (it is {FileStatus.Describe(status.Kind)})"),
        };
    }

    /// <summary>The bytes of a regular file of at most <see cref="MaxBytes"/>; reads no more than that even if the file grows meanwhile.</summary>
    /// <exception cref="UsageException">Not a regular file, too large, or unreadable.</exception>
    public static byte[] ReadBytes(string path, string what, string limitFor, string commandName)
    {
        var status = RequireRegularFile(path, what, commandName);
        if (status.Size > MaxBytes) throw TooLarge(what, limitFor, commandName);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            var buffer = new byte[Math.Min(MaxBytes + 1, Math.Max(status.Size + 1, 4096))];
            int length = 0, read;
            while ((read = stream.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
                if (length > MaxBytes) throw TooLarge(what, limitFor, commandName);
                if (length == buffer.Length) Array.Resize(ref buffer, (int)Math.Min(MaxBytes + 1L, buffer.Length * 2L));
            }

            return buffer.AsSpan(0, length).ToArray();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new UsageException($"{commandName}: cannot read {what}: {JsonText.OneLine(ex.Message)}");
        }
    }

    /// <summary>
    /// The text of a regular file of at most <see cref="MaxBytes"/>: UTF-8 (a byte-order mark is skipped; UTF-16 and
    /// UTF-32 with their marks are read too). <paramref name="displayPath"/> is the path as the user gave it.
    /// </summary>
    /// <exception cref="UsageException">Not a regular file, too large, unreadable, or not valid UTF-8 (the message gives the first bad byte's line and column).</exception>
    public static string ReadText(string path, string displayPath, string limitFor, string commandName)
    {
        var bytes = ReadBytes(path, $"'{displayPath}'", limitFor, commandName);
        return Decode(bytes, displayPath, commandName);
    }

    /// <summary>Opens a regular file for reading a stream of lines (any size: the reader bounds each line).</summary>
    /// <exception cref="UsageException">Not a regular file, or unreadable.</exception>
    public static FileStream OpenRead(string path, string what, string commandName)
    {
        RequireRegularFile(path, what, commandName);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new UsageException($"{commandName}: cannot read {what}: {JsonText.OneLine(ex.Message)}");
        }
    }

    /// <summary>
    /// <paramref name="bytes"/> without a UTF-8 byte-order mark, checked to be UTF-8; <paramref name="displayPath"/> names the
    /// file in the message. UTF-16 and UTF-32 text with a byte-order mark is not UTF-8: <see cref="Decode"/> reads it.
    /// </summary>
    /// <exception cref="UsageException">Not valid UTF-8: <c>atlas check: flow.atlas(3,14): invalid UTF-8 byte 0xE9; save the file as UTF-8</c>.</exception>
    public static ReadOnlySpan<byte> RequireUtf8(ReadOnlySpan<byte> bytes, string displayPath, string commandName)
    {
        if (bytes.StartsWith(Utf8Bom)) bytes = bytes[Utf8Bom.Length..];
        if (FindInvalidUtf8(bytes) is { } bad) throw InvalidUtf8(bytes, bad, displayPath, commandName);
        return bytes;
    }

    /// <summary>The offset of the first byte that is not part of valid UTF-8 in <paramref name="bytes"/>, or null.</summary>
    public static int? FindInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes)) return null;
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done) return offset;
            offset += consumed;
        }

        return null;
    }

    /// <summary>The 1-based line and column (in UTF-16 characters, as diagnostics count) of <paramref name="offset"/>, which follows only valid UTF-8.</summary>
    public static (int Line, int Column) Position(ReadOnlySpan<byte> bytes, int offset)
    {
        var before = bytes[..offset];
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        var line = before.Count((byte)'\n') + 1;
        return (line, Encoding.UTF8.GetCharCount(before[lineStart..]) + 1);
    }

    /// <summary>What an invalid byte is called in messages: <c>invalid UTF-8 byte 0xE9</c>.</summary>
    public static string InvalidByte(ReadOnlySpan<byte> bytes, int offset) => $"invalid UTF-8 byte 0x{bytes[offset]:X2}";

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static string Decode(byte[] bytes, string displayPath, string commandName)
    {
        // The byte-order marks File.ReadAllText honoured; without one, the text must be UTF-8.
        ReadOnlySpan<byte> span = bytes;
        (Encoding? other, int mark) = span switch
        {
            [0xFF, 0xFE, 0x00, 0x00, ..] => (new UTF32Encoding(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: true), 4),
            [0x00, 0x00, 0xFE, 0xFF, ..] => (new UTF32Encoding(bigEndian: true, byteOrderMark: false, throwOnInvalidCharacters: true), 4),
            [0xFF, 0xFE, ..] => (new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), 2),
            [0xFE, 0xFF, ..] => (new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), 2),
            _ => ((Encoding?)null, 0),
        };
        if (other is null) return Encoding.UTF8.GetString(RequireUtf8(span, displayPath, commandName));
        try
        {
            return other.GetString(span[mark..]);
        }
        catch (DecoderFallbackException)
        {
            throw new UsageException($"{commandName}: '{displayPath}' starts with a {other.WebName} byte-order mark but is not valid {other.WebName}");
        }
    }

    private static UsageException InvalidUtf8(ReadOnlySpan<byte> bytes, int offset, string displayPath, string commandName)
    {
        var (line, column) = Position(bytes, offset);
        return new UsageException($"{commandName}: {displayPath}({line},{column}): {InvalidByte(bytes, offset)}; save the file as UTF-8");
    }

    private static UsageException TooLarge(string what, string limitFor, string commandName) =>
        new($"{commandName}: {what} is larger than {MaxText}, the limit for {limitFor}");
}
