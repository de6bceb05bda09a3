using System;
using Atlas.Compiler.Text;
using Microsoft.CodeAnalysis;
using AtlasDiagnostic = Atlas.Compiler.Diagnostics.Diagnostic;
using AtlasDiagnosticSeverity = Atlas.Compiler.Diagnostics.DiagnosticSeverity;
using AtlasLocation = Atlas.Compiler.Text.Location;
using DiagnosticBuilder = Atlas.Compiler.Diagnostics.DiagnosticBuilder;
using RoslynLinePosition = Microsoft.CodeAnalysis.Text.LinePosition;
using RoslynLinePositionSpan = Microsoft.CodeAnalysis.Text.LinePositionSpan;
using RoslynTextSpan = Microsoft.CodeAnalysis.Text.TextSpan;

namespace Atlas.Generators.Diagnostics;

/// <summary>
/// The one place where Atlas diagnostics become Roslyn diagnostics: same id, title, severity and
/// message, located in the .atlas / .atlas.yaml file, so <c>dotnet build</c> prints
/// <c>flow.atlas(12,20): error ATL0003: ...</c> exactly as <c>atlas check</c> does.
/// Never throws: an out-of-range position is clamped, an unknown id still gets reported.
/// </summary>
internal static class RoslynDiagnosticAdapter
{
    /// <summary>Converts one front-end diagnostic.</summary>
    public static Diagnostic ToRoslyn(AtlasDiagnostic diagnostic)
    {
        var severity = diagnostic.Severity == AtlasDiagnosticSeverity.Error ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning;
        var descriptor = AtlasDiagnosticDescriptors.Find(diagnostic.Id) ?? Unknown(diagnostic.Id, severity);
        return Diagnostic.Create(
            descriptor,
            ToLocation(diagnostic.Location),
            effectiveSeverity: severity,
            additionalLocations: null,
            properties: null,
            messageArgs: diagnostic.Message);
    }

    /// <summary>
    /// ATL9001 for a failure inside Atlas (or the generator) outside the front-end's own safety
    /// net. <paramref name="path"/> is the file being processed, if there is one.
    /// </summary>
    public static AtlasDiagnostic InternalError(string detail, string? path = null) =>
        DiagnosticBuilder.At(new AtlasLocation(path ?? string.Empty, default, new LinePosition(1, 1), new LinePosition(1, 1)))
            .InternalError(detail);

    /// <summary>ATL9001 for an exception caught while doing <paramref name="phase"/>.</summary>
    public static AtlasDiagnostic InternalError(Exception exception, string phase, string? path = null) =>
        InternalError(exception.GetType().Name + " while " + phase + ": " + exception.Message, path);

    /// <summary>
    /// A location in the Atlas file (an external file, not a syntax tree of the compilation).
    /// Atlas positions are 1-based, Roslyn's 0-based.
    /// </summary>
    public static Microsoft.CodeAnalysis.Location ToLocation(AtlasLocation location)
    {
        if (string.IsNullOrEmpty(location.Path)) return Microsoft.CodeAnalysis.Location.None;

        int start = Math.Max(0, location.Span.Start);
        var span = new RoslynTextSpan(start, Math.Max(0, location.Span.End - start));
        var first = ToLinePosition(location.Start);
        var last = ToLinePosition(location.End);
        if (last < first) last = first;
        return Microsoft.CodeAnalysis.Location.Create(location.Path, span, new RoslynLinePositionSpan(first, last));
    }

    private static RoslynLinePosition ToLinePosition(LinePosition position) =>
        new(Math.Max(0, position.Line - 1), Math.Max(0, position.Column - 1));

    // Only reached if the front-end gains an id before this catalog does (a test guards against it).
    private static DiagnosticDescriptor Unknown(string id, DiagnosticSeverity severity) =>
#pragma warning disable RS2008 // Not a rule of its own: a stand-in that keeps a new front-end id visible until it is catalogued.
        new(id, "Atlas diagnostic", "{0}", "Atlas", severity, isEnabledByDefault: true);
#pragma warning restore RS2008
}
