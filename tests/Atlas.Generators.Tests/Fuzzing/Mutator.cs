using System;
using System.Text;

namespace Atlas.Generators.Tests.Fuzzing;

/// <summary>
/// Deterministic mutations of a valid file (truncate, delete, splice a grammar fragment,
/// duplicate, swap, replace a character): one seed, one mutated text.
/// </summary>
internal static class Mutator
{
    private static readonly string[] Fragments =
    {
        "{", "}", "(", ")", "[", "]", "\"", "\"\"\"", "{{", "}}", "{{for x in y}}", "{{end}}", "=", "=>", "->", ":", ",", ".",
        "\n", "\r\n", "\t", "  ", "#", "//", "switch", "for", "in", "parallel 8", "with", "return", "_", "?", "[]", "-1", "0",
        "1e999", "99999999999999999999", "20xs", "env(", "agent", "type", "workflow", "provider", "route", "tool", "knowledge",
        "- ", "&a ", "*a", "!!str ", "|", ">", "'", "%", "\u0000", "\uFEFF", "é", "\ud800", "---\n", "...\n", "? ",
        "key: value\n", "{a: [b, {c: d}]}", "ticket.subjct", "Ticket[]?", "string?", "with { retry = 3 }",
    };

    public static string Mutate(string text, int seed)
    {
        var random = new Random(seed);
        int operations = random.Next(1, 5);
        for (int i = 0; i < operations; i++)
        {
            int length = text.Length;
            int at = random.Next(length + 1);
            switch (random.Next(7))
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
                        var chars = new StringBuilder(text);
                        (chars[at == length ? at - 1 : at], chars[other]) = (chars[other], chars[at == length ? at - 1 : at]);
                        text = chars.ToString();
                    }
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
