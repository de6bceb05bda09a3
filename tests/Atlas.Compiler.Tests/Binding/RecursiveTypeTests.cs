using System.Linq;
using Atlas.Compiler.Text;
using static Atlas.Compiler.Tests.Binding.BindingAssert;

namespace Atlas.Compiler.Tests.Binding;

/// <summary>
/// A record type that needs itself through required fields has no finite value (issue 11, item 3):
/// it passed `atlas check` and overflowed the mock's JSON generator at run time. Now ATL2023 at the field.
/// </summary>
public class RecursiveTypeTests
{
    private const string Use = "provider p { kind = mock }\nagent a(q: string) -> Node { model = p, prompt = \"{{q}}\" }\n";

    [Fact]
    public void SelfReference_Required_IsAnErrorAtTheField()
    {
        var result = AssertDiagnostics("type Node {\n  name: string\n  next: Node\n}\n" + Use, ("ATL2023", 3, 3));
        Assert.Equal(
            "t.atlas(3,3): error ATL2023: `Node.next` is a required `Node`, so no `Node` can ever be built (Node → Node); make a field on this cycle optional (`Node?`) or a list (`Node[]`)",
            result.Diagnostics.Single().ToString());
    }

    [Fact]
    public void MutualPair_OneErrorForTheCycle()
    {
        const string Source = "type Node { a: Pair }\ntype Pair { left: string, back: Node }\n" + Use;
        var result = AssertDiagnostics(Source, ("ATL2023", 1, 13));
        AssertMessage(result, "ATL2023", "(Node → Pair → Node)");
    }

    [Fact]
    public void LongerCycle_NamesEveryType()
    {
        const string Source = "type Node { b: B }\ntype B { c: C }\ntype C { n: Node }\n" + Use;
        var result = AssertDiagnostics(Source, ("ATL2023", 1, 13));
        AssertMessage(result, "ATL2023", "(Node → B → C → Node)");
    }

    [Theory]
    [InlineData("type Node { name: string, next: Node? }")]
    [InlineData("type Node { name: string, children: Node[] }")]
    [InlineData("type Node { name: string, children: Node[]? }")]
    [InlineData("type Node { p: Pair }\ntype Pair { back: Node?, name: string }")]
    [InlineData("type Node { p: Pair }\ntype Pair { all: Node[] }")]
    public void CycleThroughOptionalOrList_IsFine(string types) =>
        AssertDiagnostics(types + "\n" + Use);

    [Fact]
    public void TwoSeparateCycles_EachReported()
    {
        const string Source = "type Node { me: Node, other: Other }\ntype Other { again: Other }\n" + Use;
        AssertDiagnostics(Source, ("ATL2023", 1, 13), ("ATL2023", 2, 14));
    }

    [Fact]
    public void YamlForm_SameError()
    {
        const string Yaml = "providers:\n  p: { kind: mock }\ntypes:\n  Node:\n    name: string\n    next: Node\nagents:\n  a:\n    params: { q: string }\n    returns: Node\n    model: p\n    prompt: \"{{q}}\"\n";
        var result = AtlasCompiler.Compile(new SourceFile("t.atlas.yaml", Yaml));
        AssertDiagnostics(result, ("ATL2023", 6, 5));
    }

    [Fact]
    public void DeepButFiniteChain_IsFine()
    {
        // 2,000 types in a chain: the check is iterative, so a long chain is no stack risk either.
        var types = string.Join("\n", Enumerable.Range(0, 2000).Select(i => $"type T{i} {{ next: T{i + 1} }}")) + "\ntype T2000 { end: string }\n";
        var result = Compile(types + "provider p { kind = mock }\nagent a(q: string) -> T0 { model = p, prompt = \"{{q}}\" }\n");
        Assert.DoesNotContain(result.Diagnostics, d => d.IsError);
    }

    [Fact]
    public void LongCycle_OneError()
    {
        var types = string.Join("\n", Enumerable.Range(0, 2000).Select(i => $"type T{i} {{ next: T{(i + 1) % 2000} }}")) + "\n";
        var result = Compile(types + "provider p { kind = mock }\nagent a(q: string) -> T0 { model = p, prompt = \"{{q}}\" }\n");
        Assert.Equal("ATL2023", Assert.Single(result.Diagnostics, d => d.IsError).Id);
    }
}
