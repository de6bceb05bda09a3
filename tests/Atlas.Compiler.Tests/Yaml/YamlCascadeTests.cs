using System.Linq;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Tests.Yaml;

public class YamlCascadeTests
{
    [Fact]
    public void StepThatDoesNotParse_IsReportedOnce_WithoutUnknownNameFollowUps()
    {
        var yaml = "types:\n  T: { a: \"string[\" }\nworkflows:\n  w:\n    params: { t: T }\n    returns: string\n    steps:\n      s: \"switch t.a {\"\n    return: s\n";
        var result = AtlasCompiler.Compile(new SourceFile("w.atlas.yaml", yaml));
        var errors = result.Diagnostics.Where(d => d.IsError).Select(d => (d.Id, d.Location.Start.Line, d.Location.Start.Column)).ToArray();
        Assert.Equal(new[] { ("ATL0001", 2, 19), ("ATL0001", 8, 23) }, errors);
    }
}
