using System;
using System.Globalization;
using System.Text;

namespace Atlas.Testing;

/// <summary>
/// Deterministic mutations of an Atlas file (truncate, delete, splice a grammar fragment,
/// duplicate, swap, replace a character): one text and one seed give one mutated text, so a
/// failure names its seed and reproduces. Shared by the front-end, generator and emitter fuzz tests.
/// </summary>
internal static class AtlasMutator
{
    /// <summary>Fragments that stress the grammar and the limits: openers without closers, tags, YAML indicators, nesting, escapes.</summary>
    private static readonly string[] Fragments =
    {
        "{", "}", "(", ")", "[", "]", "\"", "\"\"\"", "{{", "}}", "{{for x in y}}", "{{end}}", "=", "=>", "->", ":", ",", ".",
        "\n", "\r\n", "\t", "  ", "#", "//", "switch", "for", "in", "parallel 8", "with", "return", "_", "?", "[]", "-1", "0",
        "1e999", "99999999999999999999", "20xs", "env(", "agent", "type", "workflow", "provider", "route", "tool", "knowledge",
        "- ", "&a ", "*a", "!!str ", "|", ">", "'", "%", "\u0000", "\uFEFF", "é", "\ud800", "---\n", "...\n", "? ",
        "key: value\n", "{a: [b, {c: d}]}", "ticket.subjct", "Ticket[]?", "string?", "with { retry = 3 }",
        // issue 11: nesting, recursion, huge templates, control characters, escapes YamlDotNet trips on
        "cost { a { a { a { a { b = 1 } } } } }", " { a { a { a { a ", "\ntype Node { name: string, next: Node }\n",
        "\ntype A { b: B }\ntype B { a: A }\n", "{{for t in items}}{{t}}", "\u001B[31m", "\u202E", "\u0007",
        "\"\\UFFFFFFFF\"", "\"\\uD800\\u0041\"", "\"\\e[31m\"",
    };

    /// <summary>How many inputs a fuzz test runs: <paramref name="default"/>, or <c>ATLAS_FUZZ_ITERATIONS</c> for a longer run.</summary>
    public static int Iterations(int @default) =>
        int.TryParse(Environment.GetEnvironmentVariable("ATLAS_FUZZ_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : @default;

    public static string Mutate(string text, int seed)
    {
        var random = new Random(seed);
        int operations = random.Next(1, 5);
        for (int i = 0; i < operations; i++)
        {
            int length = text.Length;
            int at = random.Next(length + 1);
            switch (random.Next(8))
            {
                case 0:
                    text = text.Substring(0, at);
                    break;
                case 1:
                    text = text.Remove(at, Math.Min(random.Next(1, 60), length - at));
                    break;
                case 2:
                case 3:
                    text = text.Insert(at, Fragments[random.Next(Fragments.Length)]);
                    break;
                case 4:
                    text = text.Insert(at, text.Substring(at, Math.Min(random.Next(1, 200), length - at)));
                    break;
                case 5:
                    if (length > 1)
                    {
                        int other = random.Next(length);
                        int here = at == length ? at - 1 : at;
                        var chars = new StringBuilder(text);
                        (chars[here], chars[other]) = (chars[other], chars[here]);
                        text = chars.ToString();
                    }
                    break;
                case 6:
                    // Repeat an opener many times: deep nesting a fuzzer rarely reaches by splicing.
                    string opener = random.Next(3) switch { 0 => "a { ", 1 => "[", _ => "{{for x in y}}" };
                    text = text.Insert(at, new StringBuilder().Insert(0, opener, random.Next(60, 400)).ToString());
                    break;
                default:
                    if (at < length)
                    {
                        var chars = new StringBuilder(text);
                        chars[at] = (char)random.Next(0, 0x3000);
                        text = chars.ToString();
                    }
                    break;
            }
        }
        return text;
    }
}
