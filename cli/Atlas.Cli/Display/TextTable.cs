using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Atlas.Cli.Display;

/// <summary>A table as plain aligned columns (two spaces apart, the last unpadded): what a pipe, a log or grep reads as well as a person.</summary>
internal static class TextTable
{
    /// <summary>Writes <paramref name="rows"/> (the first is the header), each row a line.</summary>
    public static void Write(TextWriter output, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Count).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            var cells = row.Select((cell, c) => c == row.Count - 1 ? cell : cell.PadRight(widths[c]));
            output.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }
}
