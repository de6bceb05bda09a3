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

    public void Add(DiagnosticDescriptor descriptor, SourceFile file, TextSpan span, params object[] args) =>
        _items.Add(descriptor.Create(file.GetLocation(span), args));

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.AddRange(diagnostics);

    /// <summary>Sorted by file, then position, so output is stable whatever order checks ran in.</summary>
    public EquatableArray<Diagnostic> ToSortedArray() => _items
        .OrderBy(d => d.Location.Path, System.StringComparer.Ordinal)
        .ThenBy(d => d.Location.Span.Start)
        .ThenBy(d => d.Id, System.StringComparer.Ordinal)
        .Distinct()
        .ToEquatableArray();
}
