using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.FileSystemGlobbing;

namespace Atlas.Runtime;

/// <summary>
/// The built-in knowledge store: the files matching a knowledge base's source globs, split into
/// paragraph chunks of about <c>ChunkSize</c> tokens (four characters a token), ranked by BM25 over
/// lowercase words. Each passage carries its file (relative path, '/' separated) and the nearest
/// Markdown heading above it. Every search mode ranks by keywords here.
/// </summary>
/// <remarks>
/// Files are read once, on the first search (later edits are not seen). Thread-safe.
/// </remarks>
public sealed partial class FileKeywordKnowledgeBase : IKnowledgeBase
{
    private readonly KnowledgeDescriptor _descriptor;
    private readonly string _baseDirectory;
    private readonly Lazy<Task<Index>> _index;

    public FileKeywordKnowledgeBase(KnowledgeDescriptor descriptor, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentException.ThrowIfNullOrWhiteSpace(baseDirectory);
        _descriptor = descriptor;
        _baseDirectory = Path.GetFullPath(baseDirectory);
        _index = new Lazy<Task<Index>>(() => BuildAsync(CancellationToken.None), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public async Task<IReadOnlyList<Passage>> SearchAsync(string query, SearchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(options);
        var index = await _index.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        var terms = Tokenize(query).Distinct(StringComparer.Ordinal).ToList();
        if (terms.Count == 0 || index.Chunks.Count == 0)
        {
            return [];
        }

        var scored = new List<(Chunk Chunk, double Score)>();
        foreach (var chunk in index.Chunks)
        {
            if (options.Where is { Count: > 0 } where && !MetadataPattern.MatchesAll(where, chunk.Metadata))
            {
                continue;
            }

            double score = 0;
            foreach (var term in terms)
            {
                if (!chunk.Frequencies.TryGetValue(term, out var tf) || !index.DocumentFrequency.TryGetValue(term, out var df))
                {
                    continue;
                }

                score += Bm25.TermScore(tf, df, index.Chunks.Count, chunk.Length, index.AverageLength);
            }

            if (score > 0 && (options.MinScore is not { } min || score >= min))
            {
                scored.Add((chunk, score));
            }
        }

        return scored
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.Chunk.Order)
            .Take(Math.Max(1, options.Top))
            .Select(s => new Passage(s.Chunk.Text, s.Chunk.Source, Math.Round(s.Score, 4), s.Chunk.Heading, Metadata: s.Chunk.Metadata))
            .ToList();
    }

    internal static IEnumerable<string> Tokenize(string text) =>
        WordRegex().Matches(text).Select(m => m.Value.ToLowerInvariant());

    private async Task<Index> BuildAsync(CancellationToken cancellationToken)
    {
        var matcher = new Matcher(StringComparison.OrdinalIgnoreCase);
        foreach (var source in _descriptor.Sources)
        {
            matcher.AddInclude(source.Replace('\\', '/'));
        }

        var files = Directory.Exists(_baseDirectory)
            ? matcher.GetResultsInFullPath(_baseDirectory).Order(StringComparer.Ordinal).ToList()
            : new List<string>();
        var maxChars = Math.Max(200, (_descriptor.ChunkSize > 0 ? _descriptor.ChunkSize : 800) * 4);
        var chunks = new List<Chunk>();
        foreach (var file in files)
        {
            var text = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
            var source = Path.GetRelativePath(_baseDirectory, file).Replace('\\', '/');
            foreach (var (chunkText, heading) in Split(text, maxChars))
            {
                var words = Tokenize(chunkText).ToList();
                if (words.Count == 0)
                {
                    continue;
                }

                var frequencies = words.GroupBy(w => w, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
                chunks.Add(new Chunk(chunks.Count, chunkText, source, heading, words.Count, frequencies, MetadataOf(source, heading)));
            }
        }

        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var chunk in chunks)
        {
            foreach (var term in chunk.Frequencies.Keys)
            {
                documentFrequency[term] = documentFrequency.GetValueOrDefault(term) + 1;
            }
        }

        var average = chunks.Count == 0 ? 1 : chunks.Average(c => c.Length);
        return new Index(chunks, documentFrequency, average);
    }

    /// <summary>Paragraphs (blank-line separated) packed into chunks up to <paramref name="maxChars"/>; a new heading starts a new chunk.</summary>
    internal static IEnumerable<(string Text, string? Heading)> Split(string text, int maxChars)
    {
        var current = new StringBuilder();
        string? heading = null;
        string? chunkHeading = null;
        foreach (var paragraph in ParagraphRegex().Split(text.Replace("\r\n", "\n", StringComparison.Ordinal)))
        {
            var trimmed = paragraph.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            var headingMatch = HeadingRegex().Match(trimmed);
            var startsSection = headingMatch.Success;
            if (current.Length > 0 && (startsSection || current.Length + trimmed.Length + 2 > maxChars))
            {
                yield return (current.ToString(), chunkHeading);
                current.Clear();
            }

            if (startsSection)
            {
                heading = headingMatch.Groups["title"].Value.Trim();
            }

            if (current.Length == 0)
            {
                chunkHeading = heading;
            }

            // A single paragraph longer than a chunk is cut at word boundaries.
            var rest = trimmed;
            while (rest.Length > maxChars)
            {
                var cut = rest.LastIndexOf(' ', maxChars);
                cut = cut <= 0 ? maxChars : cut;
                if (current.Length > 0)
                {
                    yield return (current.ToString(), chunkHeading);
                    current.Clear();
                }

                yield return (rest[..cut].Trim(), heading);
                rest = rest[cut..].Trim();
                chunkHeading = heading;
            }

            if (rest.Length > 0)
            {
                if (current.Length > 0)
                {
                    current.Append("\n\n");
                }

                current.Append(rest);
            }
        }

        if (current.Length > 0)
        {
            yield return (current.ToString(), chunkHeading);
        }
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+", RegexOptions.CultureInvariant)]
    private static partial Regex WordRegex();

    [GeneratedRegex(@"\n[ \t]*\n|\n(?=#)", RegexOptions.CultureInvariant)]
    private static partial Regex ParagraphRegex();

    [GeneratedRegex(@"^#{1,6}[ \t]+(?<title>[^\n]+)", RegexOptions.CultureInvariant)]
    private static partial Regex HeadingRegex();

    // The keys Atlas.Knowledge's stores record too, so `where` filters mean the same on every store.
    private static Dictionary<string, string> MetadataOf(string source, string? heading)
    {
        var extension = Path.GetExtension(source).TrimStart('.').ToLowerInvariant();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["source"] = source,
            ["extension"] = extension,
            ["format"] = extension switch { "md" or "markdown" => "markdown", "html" or "htm" => "html", _ => "text" },
        };
        if (heading is not null)
        {
            metadata["heading"] = heading;
        }

        return metadata;
    }

    private sealed record Chunk(int Order, string Text, string Source, string? Heading, int Length, Dictionary<string, int> Frequencies, IReadOnlyDictionary<string, string> Metadata);

    private sealed record Index(IReadOnlyList<Chunk> Chunks, Dictionary<string, int> DocumentFrequency, double AverageLength);
}
