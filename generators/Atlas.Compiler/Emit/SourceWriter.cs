using System;
using System.Text;

namespace Atlas.Compiler.Emit;

/// <summary>
/// Builds generated C# line by line with indentation. Multi-line text (usually a raw string
/// literal in the emitter) is re-indented to the current level, so templates read like the code
/// they produce. Lines end with <c>\n</c> whatever the platform, so output is deterministic.
/// </summary>
internal sealed class SourceWriter
{
    private const int IndentSize = 4;
    private readonly StringBuilder _builder = new();
    private int _indent;

    public int Indentation => _indent;

    public void Indent() => _indent++;

    public void Unindent()
    {
        if (_indent == 0) throw new InvalidOperationException("Unbalanced indentation.");
        _indent--;
    }

    /// <summary>Writes one line at the current indentation (an empty line has no trailing spaces).</summary>
    public void WriteLine(string line)
    {
        if (line.Length > 0) _builder.Append(' ', _indent * IndentSize).Append(line);
        _builder.Append('\n');
    }

    public void WriteLine() => _builder.Append('\n');

    /// <summary>
    /// Writes each line of <paramref name="text"/> at the current indentation, keeping the
    /// relative indentation inside it (raw string literals have already dropped their common indent).
    /// </summary>
    public void WriteLines(string text)
    {
        foreach (var line in text.Replace("\r\n", "\n").Split('\n')) WriteLine(line.TrimEnd());
    }

    /// <summary>Writes <c>{</c> and indents.</summary>
    public void OpenBrace()
    {
        WriteLine("{");
        Indent();
    }

    /// <summary>Unindents and writes <c>}</c> followed by <paramref name="suffix"/> (e.g. <c>;</c> or <c>,</c>).</summary>
    public void CloseBrace(string suffix = "")
    {
        Unindent();
        WriteLine("}" + suffix);
    }

    public override string ToString()
    {
        if (_indent != 0) throw new InvalidOperationException("Unbalanced indentation at the end of a file.");
        return _builder.ToString();
    }
}
