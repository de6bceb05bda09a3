using System;
using System.Collections.Generic;

namespace Atlas.Compiler.Text;

/// <summary>
/// The text of one <c>.atlas</c> or <c>.atlas.yaml</c> file with a line table, so offsets become
/// 1-based line and column. Immutable and safe to share between threads.
/// </summary>
public sealed class SourceFile
{
    private readonly int[] _lineStarts;

    public SourceFile(string path, string text)
    {
        Path = path ?? throw new ArgumentNullException(nameof(path));
        Text = text ?? throw new ArgumentNullException(nameof(text));
        _lineStarts = ComputeLineStarts(text);
    }

    public string Path { get; }

    public string Text { get; }

    private static readonly string[] AtlasExtensions = { ".atlas", ".atlas.yaml", ".atlas.yml" };

    /// <summary>
    /// True for an Atlas source file name or path: <c>*.atlas</c>, <c>*.atlas.yaml</c> or <c>*.atlas.yml</c>,
    /// with something before the extension (a file named just <c>.atlas</c> is not one). The generator
    /// and the CLI both ask this, so they pick the same files.
    /// </summary>
    public static bool IsAtlasFileName(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        foreach (var extension in AtlasExtensions)
        {
            if (name.Length > extension.Length && name.EndsWith(extension, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>True for the YAML form (<c>*.atlas.yaml</c> / <c>*.atlas.yml</c>).</summary>
    public bool IsYaml => Path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
                          || Path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    public int LineCount => _lineStarts.Length;

    /// <summary>The 1-based line and column of a 0-based offset (clamped to the text).</summary>
    public LinePosition GetLinePosition(int offset)
    {
        if (offset < 0) offset = 0;
        if (offset > Text.Length) offset = Text.Length;
        int index = Array.BinarySearch(_lineStarts, offset);
        int line = index >= 0 ? index : ~index - 1;
        return new LinePosition(line + 1, offset - _lineStarts[line] + 1);
    }

    /// <summary>The 0-based offset of a 1-based line and column (clamped to the text).</summary>
    public int GetOffset(int line, int column)
    {
        if (line < 1) return 0;
        if (line > _lineStarts.Length) return Text.Length;
        int offset = _lineStarts[line - 1] + Math.Max(0, column - 1);
        return Math.Min(offset, Text.Length);
    }

    public Location GetLocation(TextSpan span) =>
        new(Path, span, GetLinePosition(span.Start), GetLinePosition(span.End));

    public string GetText(TextSpan span)
    {
        int start = Math.Max(0, Math.Min(span.Start, Text.Length));
        int end = Math.Max(start, Math.Min(span.End, Text.Length));
        return Text.Substring(start, end - start);
    }

    private static int[] ComputeLineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\r')
            {
                if (i + 1 < text.Length && text[i + 1] == '\n') i++;
                starts.Add(i + 1);
            }
            else if (c == '\n')
            {
                starts.Add(i + 1);
            }
        }
        return starts.ToArray();
    }
}
