using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Atlas.Knowledge;

/// <summary>
/// Reads a file into a <see cref="KnowledgeDocument"/>: Markdown and plain text as they are, HTML
/// stripped to text (scripts, styles and tags removed, entities decoded, block elements become
/// paragraph breaks), PDF as the words of each page (PdfPig; a page is a paragraph). Files that
/// cannot be ingested are rejected with a reason instead of an exception.
/// </summary>
public static partial class DocumentReader
{
    /// <summary>Files larger than this are rejected by default (16 MiB).</summary>
    public const long DefaultMaxBytes = 16L * 1024 * 1024;

    /// <summary>Reads <paramref name="fullPath"/>; on failure returns <see langword="null"/> and the reason in <paramref name="error"/>.</summary>
    /// <param name="fullPath">The file to read.</param>
    /// <param name="baseDirectory">The folder its source path is made relative to.</param>
    /// <param name="maxBytes">The largest file read (see <see cref="DefaultMaxBytes"/>); a larger one is rejected.</param>
    /// <param name="error">Why the file was rejected (too large, unreadable, binary, empty, not UTF-8, a PDF without text); <see langword="null"/> on success.</param>
    /// <returns>The document, or <see langword="null"/>.</returns>
    public static KnowledgeDocument? TryRead(string fullPath, string baseDirectory, long maxBytes, out string? error)
    {
        ArgumentNullException.ThrowIfNull(fullPath);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        var source = Path.GetRelativePath(baseDirectory, fullPath).Replace('\\', '/');
        byte[] bytes;
        try
        {
            var length = new FileInfo(fullPath).Length;
            if (length > maxBytes)
            {
                error = $"too large ({length:N0} bytes; the limit is {maxBytes:N0})";
                return null;
            }

            bytes = File.ReadAllBytes(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"unreadable: {e.Message}";
            return null;
        }

        return TryParse(source, bytes, out error);
    }

    /// <summary>Turns the bytes of <paramref name="source"/> into a document (format from its extension).</summary>
    /// <param name="source">The document's source path, <c>/</c>-separated; its extension decides the format.</param>
    /// <param name="bytes">The file's content.</param>
    /// <param name="error">Why it was rejected; <see langword="null"/> on success.</param>
    /// <returns>The document, or <see langword="null"/>.</returns>
    public static KnowledgeDocument? TryParse(string source, byte[] bytes, out string? error)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(bytes);
        if (FormatOf(source) == "pdf")
        {
            return TryParsePdf(source, bytes, out error);
        }

        if (LooksBinary(bytes))
        {
            error = "binary content (not text)";
            return null;
        }

        string raw;
        try
        {
            raw = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            error = "not valid UTF-8 text";
            return null;
        }

        var format = FormatOf(source);
        var text = format == "html" ? StripHtml(raw) : raw.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty";
            return null;
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [KnowledgeMetadata.Source] = source,
            [KnowledgeMetadata.Format] = format,
            [KnowledgeMetadata.Extension] = Path.GetExtension(source).TrimStart('.').ToLowerInvariant(),
        };
        if (format == "html" && TitleRegex().Match(raw) is { Success: true } title)
        {
            metadata[KnowledgeMetadata.Title] = WebUtility.HtmlDecode(title.Groups["t"].Value).Trim();
        }

        error = null;
        return new KnowledgeDocument(source, source, Convert.ToHexStringLower(SHA256.HashData(bytes)), format, text, metadata);
    }

    private static KnowledgeDocument? TryParsePdf(string source, byte[] bytes, out string? error)
    {
        var text = new StringBuilder();
        string? title;
        int pages;
        try
        {
            using var pdf = UglyToad.PdfPig.PdfDocument.Open(bytes);
            title = pdf.Information.Title;
            pages = pdf.NumberOfPages;
            foreach (var page in pdf.GetPages())
            {
                var words = string.Join(" ", System.Linq.Enumerable.Select(page.GetWords(), w => w.Text));
                if (words.Length > 0)
                {
                    text.Append(text.Length > 0 ? "\n\n" : "").Append(words);
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // PdfPig throws its own exception types (and others) on damaged or encrypted files.
            error = $"not a readable PDF: {e.Message}";
            return null;
        }

        if (text.Length == 0 || string.IsNullOrWhiteSpace(text.ToString()))
        {
            error = "no text (a scanned PDF needs OCR first)";
            return null;
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [KnowledgeMetadata.Source] = source,
            [KnowledgeMetadata.Format] = "pdf",
            [KnowledgeMetadata.Extension] = "pdf",
            [KnowledgeMetadata.Pages] = pages.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (!string.IsNullOrWhiteSpace(title))
        {
            metadata[KnowledgeMetadata.Title] = title.Trim();
        }

        error = null;
        return new KnowledgeDocument(source, source, Convert.ToHexStringLower(SHA256.HashData(bytes)), "pdf", text.ToString(), metadata);
    }

    /// <summary>markdown | html | pdf | text, from the file extension.</summary>
    /// <param name="path">A file path or name.</param>
    /// <returns>The format; <c>text</c> for an extension it does not know.</returns>
    public static string FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".md" or ".markdown" or ".mdx" => "markdown",
        ".html" or ".htm" or ".xhtml" => "html",
        ".pdf" => "pdf",
        _ => "text",
    };

    /// <summary>HTML to text: scripts, styles and comments dropped, block elements become blank lines, entities decoded.</summary>
    /// <param name="html">The HTML.</param>
    /// <returns>The text.</returns>
    public static string StripHtml(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var text = DropRegex().Replace(html, " ");
        text = BlockRegex().Replace(text, "\n\n");
        text = TagRegex().Replace(text, " ");
        text = WebUtility.HtmlDecode(text);
        text = SpacesRegex().Replace(text, " ");
        text = BlankLinesRegex().Replace(text, "\n\n");
        return text.Trim();
    }

    // A NUL byte in the first 8 KiB is what git and grep call binary too.
    private static bool LooksBinary(byte[] bytes) => bytes.AsSpan(0, Math.Min(bytes.Length, 8192)).IndexOf((byte)0) >= 0;

    [GeneratedRegex(@"<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<head\b[^>]*>.*?</head\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex DropRegex();

    [GeneratedRegex(@"<\s*(br|/?p|/?div|/?h[1-6]|/?li|/?ul|/?ol|/?tr|/?table|/?section|/?article|/?pre|/?blockquote)\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BlockRegex();

    [GeneratedRegex(@"<[^>]+>", RegexOptions.CultureInvariant)]
    private static partial Regex TagRegex();

    [GeneratedRegex(@"[ \t\f\v\u00A0]+", RegexOptions.CultureInvariant)]
    private static partial Regex SpacesRegex();

    [GeneratedRegex(@"\s*\n\s*\n\s*", RegexOptions.CultureInvariant)]
    private static partial Regex BlankLinesRegex();

    [GeneratedRegex(@"<title[^>]*>(?<t>.*?)</title\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex TitleRegex();
}
