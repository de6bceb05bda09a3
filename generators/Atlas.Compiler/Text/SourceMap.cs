using System;
using System.Collections.Generic;
using System.Collections.Immutable;

namespace Atlas.Compiler.Text;

/// <summary>
/// Maps each character of a decoded string (escapes resolved, indentation removed) back to its
/// offset in the source file, so errors inside string contents (templates, YAML expressions)
/// point at the right line and column. Stored as runs of consecutive characters.
/// </summary>
public sealed class SourceMap
{
    private readonly ImmutableArray<Run> _runs;

    private SourceMap(ImmutableArray<Run> runs, int length)
    {
        _runs = runs;
        Length = length;
    }

    /// <summary>The length of the decoded string.</summary>
    public int Length { get; }

    /// <summary>A string whose characters sit one after the other in the file from <paramref name="fileOffset"/>.</summary>
    public static SourceMap Contiguous(int fileOffset, int length) =>
        new(ImmutableArray.Create(new Run(0, fileOffset, length)), length);

    public int ToFileOffset(int index)
    {
        if (_runs.IsEmpty) return 0;
        if (index < 0) index = 0;
        // Binary search for the last run starting at or before index: a multi-line string has a
        // run per line, and templates look up every tag, so a linear scan made checking quadratic.
        int low = 0, high = _runs.Length - 1;
        while (low < high)
        {
            int middle = low + ((high - low + 1) / 2);
            if (_runs[middle].Index <= index) low = middle;
            else high = middle - 1;
        }
        Run run = _runs[low];
        return run.FileOffset + (index - run.Index);
    }

    public TextSpan ToFileSpan(int index, int length)
    {
        int start = ToFileOffset(index);
        if (length <= 0) return new TextSpan(start, 0);
        int last = ToFileOffset(index + length - 1);
        return TextSpan.FromBounds(start, Math.Max(start, last) + 1);
    }

    private readonly record struct Run(int Index, int FileOffset, int Length);

    /// <summary>Builds a map one decoded character at a time.</summary>
    public sealed class Builder
    {
        private readonly List<Run> _runs = new();
        private int _length;

        /// <summary>Record that the next decoded character came from <paramref name="fileOffset"/>.</summary>
        public void Add(int fileOffset)
        {
            if (_runs.Count > 0)
            {
                var last = _runs[_runs.Count - 1];
                if (last.FileOffset + last.Length == fileOffset && last.Index + last.Length == _length)
                {
                    _runs[_runs.Count - 1] = last with { Length = last.Length + 1 };
                    _length++;
                    return;
                }
            }
            _runs.Add(new Run(_length, fileOffset, 1));
            _length++;
        }

        public SourceMap ToSourceMap(int fallbackOffset) =>
            _runs.Count == 0 ? Contiguous(fallbackOffset, 0) : new SourceMap(_runs.ToImmutableArray(), _length);
    }
}
