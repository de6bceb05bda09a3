using System;
using System.Collections.Generic;
using System.Text;

namespace Atlas.Emitter.Tests.TestSupport;

/// <summary>A line diff in unified style (<c>-</c> verified, <c>+</c> received, 3 lines of context), for snapshot failures.</summary>
internal static class TextDiff
{
    public static string Unified(string expected, string actual, int context = 3)
    {
        var a = Split(expected);
        var b = Split(actual);

        // Longest common subsequence table (generated files are a few hundred lines).
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (int i = a.Length - 1; i >= 0; i--)
        {
            for (int j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var edits = new List<(char Kind, string Line, int Old, int New)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y]) edits.Add((' ', a[x], ++x, ++y));
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y])) edits.Add(('+', b[y], x, ++y));
            else edits.Add(('-', a[x], ++x, y));
        }

        var output = new StringBuilder();
        for (int i = 0; i < edits.Count; i++)
        {
            if (edits[i].Kind == ' ') continue;
            int start = Math.Max(0, i - context);
            int end = i;
            while (end < edits.Count && (edits[end].Kind != ' ' || NextChangeWithin(edits, end, context * 2))) end++;
            end = Math.Min(edits.Count, end + context);
            output.Append("@@ line ").Append(edits[start].Old).Append(" @@\n");
            for (int k = start; k < end; k++) output.Append(edits[k].Kind).Append(' ').Append(edits[k].Line).Append('\n');
            i = end - 1;
        }

        return output.ToString();
    }

    private static bool NextChangeWithin(List<(char Kind, string Line, int Old, int New)> edits, int from, int distance)
    {
        for (int k = from; k < edits.Count && k <= from + distance; k++)
        {
            if (edits[k].Kind != ' ') return true;
        }

        return false;
    }

    private static string[] Split(string text) => text.Replace("\r\n", "\n").Split('\n');
}
