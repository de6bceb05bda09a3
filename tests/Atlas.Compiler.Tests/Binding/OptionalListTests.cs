using Atlas.Compiler.Text;

namespace Atlas.Compiler.Tests.Binding;

public class OptionalListTests
{
    private const string Prelude = "type Node {\n  label: string?\n  name: string\n}\n";

    [Fact]
    public void ListItem_OfOptionalType_IsATypeMismatch()
    {
        var text = Prelude + "workflow w(n: Node) -> string[] {\n  xs = [n.name, n.label]\n  return xs\n}\n";
        var result = AtlasCompiler.Compile(new SourceFile("t.atlas", text));
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal(("ATL2017", 6, 17), (error.Id, error.Location.Start.Line, error.Location.Start.Column));
        Assert.Contains("must be `string`, not `string?`", error.Message);
    }

    [Fact]
    public void ForBody_OfOptionalType_IsATypeMismatch()
    {
        var text = Prelude + "workflow w(ns: Node[]) -> string[] {\n  xs = for n in ns => n.label\n  return xs\n}\n";
        var result = AtlasCompiler.Compile(new SourceFile("t.atlas", text));
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal(("ATL2017", 6, 23), (error.Id, error.Location.Start.Line, error.Location.Start.Column));
    }

    [Fact]
    public void ForBody_OfNonOptionalType_IsAList()
    {
        var text = Prelude + "workflow w(ns: Node[]) -> string[] {\n  xs = for n in ns => n.name\n  return xs\n}\n";
        var result = AtlasCompiler.Compile(new SourceFile("t.atlas", text));
        Assert.DoesNotContain(result.Diagnostics, d => d.IsError);
    }
}
