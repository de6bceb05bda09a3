using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Atlas.Runtime;
using Microsoft.ML.Tokenizers;

namespace Atlas.Knowledge;

/// <summary>
/// Cuts text into chunks of at most <see cref="ChunkingOptions.Size"/> tokens, counted with a
/// Microsoft.ML.Tokenizers <see cref="Tokenizer"/>:
/// <list type="bullet">
/// <item><c>fixed</c> — windows of whole words up to the size, each starting <c>overlap</c> tokens before the previous one ended;</item>
/// <item><c>recursive</c> — paragraphs, then sentences, then words, packed up to the size, with up to <c>overlap</c> tokens of trailing pieces repeated;</item>
/// <item><c>markdown</c> — one section per heading (code fences respected), the heading path "A > B" kept; a section over the size is cut recursively.</item>
/// </list>
/// A single word longer than the size becomes a chunk of its own (never split mid-word).
/// </summary>
/// <remarks>Thread-safe if the tokenizer is (Microsoft.ML.Tokenizers tokenizers are).</remarks>
public sealed partial class TextChunker
{
    private readonly Tokenizer _tokenizer;
    private readonly ChunkingOptions _options;

    /// <summary>A chunker for <paramref name="options"/>, counting tokens with <paramref name="tokenizer"/>.</summary>
    /// <param name="options">The strategy, size and overlap; validated here.</param>
    /// <param name="tokenizer">Counts tokens; use the embedder's own where it has one, else <see cref="DefaultTokenizer"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="tokenizer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="ChunkingOptions.Validate"/>).</exception>
    public TextChunker(ChunkingOptions options, Tokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tokenizer);
        _options = options.Validate();
        _tokenizer = tokenizer;
    }

    /// <summary>The default token counter when the embedder brings none: OpenAI's cl100k_base (Microsoft.ML.Tokenizers.Data.Cl100kBase).</summary>
    public static Tokenizer DefaultTokenizer => DefaultTokenizerHolder.Instance;

    /// <summary>The strategy, size and overlap this chunker cuts with.</summary>
    public ChunkingOptions Options => _options;

    /// <summary>Chunks <paramref name="text"/> whose format is markdown | text | html (only markdown changes how <c>markdown</c> works).</summary>
    /// <param name="text">The document's text.</param>
    /// <param name="format">The document's format: with the <c>markdown</c> strategy, only <c>markdown</c> is cut by headings.</param>
    /// <returns>The chunks in document order, numbered from 0; none for empty text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public IReadOnlyList<TextChunk> Chunk(string text, string format = "markdown")
    {
        ArgumentNullException.ThrowIfNull(text);
        var pieces = _options.Strategy switch
        {
            ChunkingStrategy.Fixed => Pack(Words(text), _options.Overlap).Select(t => (t, (string?)null)),
            ChunkingStrategy.Recursive => Pack(SplitRecursive(text, 0), _options.Overlap).Select(t => (t, (string?)null)),
            _ => format == "markdown" ? ChunkMarkdown(text) : Pack(SplitRecursive(text, 0), _options.Overlap).Select(t => (t, (string?)null)),
        };
        var chunks = new List<TextChunk>();
        foreach (var (piece, heading) in pieces)
        {
            var trimmed = piece.Trim();
            if (trimmed.Length > 0)
            {
                chunks.Add(new TextChunk(chunks.Count, trimmed, Count(trimmed), heading));
            }
        }

        return chunks;
    }

    internal int Count(string text) => _tokenizer.CountTokens(text);

    private IEnumerable<(string, string?)> ChunkMarkdown(string text)
    {
        var path = new List<(int Level, string Title)>();
        var body = new StringBuilder();
        string? heading = null;
        var inFence = false;
        foreach (var line in text.Split('\n'))
        {
            if (FenceRegex().IsMatch(line))
            {
                inFence = !inFence;
            }

            var match = inFence ? Match.Empty : HeadingRegex().Match(line);
            if (!match.Success)
            {
                body.Append(line).Append('\n');
                continue;
            }

            foreach (var piece in Section(body.ToString(), heading))
            {
                yield return piece;
            }

            body.Clear();
            var level = match.Groups["hashes"].Length;
            path.RemoveAll(h => h.Level >= level);
            path.Add((level, match.Groups["title"].Value.Trim().TrimEnd('#').Trim()));
            heading = string.Join(" > ", path.Select(h => h.Title));
        }

        foreach (var piece in Section(body.ToString(), heading))
        {
            yield return piece;
        }
    }

    private IEnumerable<(string, string?)> Section(string body, string? heading)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            yield break;
        }

        foreach (var piece in Pack(SplitRecursive(body, 0), _options.Overlap))
        {
            yield return (piece, heading);
        }
    }

    // Separators from coarse to fine; each piece keeps its trailing separator so packing restores the text.
    private List<(string Text, int Tokens)> SplitRecursive(string text, int level)
    {
        var tokens = Count(text);
        if (tokens <= _options.Size)
        {
            return [(text, tokens)];
        }

        if (level >= 2)
        {
            return Words(text);
        }

        var parts = (level == 0 ? ParagraphRegex() : SentenceRegex()).Split(text);
        if (parts.Length <= 1)
        {
            return SplitRecursive(text, level + 1);
        }

        var result = new List<(string, int)>();
        foreach (var part in parts)
        {
            if (part.Length > 0)
            {
                result.AddRange(SplitRecursive(part, level + 1));
            }
        }

        return result;
    }

    private List<(string Text, int Tokens)> Words(string text) =>
        WordRegex().Matches(text).Select(m => (m.Value, Count(m.Value))).ToList();

    // Greedy packing up to Size; a new chunk starts with the trailing pieces of the previous one worth at most `overlap` tokens.
    private IEnumerable<string> Pack(List<(string Text, int Tokens)> pieces, int overlap)
    {
        var current = new List<(string Text, int Tokens)>();
        var total = 0;
        var fresh = 0; // pieces in `current` that are not overlap carried from the previous chunk
        foreach (var piece in pieces)
        {
            if (current.Count > 0 && total + piece.Tokens > _options.Size && fresh > 0)
            {
                yield return string.Concat(current.Select(p => p.Text));
                var carried = new List<(string Text, int Tokens)>();
                var carriedTokens = 0;
                for (var i = current.Count - 1; i >= 0 && carriedTokens + current[i].Tokens <= overlap; i--)
                {
                    carried.Insert(0, current[i]);
                    carriedTokens += current[i].Tokens;
                }

                // The overlap may not leave the next piece without room.
                while (carried.Count > 0 && carriedTokens + piece.Tokens > _options.Size)
                {
                    carriedTokens -= carried[0].Tokens;
                    carried.RemoveAt(0);
                }

                current = carried;
                total = carriedTokens;
                fresh = 0;
            }

            current.Add(piece);
            total += piece.Tokens;
            fresh++;
        }

        if (fresh > 0)
        {
            yield return string.Concat(current.Select(p => p.Text));
        }
    }

    [GeneratedRegex(@"(?<=\n[ \t]*\n)", RegexOptions.CultureInvariant)]
    private static partial Regex ParagraphRegex();

    [GeneratedRegex(@"(?<=[.!?。][""')\]]*\s+)", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceRegex();

    [GeneratedRegex(@"\S+\s*", RegexOptions.CultureInvariant)]
    private static partial Regex WordRegex();

    [GeneratedRegex(@"^(?<hashes>#{1,6})[ \t]+(?<title>.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex HeadingRegex();

    [GeneratedRegex(@"^[ \t]*(```|~~~)", RegexOptions.CultureInvariant)]
    private static partial Regex FenceRegex();

    private static class DefaultTokenizerHolder
    {
        internal static readonly Tokenizer Instance = TiktokenTokenizer.CreateForEncoding("cl100k_base");
    }
}
