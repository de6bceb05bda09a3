using System.Linq;
using Atlas.Compiler.Text;
using Atlas.Testing;

namespace Atlas.Compiler.Tests.Parsing;

/// <summary>
/// The 64-level limit holds for every form of attribute block (issue 11, item 2): a block nested
/// thousands deep is one diagnostic, never a stack overflow that kills the process.
/// </summary>
public class NestingLimitTests
{
    public static TheoryData<string, int> Forms()
    {
        var data = new TheoryData<string, int>();
        foreach (int depth in new[] { 65, 2_350, 5_000, 100_000 })
        {
            foreach (var form in HostileInputs.DeepBlocks(1))
                data.Add(form.Name, depth);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Compile_DeeplyNestedBlock_OneNestingDiagnostic(string form, int depth)
    {
        var input = HostileInputs.DeepBlocks(depth).Single(f => f.Name == form);
        var result = AtlasCompiler.Compile(new SourceFile(input.Path, input.Text));
        // The YAML knowledge base is unused (ATL2013); every other form gives nothing but the one error.
        var diagnostics = result.Diagnostics.Where(d => d.Id != "ATL2013").ToArray();
        Assert.True(diagnostics.Length == 1, Describe(result.Diagnostics));
        var diagnostic = diagnostics[0];
        Assert.True(diagnostic.Id is "ATL0001" or "ATL1001", Describe(result.Diagnostics));
        Assert.Contains(form == "yaml flow mapping" ? "nested more than 64 levels" : "deeper than 64 levels", diagnostic.Message);
        Assert.True(diagnostic.Message.Length < 200, Describe(result.Diagnostics));
    }

    private static string Describe(System.Collections.Generic.IEnumerable<Atlas.Compiler.Diagnostics.Diagnostic> diagnostics) =>
        string.Join("\n", diagnostics.Select(d => { var s = d.ToString(); return s.Length > 300 ? s.Substring(0, 300) + "..." : s; }));

    [Theory]
    [InlineData("cost { a = 1 }")]
    [InlineData("cost { a { b = 1 } }")]
    public void Parse_ShallowBlocks_StillParse(string attribute)
    {
        var (_, diagnostics) = TestSupport.ParseAtlas("provider p {\n  kind = mock\n  " + attribute + "\n}\n");
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Parse_BlocksAtTheLimit_Parse()
    {
        // The declaration's own block is the first level.
        var text = "provider p {\n  kind = mock\n  " + HostileInputs.NestedBlocks(63).TrimEnd() + "\n}\n";
        Assert.Empty(TestSupport.ParseAtlas(text).Diagnostics);
        text = "provider p {\n  kind = mock\n  " + HostileInputs.NestedBlocks(64).TrimEnd() + "\n}\n";
        Assert.Contains("deeper than 64 levels", Assert.Single(TestSupport.ParseAtlas(text).Diagnostics).Message);
    }
}
