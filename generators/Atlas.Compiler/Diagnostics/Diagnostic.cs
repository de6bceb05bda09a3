using System.Globalization;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Diagnostics;

public enum DiagnosticSeverity
{
    Warning,
    Error,
}

/// <summary>One finding in an Atlas source file: a stable id, a severity, a message and where.</summary>
public sealed record Diagnostic(string Id, DiagnosticSeverity Severity, string Message, Location Location)
{
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>The C# compiler's format: <c>path(line,col): error ATL0001: message</c>.</summary>
    public override string ToString() => string.Format(
        CultureInfo.InvariantCulture,
        "{0}({1},{2}): {3} {4}: {5}",
        Location.Path,
        Location.Start.Line,
        Location.Start.Column,
        Severity == DiagnosticSeverity.Error ? "error" : "warning",
        Id,
        Message);
}

/// <summary>The fixed part of a diagnostic: id, severity, title and message format.</summary>
public sealed record DiagnosticDescriptor(string Id, string Title, string MessageFormat, DiagnosticSeverity Severity, string Category)
{
    public Diagnostic Create(Location location, params object[] args) =>
        new(Id, Severity, string.Format(CultureInfo.InvariantCulture, MessageFormat, args), location);
}
