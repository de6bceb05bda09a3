using System;
using System.Diagnostics;
using System.Linq;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Text;
using static Atlas.Testing.HostileInputs;

namespace Atlas.Compiler.Tests.Parsing;

/// <summary>
/// Template checking is linear (issue 11, item 9): a 1 MB <c>"""</c> prompt took 7.6 s and 5 MB
/// 144 s (YAML <c>|</c>: 12 s, 304 s), because every tag looked up its position with a linear walk
/// over the string's per-line map. Now 5 MB takes about 1 s of CPU. The regression test runs the
/// 5 MB cases once with a bound far above linear (60 s on a loaded 2-core box, measured at 5 s)
/// and far below what the quadratic code took, so it cannot flake either way.
/// </summary>
public class TemplateScaleTests
{
    private const int FiveMegabytes = 5 * 1024 * 1024;

    [Theory]
    [InlineData("t.atlas")]
    [InlineData("t.atlas.yaml")]
    public void FiveMegabyteTemplate_ChecksInLinearTime(string path)
    {
        string text = path.EndsWith(".yaml", StringComparison.Ordinal)
            ? YamlWithPrompt(TemplateLines(FiveMegabytes, "      "))
            : AtlasWithPrompt(TemplateLines(FiveMegabytes, "    "));
        var watch = Stopwatch.StartNew();
        var result = AtlasCompiler.Compile(new SourceFile(path, text));
        watch.Stop();

        Assert.Empty(result.Diagnostics);
        var template = result.Model.Agents.Single().Prompt!;
        Assert.True(template.Parts.Count > 200_000, template.Parts.Count.ToString());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"5 MB took {watch.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void ManyOpenersAndNoCloser_EachReported_OnlyTheFirstHundredShown()
    {
        // Each `{{` used to search to the end of the text for a `}}` that is not there.
        string prompt = string.Concat(Enumerable.Repeat("{{ x ", 200_000));
        var result = AtlasCompiler.Compile(new SourceFile("t.atlas", AtlasWithPrompt("    " + prompt + "\n")));

        Assert.Equal(DiagnosticBag.MaxReportedPerFile + 1, result.Diagnostics.Count);
        Assert.All(result.Diagnostics.Take(DiagnosticBag.MaxReportedPerFile), d => Assert.Equal("ATL0003", d.Id));
        var summary = result.Diagnostics.Last();
        Assert.Equal("ATL0006", summary.Id);
        Assert.True(summary.IsError);
        Assert.Contains("199,900 more diagnostics in this file are not shown (199,900 errors), only the first 100", summary.Message);
    }

    [Fact]
    public void SourceMap_ManyRuns_EveryIndexMapsToItsOffset()
    {
        // Runs of 1..7 characters with gaps between them, as a dedented multi-line string has.
        var builder = new SourceMap.Builder();
        var expected = new System.Collections.Generic.List<int>();
        int offset = 10;
        for (int run = 0; run < 5_000; run++)
        {
            for (int c = 0; c < 1 + (run % 7); c++)
            {
                builder.Add(offset + c);
                expected.Add(offset + c);
            }
            offset += 1 + (run % 7) + 3;
        }
        var map = builder.ToSourceMap(0);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], map.ToFileOffset(i));
        Assert.Equal(expected[0], map.ToFileOffset(-5));
    }

    [Fact]
    public void CappedWarnings_SummaryIsAWarning()
    {
        var bag = new DiagnosticBag();
        var file = new SourceFile("w.atlas", new string(' ', 500));
        for (int i = 0; i < 150; i++) bag.Add(DiagnosticBuilder.At(file, new TextSpan(i, 1)).UnusedDeclaration("Tool", "t" + i));
        var reported = bag.ToReportedArray();
        Assert.Equal(101, reported.Count);
        Assert.Equal(DiagnosticSeverity.Warning, reported[100].Severity);
        Assert.Equal("w.atlas(1,101): warning ATL0006: 50 more diagnostics in this file are not shown (50 warnings), only the first 100; fix these and check again", reported[100].ToString());
    }

    [Fact]
    public void Cap_IsPerFile()
    {
        var bag = new DiagnosticBag();
        foreach (var name in new[] { "a.atlas", "b.atlas" })
        {
            var file = new SourceFile(name, new string(' ', 500));
            for (int i = 0; i < 120; i++) bag.Add(DiagnosticBuilder.At(file, new TextSpan(i, 1)).SyntaxError("x"));
        }
        var reported = bag.ToReportedArray();
        Assert.Equal(202, reported.Count);
        Assert.Equal(2, reported.Count(d => d.Id == "ATL0006"));
    }
}
