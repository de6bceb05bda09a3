using System;
using System.Collections.Generic;

namespace Atlas.Knowledge;

/// <summary>A file that was not ingested, and why (unreadable, binary, empty, too large...).</summary>
/// <param name="Source">The file's source path.</param>
/// <param name="Reason">Why it was skipped, in a few words (<c>binary content (not text)</c>).</param>
public sealed record IngestSkip(string Source, string Reason);

/// <summary>Progress after each file: <see cref="Outcome"/> is added | updated | unchanged | skipped | removed.</summary>
/// <param name="FilesDone">How many of the matched files have been handled (a removal does not count one).</param>
/// <param name="FilesTotal">How many files the sources matched.</param>
/// <param name="Source">The source path of the file just handled, or of the document just removed.</param>
/// <param name="Outcome"><c>added</c>, <c>updated</c>, <c>unchanged</c>, <c>skipped</c> or <c>removed</c>.</param>
/// <param name="ChunksWritten">How many chunks this ingest has written so far.</param>
public sealed record IngestProgress(int FilesDone, int FilesTotal, string Source, string Outcome, int ChunksWritten);

/// <summary>What one ingest did. <see cref="Rebuilt"/>: the store had another embedder and was emptied first.</summary>
/// <param name="Added">Documents new to the store.</param>
/// <param name="Updated">Documents whose file changed, re-chunked and re-embedded.</param>
/// <param name="Unchanged">Documents whose file's hash was the stored one, left as they were.</param>
/// <param name="Removed">Documents whose file is gone, removed from the store.</param>
/// <param name="ChunksWritten">Chunks written, over all added and updated documents.</param>
/// <param name="Skipped">Files not ingested, with why.</param>
/// <param name="Rebuilt">Whether the store was emptied first because it had been built with another embedder or dimension.</param>
/// <param name="Elapsed">How long the ingest took.</param>
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
