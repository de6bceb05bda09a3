using System.Collections.Generic;
using System.Text;

namespace Atlas.Testing;

/// <summary>
/// Inputs an attacker (or a fuzzer) sends first: attribute blocks nested thousands deep in each
/// place a block may appear, in both formats. Shared by the front-end, generator and emitter
/// tests (linked, not copied), so every host is tried with the same texts.
/// </summary>
internal static class HostileInputs
{
    /// <summary><c>a { a { ... } }</c>, <paramref name="depth"/> levels, closed.</summary>
    public static string NestedBlocks(int depth)
    {
        var text = new StringBuilder(depth * 6);
        for (int i = 0; i < depth; i++) text.Append("a { ");
        for (int i = 0; i < depth; i++) text.Append("} ");
        return text.ToString();
    }

    /// <summary>Each form of deeply nested attribute block, as (name, path, text); every file is otherwise valid.</summary>
    public static IEnumerable<(string Name, string Path, string Text)> DeepBlocks(int depth)
    {
        string blocks = NestedBlocks(depth);
        yield return ("provider cost", "cost.atlas", "provider p {\n  kind = mock\n  cost { " + blocks + "}\n}\n");
        yield return ("provider value block", "value.atlas", "provider p {\n  kind = mock\n  cost = { " + blocks + "}\n}\n");
        yield return ("with retry", "with.atlas",
            "provider p { kind = mock }\nagent a(t: string) -> string {\n  model = p\n  prompt = \"{{t}}\"\n}\n" +
            "workflow w(t: string) -> string {\n  x = a(t) with { retry { " + blocks + "} }\n  return x\n}\n");
        yield return ("workflow budget", "budget.atlas",
            "provider p { kind = mock }\nagent a(t: string) -> string {\n  model = p\n  prompt = \"{{t}}\"\n}\n" +
            "workflow w(t: string) -> string {\n  budget { " + blocks + "}\n  x = a(t)\n  return x\n}\n");
        yield return ("yaml chunking", "chunking.atlas.yaml",
            "knowledge:\n  kb:\n    sources: [\"docs/*.md\"]\n    chunking: recursive { " + blocks + "}\n");
        yield return ("yaml flow mapping", "flow.atlas.yaml",
            "providers:\n  p:\n    kind: mock\n    cost: " + new string('{', depth) + "a: 1" + new string('}', depth) + "\n");
    }
}
