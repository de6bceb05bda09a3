using System;
using System.Linq;
using System.Reflection;
using Atlas.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using FrontEnd = Atlas.Compiler.Diagnostics;

namespace Atlas.Generators.Tests.Diagnostics;

/// <summary>
/// The compiled Roslyn catalog mirrors the front-end's (DiagnosticMirrorTests generates its source and
/// release tracking), and the adapter converts any diagnostic without throwing.
/// </summary>
public class DiagnosticCatalogTests
{
    private static readonly FrontEnd.DiagnosticDescriptor[] FrontEndDescriptors = typeof(FrontEnd.DiagnosticDescriptors)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(FrontEnd.DiagnosticDescriptor))
        .Select(f => (FrontEnd.DiagnosticDescriptor)f.GetValue(null)!)
        .ToArray();

    [Fact]
    public void RoslynCatalog_MirrorsFrontEndCatalog()
    {
        var expected = FrontEndDescriptors
            .Select(d => (d.Id, d.Title, d.Category, Severity: d.Severity == FrontEnd.DiagnosticSeverity.Error ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning))
            .OrderBy(d => d.Id, StringComparer.Ordinal);
        var actual = AtlasDiagnosticDescriptors.All
            .Select(d => (d.Id, Title: d.Title.ToString(System.Globalization.CultureInfo.InvariantCulture), d.Category, Severity: d.DefaultSeverity))
            .OrderBy(d => d.Id, StringComparer.Ordinal);

        Assert.Equal(expected, actual);
        Assert.All(AtlasDiagnosticDescriptors.All, d => Assert.True(d.IsEnabledByDefault, d.Id));
        Assert.All(AtlasDiagnosticDescriptors.All, d => Assert.Same(d, AtlasDiagnosticDescriptors.Find(d.Id)));
    }

    [Fact]
    public void UnknownId_IsStillReported_WithItsSeverity()
    {
        var diagnostic = RoslynDiagnosticAdapter.ToRoslyn(new FrontEnd.Diagnostic(
            "ATL8999",
            FrontEnd.DiagnosticSeverity.Warning,
            "a message with {braces}",
            new Atlas.Compiler.Text.Location("/src/a.atlas", new Atlas.Compiler.Text.TextSpan(3, 2), new Atlas.Compiler.Text.LinePosition(1, 4), new Atlas.Compiler.Text.LinePosition(1, 6))));

        Assert.Equal("/src/a.atlas(1,4): warning ATL8999: a message with {braces}", diagnostic.ToString());
    }

    [Fact]
    public void OutOfRangePositions_AreClamped_NotThrown()
    {
        var diagnostic = RoslynDiagnosticAdapter.ToRoslyn(new FrontEnd.Diagnostic(
            "ATL0001",
            FrontEnd.DiagnosticSeverity.Error,
            "m",
            new Atlas.Compiler.Text.Location("/src/a.atlas", new Atlas.Compiler.Text.TextSpan(-5, -1), new Atlas.Compiler.Text.LinePosition(3, 0), new Atlas.Compiler.Text.LinePosition(1, 1))));

        Assert.Equal("/src/a.atlas(3,1): error ATL0001: m", diagnostic.ToString());
    }

    [Fact]
    public void DiagnosticWithoutFile_HasNoLocation()
    {
        var diagnostic = RoslynDiagnosticAdapter.ToRoslyn(RoslynDiagnosticAdapter.InternalError(new InvalidOperationException("x"), "testing"));

        Assert.Equal(Location.None, diagnostic.Location);
        Assert.Equal("ATL9001", diagnostic.Id);
    }
}
