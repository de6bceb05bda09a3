using System.Linq;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Tests.Binding;

/// <summary>A route or provider must be able to serve its agents (ATL2034): tools need `tools`, structured results need `json`.</summary>
public class AgentModelCapabilityTests
{
    private static (string Id, int Line, int Column, string Message)[] Errors(string text) =>
        AtlasCompiler.Compile(new SourceFile("t.atlas", text)).Diagnostics
            .Where(d => d.IsError)
            .Select(d => (d.Id, d.Location.Start.Line, d.Location.Start.Column, d.Message))
            .ToArray();

    [Fact]
    public void AgentWithTools_OnAProviderWithoutTools_IsATL2034AtItsModel()
    {
        var errors = Errors("provider chat_only {\n  kind = mock\n  supports = [chat]\n}\ntool lookup(id: string) -> string\nagent a(q: string) -> string {\n  model = chat_only\n  tools = [lookup]\n  prompt = \"{{q}}\"\n}\n");
        var error = Assert.Single(errors);
        Assert.Equal(("ATL2034", 7, 11), (error.Id, error.Line, error.Column));
        Assert.Contains("Agent `a` needs `tools` (it calls tools or delegates), but provider `chat_only` does not", error.Message);
    }

    [Fact]
    public void StructuredAgent_OnARouteWhereNoProviderHasJson_IsATL2034()
    {
        var errors = Errors("provider p1 {\n  kind = mock\n  supports = [chat, tools]\n}\nroute r {\n  use = [p1]\n}\ntype T { x: int }\nagent a(q: string) -> T {\n  model = r\n  prompt = \"{{q}}\"\n}\n");
        var error = Assert.Single(errors);
        Assert.Equal(("ATL2034", 10, 11), (error.Id, error.Line, error.Column));
        Assert.Contains("needs `json` (it returns `T`)", error.Message);
        Assert.Contains("no provider of route `r` does", error.Message);
    }

    [Fact]
    public void StructuredAgentWithTools_OnARouteWhoseRequireNoProviderMeetsWithJson_IsATL2034NamingBothNeedsAndTheRequire()
    {
        var errors = Errors("provider p1 {\n  kind = mock\n  supports = [chat, tools, vision]\n}\nprovider p2 {\n  kind = mock\n  supports = [chat, tools, json]\n}\nroute r {\n  use = [p1, p2]\n  require = [vision]\n}\ntool lookup(id: string) -> string\ntype T { x: int }\nagent a(q: string) -> T {\n  model = r\n  tools = [lookup]\n  prompt = \"{{q}}\"\n}\n");
        var error = Assert.Single(errors);
        Assert.Equal(("ATL2034", 16, 11), (error.Id, error.Line, error.Column));
        Assert.Equal(
            "Agent `a` needs `tools` (it calls tools or delegates) and `json` (it returns `T`), but no provider of route `r` does along with the route's `require` [vision]: "
            + "`p1` supports [chat, tools, vision]; `p2` supports [chat, tools, json]; use a model that supports it",
            error.Message);
    }

    [Fact]
    public void TextAgent_WithoutTools_NeedsNothingSpecial()
    {
        Assert.Empty(Errors("provider p1 {\n  kind = mock\n  supports = [chat]\n}\nagent a(q: string) -> string {\n  model = p1\n  prompt = \"{{q}}\"\n}\n"));
    }

    [Fact]
    public void Route_WithOneCapableProvider_Serves()
    {
        Assert.Empty(Errors("provider p1 {\n  kind = mock\n  supports = [chat]\n}\nprovider p2 { kind = mock }\nroute r {\n  use = [p1, p2]\n}\ntype T { x: int }\nagent a(q: string) -> T {\n  model = r\n  prompt = \"{{q}}\"\n}\n"));
    }
}
