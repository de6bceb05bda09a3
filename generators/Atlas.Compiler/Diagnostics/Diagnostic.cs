using System.Collections.Generic;
using System.Globalization;
using System.Linq;
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

/// <summary>
/// The fixed part of a diagnostic: id, severity, title and message format. Listed in
/// <see cref="DiagnosticDescriptors"/>; only <see cref="DiagnosticBuilder"/> turns one into a <see cref="Diagnostic"/>.
/// </summary>
public sealed record DiagnosticDescriptor(string Id, string Title, string MessageFormat, DiagnosticSeverity Severity, string Category);

/// <summary>Text for messages: input made safe to print on a terminal, and lists of names.</summary>
public static class DiagnosticText
{
    /// <summary>"`a`, `b` <paramref name="conjunction"/> `c`" (just "`a`" for one, "" for none).</summary>
    public static string CodeList(IEnumerable<string> items, string conjunction)
    {
        var quoted = items.Select(i => "`" + i + "`").ToList();
        if (quoted.Count <= 1) return string.Concat(quoted);
        return string.Join(", ", quoted.Take(quoted.Count - 1)) + " " + conjunction + " " + quoted[quoted.Count - 1];
    }

    /// <summary>
    /// Replaces control characters (C0, DEL, C1) and the bidirectional overrides and isolates with
    /// <c>\uXXXX</c>, so a name holding <c>ESC[31m</c> prints as <c>\u001B[31m</c> instead of
    /// recolouring the terminal, and a "Trojan source" override cannot reorder what is shown.
    /// </summary>
    public static string Escape(string text)
    {
        if (text is null) return "";
        int first = 0;
        while (first < text.Length && !NeedsEscape(text[first])) first++;
        if (first == text.Length) return text;

        var escaped = new System.Text.StringBuilder(text.Length + 16);
        escaped.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (NeedsEscape(c)) escaped.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            else escaped.Append(c);
        }
        return escaped.ToString();
    }

    private static bool NeedsEscape(char c) =>
        c < '\u0020' || (c >= '\u007F' && c <= '\u009F') || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
}
