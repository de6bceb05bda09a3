using System;
using System.Diagnostics;
using System.Text;
using System.Threading;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Text;
using Atlas.Compiler.Yaml;
using static Atlas.Compiler.Tests.Yaml.YamlTestHelpers;

namespace Atlas.Compiler.Tests.Yaml;

/// <summary>Bad input gets diagnostics, never an exception, an internal error or a hang.</summary>
public class YamlLoaderRobustnessTests
{
    private static readonly string[] Insertions =
        { ":", "-", "- ", "{", "}", "[", "]", "\"", "'", "|", ">", "\t", "&a ", "*a", "!", "#", "? ", "\n", "\r", "%", "@", "\\", ",", "  ", "\n  ", "|2-", "{{", "\u2028" };

    [Fact]
    public void Load_EveryTruncationOfTheSamples_OnlyDiagnostics()
    {
        foreach (var sample in new[] { YamlSamples.BriefFragment, YamlSamples.Full })
        {
            for (int length = 0; length <= sample.Length; length++) AssertOnlyDiagnostics(sample.Substring(0, length));
        }
    }

    [Fact]
    public void Load_SingleEditsOfTheFullSample_OnlyDiagnostics()
    {
        var random = new Random(20261125);
        var sample = YamlSamples.Full;
        for (int i = 0; i < 4000; i++)
        {
            int at = random.Next(sample.Length);
            string mutated = random.Next(3) switch
            {
                0 => sample.Remove(at, 1),
                1 => sample.Insert(at, Insertions[random.Next(Insertions.Length)]),
                _ => sample.Remove(at, 1).Insert(at, Insertions[random.Next(Insertions.Length)]),
            };
            AssertOnlyDiagnostics(mutated);
        }
    }

    [Fact]
    public void Load_RandomText_OnlyDiagnostics()
    {
        var random = new Random(7);
        const string alphabet = "ab01 :-{}[],\"'|>#&*!?%@`\\\t\r\n=()._\u00e9\u2028\ufeff";
        for (int i = 0; i < 1500; i++)
        {
            var builder = new StringBuilder();
            int length = random.Next(200);
            for (int j = 0; j < length; j++)
            {
                builder.Append(random.Next(8) == 0 ? (char)random.Next(0, 0xD7FF) : alphabet[random.Next(alphabet.Length)]);
            }
            AssertOnlyDiagnostics(builder.ToString());
        }
    }

    [Fact]
    public void Load_RandomBytesDecodedAsUtf8_OnlyDiagnostics()
    {
        var random = new Random(99);
        for (int i = 0; i < 500; i++)
        {
            var bytes = new byte[random.Next(400)];
            random.NextBytes(bytes);
            AssertOnlyDiagnostics(Encoding.UTF8.GetString(bytes));
        }
    }

    [Theory]
    [InlineData("providers:\n\toffline: { kind: mock }\n")]
    [InlineData("providers:\n  offline:\n\tkind: mock\n")]
    [InlineData("\t\t\t")]
    [InlineData("agents:\n  a:\n    prompt: |\n\t  x\n")]
    [InlineData("workflows:\n  w:\n    steps:\n      a: \"\\q\"\n")]
    [InlineData("%YAML 1.2\n---\nproviders: {}\n")]
    [InlineData("--- a\n--- b\n")]
    [InlineData("providers: !!map\n  a: !custom { kind: mock }\n")]
    [InlineData("? a\n")]
    [InlineData("providers:\n  a: { kind: mock }\n---\nproviders:\n  b: [\n")]
    [InlineData("{providers: {a: {kind: mock}}, agents: [}")]
    [InlineData("\0\0\0")]
    [InlineData("providers:\n  a: \"\\uD800\"\n")]
    [InlineData("providers:\n  a: >9\n x\n")]
    public void Load_MalformedInput_OnlyDiagnostics(string yaml) => AssertOnlyDiagnostics(yaml);

    [Theory]
    [InlineData('[')]
    [InlineData('{')]
    public void Load_VeryDeepFlowNesting_OnlyDiagnosticsQuickly(char open)
    {
        var watch = Stopwatch.StartNew();
        AssertOnlyDiagnostics("providers:\n  a:\n    x: " + new string(open, 100_000));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), watch.Elapsed.ToString());
    }

    [Fact]
    public void Load_VeryDeepBlockNesting_OnlyDiagnostics()
    {
        var builder = new StringBuilder();
        for (int i = 0; i < 2000; i++) builder.Append(' ', i).Append('k').Append(i).Append(":\n");
        var (_, diagnostics) = Load(builder.ToString());
        Assert.Contains(diagnostics, d => d.Id == "ATL1001" && d.Message.Contains("nested more than"));
    }

    [Fact]
    public void Load_Cancelled_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var file = new SourceFile(Path, YamlSamples.Full);
        Assert.ThrowsAny<OperationCanceledException>(() => YamlLoader.Load(file, new DiagnosticBag(), cts.Token));
    }

    private static void AssertOnlyDiagnostics(string yaml)
    {
        var file = new SourceFile(Path, yaml);
        var diagnostics = new DiagnosticBag();
        try
        {
            YamlLoader.Load(file, diagnostics, CancellationToken.None);
        }
        catch (Exception ex)
        {
            Assert.Fail($"Load threw {ex} for:\n{Escape(yaml)}");
        }
        foreach (var d in diagnostics.ToSortedArray())
        {
            Assert.True(d.Id != "ATL9001", $"Internal error {d} for:\n{Escape(yaml)}");
            Assert.InRange(d.Location.Span.Start, 0, yaml.Length);
            Assert.InRange(d.Location.Span.End, 0, yaml.Length);
        }
    }

    private static string Escape(string text) =>
        text.Replace("\\", "\\\\").Replace("\t", "\\t").Replace("\r", "\\r").Replace("\n", "\\n\n");
}
