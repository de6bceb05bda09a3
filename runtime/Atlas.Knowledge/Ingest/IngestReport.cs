using System;
using System.Collections.Generic;

namespace Atlas.Knowledge;

/// <summary>A file that was not ingested, and why (unreadable, binary, empty, too large...).</summary>
public sealed record IngestSkip(string Source, string Reason);

/// <summary>Progress after each file: <see cref="Outcome"/> is added | updated | unchanged | skipped | removed.</summary>
public sealed record IngestProgress(int FilesDone, int FilesTotal, string Source, string Outcome, int ChunksWritten);

/// <summary>What one ingest did. <see cref="Rebuilt"/>: the store had another embedder and was emptied first.</summary>
public sealed record IngestReport(
    int Added,
    int Updated,
    int Unchanged,
    int Removed,
    int ChunksWritten,
    IReadOnlyList<IngestSkip> Skipped,
    bool Rebuilt,
    TimeSpan Elapsed)
{
    /// <summary>The <c>sources</c> globs that matched no file (a typo such as <c>dosc/*.md</c>, or a folder not there).</summary>
    public IReadOnlyList<string> UnmatchedSources { get; init; } = [];
}
