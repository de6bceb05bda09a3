using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Diagnostics;

/// <summary>Collects diagnostics for one compilation; not thread-safe.</summary>
public sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = new();

    public int Count => _items.Count;

    public bool HasErrors => _items.Any(d => d.IsError);

    /// <summary>Whether a file could not be read whole: an error from the parser or the YAML reader (ATL0xxx, ATL1xxx).</summary>
    public bool HasSyntaxErrors => _items.Any(d => d.IsError && d.Id.Length >= 4 && (d.Id[3] == '0' || d.Id[3] == '1'));

    public void Add(Diagnostic diagnostic) => _items.Add(diagnostic);

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.AddRange(diagnostics);

    /// <summary>At most this many diagnostics of one file are reported; the rest are counted in one ATL0006.</summary>
    public const int MaxReportedPerFile = 100;

    /// <summary>
    /// What a compilation reports: <see cref="ToSortedArray"/>, with at most <see cref="MaxReportedPerFile"/>
    /// per file followed by one ATL0006 that counts the rest (a 5 MB line of bad tags made 655,361 lines).
    /// ATL0006 is an error when an error is among those left out, so a capped file never passes.
    /// </summary>
    public EquatableArray<Diagnostic> ToReportedArray()
    {
        var sorted = ToSortedArray();
        if (sorted.Count <= MaxReportedPerFile) return sorted;

        var reported = new List<Diagnostic>(sorted.Count);
        int i = 0;
        while (i < sorted.Count)
        {
            string path = sorted[i].Location.Path;
            int fileEnd = i;
            while (fileEnd < sorted.Count && string.Equals(sorted[fileEnd].Location.Path, path, System.StringComparison.Ordinal)) fileEnd++;
            int shown = System.Math.Min(fileEnd - i, MaxReportedPerFile);
            for (int k = i; k < i + shown; k++) reported.Add(sorted[k]);
            if (fileEnd - i > shown)
            {
                int errors = 0, warnings = 0;
                for (int k = i + shown; k < fileEnd; k++)
                {
                    if (sorted[k].IsError) errors++;
                    else warnings++;
                }
                reported.Add(DiagnosticBuilder.At(sorted[i + shown].Location).MoreDiagnostics(errors, warnings, MaxReportedPerFile));
            }
            i = fileEnd;
        }
        return reported.ToEquatableArray();
    }

    /// <summary>Sorted by file, then position, so output is stable whatever order checks ran in.</summary>
    public EquatableArray<Diagnostic> ToSortedArray() => _items
        .OrderBy(d => d.Location.Path, System.StringComparer.Ordinal)
        .ThenBy(d => d.Location.Span.Start)
        .ThenBy(d => d.Id, System.StringComparer.Ordinal)
        .Distinct()
        .ToEquatableArray();
}
