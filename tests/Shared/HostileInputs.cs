using System.Collections.Generic;
using System.Linq;
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

    /// <summary>An agent whose one-line prompt holds <paramref name="count"/> empty tags, each an ATL0003.</summary>
    public static string ManyBadTags(int count) =>
        "provider p { kind = mock }\nagent a(q: string) -> string {\n  model = p\n  prompt = \"" +
        new StringBuilder(count * 5).Insert(0, "{{}} ", count) + "\"\n}\n";

    /// <summary>Template lines of about <paramref name="bytes"/> characters, each with a path tag and a loop.</summary>
    public static string TemplateLines(int bytes, string indent)
    {
        var text = new StringBuilder(bytes + 200);
        for (int i = 0; text.Length < bytes; i++)
            text.Append(indent).Append("Line ").Append(i).Append(" about {{q}} and {{for t in items}}{{t}}{{end}} more text\n");
        return text.ToString();
    }

    /// <summary>An agent whose prompt is <paramref name="body"/> in a <c>"""</c> string (indent its lines by 4).</summary>
    public static string AtlasWithPrompt(string body) =>
        "provider p { kind = mock }\nagent a(q: string, items: string[]) -> string {\n  model = p\n  prompt = \"\"\"\n" + body + "    \"\"\"\n}\n";

    /// <summary>The same agent in YAML, the prompt a <c>|</c> block (indent its lines by 6).</summary>
    public static string YamlWithPrompt(string body) =>
        "providers:\n  p: { kind: mock }\nagents:\n  a:\n    params: { q: string, items: \"string[]\" }\n    returns: string\n    model: p\n    prompt: |\n" + body;

    /// <summary>
    /// Seeds for the fuzz tests beside the examples, each small enough to mutate thousands of times:
    /// nesting near the limit in every block form, recursive types, a template-heavy prompt in both
    /// forms, and control characters in names.
    /// </summary>
    public static IEnumerable<(string Path, string Text)> FuzzSeeds()
    {
        foreach (var form in DeepBlocks(70)) yield return ("deep-" + form.Path, form.Text);
        yield return ("recursive.atlas",
            "provider p { kind = mock }\ntype Node { name: string, next: Node? , children: Node[] }\ntype A { b: B }\ntype B { a: A? }\n" +
            "agent walk(n: Node, a: A) -> Node {\n  model = p\n  prompt = \"{{n.name}} {{for c in n.children}}{{c.name}}{{end}}\"\n}\n");
        string lines = TemplateLines(8_000, "    ");
        yield return ("template.atlas", AtlasWithPrompt(lines));
        yield return ("template.atlas.yaml", YamlWithPrompt(string.Concat(lines.Split('\n').Select(l => l.Length == 0 ? "" : "  " + l + "\n"))));
        yield return ("control.atlas.yaml", "providers:\n  \"\\e[31mred\": { kind: mock }\n  p: { kind: mock, model: \"a\\UFFFFFFFFb\" }\n");
        yield return ("control.atlas", "provider p\u001B[31m { kind = mock }\nagent a(q: string) -> string { model = p, prompt = \"{{q\u0007}}\" }\n");
    }
}
