using Atlas.Compiler.Emit;
using Atlas.Compiler.Lowering;
using Atlas.Emitter.Tests.TestSupport;

namespace Atlas.Emitter.Tests;

/// <summary>The generated files of every example are pinned, so a change to the emitter shows up as a diff in review.</summary>
public class SnapshotTests
{
    public static TheoryData<string> Examples() => new(AtlasProject.All().Select(p => p.Name));

    [Theory]
    [MemberData(nameof(Examples))]
    public void Emit_Example_MatchesVerifiedSnapshots(string example) =>
        Snapshot.Verify(example, AtlasProject.Get(example).Emit());

    /// <summary>The lowered plan of every example, readable, beside its C#: a change to how workflows run shows up in review.</summary>
    [Theory]
    [MemberData(nameof(Examples))]
    public void Lower_Example_MatchesVerifiedPlanSnapshot(string example) =>
        Snapshot.Verify(example, [new GeneratedSource(example + ".plan.txt", PlanPrinter.Print(AtlasLowering.Lower(AtlasProject.Get(example).Compile())))], ".txt");

    [Fact]
    public void TextDiff_ChangedLine_ShowsRemovedAndAddedLines()
    {
        var diff = TextDiff.Unified("a\nb\nc\nd\n", "a\nB\nc\nd\n");
        Assert.Contains("- b", diff);
        Assert.Contains("+ B", diff);
        Assert.Contains("  a", diff);
    }
}
