using Atlas.Compiler.Text;
using Atlas.Compiler.Yaml;
using YamlDotNet.Core;
using static Atlas.Compiler.Tests.Yaml.YamlTestHelpers;

namespace Atlas.Compiler.Tests.Yaml;

public class YamlScalarMapTests
{
    [Theory]
    [InlineData(0, 1, 4)]
    [InlineData(6, 1, 10)]
    [InlineData(10, 1, 14)]
    public void Plain_SingleLine_MapsEachCharacterToItsColumn(int index, int line, int column)
    {
        const string yaml = "v: hello world\n";
        var scalar = ScalarAt(yaml);
        Assert.Equal("hello world", scalar.Value);
        Assert.Equal(new LinePosition(line, column), PositionOf(yaml, MapOf(yaml, scalar), index));
    }

    [Theory]
    [InlineData(0, 2, 6)]   // 'f' of first
    [InlineData(10, 2, 16)] // the space a single line break folds into maps to that break
    [InlineData(11, 3, 5)]  // 's' of second
    [InlineData(22, 4, 1)]  // the newline an empty line keeps maps to that empty line
    [InlineData(23, 5, 5)]  // 't' of third
    public void Plain_MultiLine_FoldsLinesAndMapsContinuationLines(int index, int line, int column)
    {
        const string yaml = "a:\n  v: first line\n    second line\n\n    third\n";
        var scalar = ScalarAt(yaml);
        Assert.Equal("first line second line\nthird", scalar.Value);
        Assert.Equal(new LinePosition(line, column), PositionOf(yaml, MapOf(yaml, scalar), index));
    }

    [Fact]
    public void Plain_CrLfLineBreaks_MapContinuationLine()
    {
        const string yaml = "v: a\r\n  b\r\n";
        var scalar = ScalarAt(yaml);
        Assert.Equal("a b", scalar.Value);
        var map = MapOf(yaml, scalar);
        Assert.Equal(new LinePosition(2, 3), PositionOf(yaml, map, 2));
        Assert.Equal(new LinePosition(1, 5), PositionOf(yaml, map, 1));
    }

    [Theory]
    [InlineData(0, 1, 5)]
    [InlineData(2, 1, 7)]  // the quote written as '' maps to the first of the pair
    [InlineData(3, 1, 9)]
    [InlineData(5, 1, 11)]
    public void SingleQuoted_DoubledQuoteEscape_ShiftsLaterCharacters(int index, int line, int column)
    {
        const string yaml = "v: 'it''s {{x}}'\n";
        var scalar = ScalarAt(yaml);
        Assert.Equal("it's {{x}}", scalar.Value);
        Assert.Equal(new LinePosition(line, column), PositionOf(yaml, MapOf(yaml, scalar), index));
    }

    [Fact]
    public void SingleQuoted_MultiLine_FoldsAndMapsSecondLine()
    {
        const string yaml = "v: 'one\n   two  '\n";
        var scalar = ScalarAt(yaml);
        Assert.Equal("one two  ", scalar.Value);
        var map = MapOf(yaml, scalar);
        Assert.Equal(new LinePosition(1, 8), PositionOf(yaml, map, 3));
        Assert.Equal(new LinePosition(2, 4), PositionOf(yaml, map, 4));
        Assert.Equal(new LinePosition(2, 8), PositionOf(yaml, map, 8));
    }

    [Theory]
    [InlineData(0, 1, 5)]
    [InlineData(1, 1, 6)]  // \t maps to its backslash
    [InlineData(2, 1, 8)]
    [InlineData(3, 1, 9)]  // \u00e9 maps to its backslash
    [InlineData(5, 1, 16)]
    [InlineData(7, 1, 18)]
    public void DoubleQuoted_Escapes_MapToTheirBackslashAndShiftLaterCharacters(int index, int line, int column)
    {
        const string yaml = "v: \"a\\tb\\u00e9 {{x}}\"\n";
        var scalar = ScalarAt(yaml);
        Assert.Equal("a\tb\u00e9 {{x}}", scalar.Value);
        Assert.Equal(new LinePosition(line, column), PositionOf(yaml, MapOf(yaml, scalar), index));
    }

    [Theory]
    [InlineData(3, 1, 8)]  // folded break
    [InlineData(4, 2, 3)]  // 't' of two
    [InlineData(7, 2, 6)]  // the space before the escaped line break is kept
    [InlineData(8, 3, 3)]  // 't' of three: the escaped break joins with nothing between
    public void DoubleQuoted_FoldingAndEscapedLineBreak_MapLaterLines(int index, int line, int column)
    {
        const string yaml = "v: \"one\n  two \\\n  three\"\n";
        var scalar = ScalarAt(yaml);
        Assert.Equal("one two three", scalar.Value);
        Assert.Equal(new LinePosition(line, column), PositionOf(yaml, MapOf(yaml, scalar), index));
    }

    [Fact]
    public void DoubleQuoted_SurrogatePairEscapes_BothHalvesMapToTheEscape()
    {
        const string yaml = "v: \"\\U0001F600 \\uD83D\\uDE00x\"\n";
        var scalar = ScalarAt(yaml);
        Assert.Equal("\U0001F600 \U0001F600x", scalar.Value);
        var map = MapOf(yaml, scalar);
        Assert.Equal(new LinePosition(1, 5), PositionOf(yaml, map, 1));
        Assert.Equal(new LinePosition(1, 16), PositionOf(yaml, map, 3));
        Assert.Equal(new LinePosition(1, 16), PositionOf(yaml, map, 4));
        Assert.Equal(new LinePosition(1, 28), PositionOf(yaml, map, 5));
    }

    [Fact]
    public void DoubleQuoted_Empty_HasAnEmptyMap()
    {
        const string yaml = "v: \"\"\n";
        var scalar = ScalarAt(yaml);
        Assert.Equal("", scalar.Value);
        Assert.Equal(0, MapOf(yaml, scalar).Length);
    }

    [Theory]
    [InlineData(0, 2, 3)]
    [InlineData(8, 2, 11)] // the kept line break
    [InlineData(9, 3, 3)]
    [InlineData(13, 3, 7)] // the final line break (clip chomping keeps one)
    public void Literal_Clip_MapsLinesAndBreaks(int index, int line, int column)
    {
        const string yaml = "v: |\n  line one\n  {{x}}\n\nw: 1\n";
        var scalar = ScalarAt(yaml);
        Assert.Equal("line one\n{{x}}\n", scalar.Value);
        Assert.Equal(new LinePosition(line, column), PositionOf(yaml, MapOf(yaml, scalar), index));
    }

    [Fact]
    public void Literal_StripChompingInNestedMapping_KeepsMoreIndentedSpaces()
    {
        const string yaml = "a:\n  v: |-\n    x\n      y\n";
        var scalar = ScalarAt(yaml);
        Assert.Equal("x\n  y", scalar.Value);
        var map = MapOf(yaml, scalar);
        Assert.Equal(new LinePosition(3, 5), PositionOf(yaml, map, 0));
        Assert.Equal(new LinePosition(4, 5), PositionOf(yaml, map, 2));
        Assert.Equal(new LinePosition(4, 7), PositionOf(yaml, map, 4));
    }

    [Fact]
    public void Literal_KeepChomping_MapsTrailingEmptyLines()
    {
        const string yaml = "v: |+\n  a\n\n";
        var scalar = ScalarAt(yaml);
        Assert.Equal("a\n\n", scalar.Value);
        var map = MapOf(yaml, scalar);
        Assert.Equal(new LinePosition(2, 4), PositionOf(yaml, map, 1));
        Assert.Equal(new LinePosition(3, 1), PositionOf(yaml, map, 2));
    }

    [Fact]
    public void Literal_IndentationIndicator_KeepsExtraSpaces()
    {
        const string yaml = "v: |2\n    x\n";
        var scalar = ScalarAt(yaml);
        Assert.Equal("  x\n", scalar.Value);
        var map = MapOf(yaml, scalar);
        Assert.Equal(new LinePosition(2, 3), PositionOf(yaml, map, 0));
        Assert.Equal(new LinePosition(2, 5), PositionOf(yaml, map, 2));
    }

    [Fact]
    public void Literal_IndentationIndicatorInNestedMapping_IsRelativeToTheMapping()
    {
        const string yaml = "a:\n  v: |1\n     x\n";
        var scalar = ScalarAt(yaml);
        Assert.Equal("  x\n", scalar.Value);
        Assert.Equal(new LinePosition(3, 6), PositionOf(yaml, MapOf(yaml, scalar), 2));
    }

    [Fact]
    public void Literal_CrLf_MapsLinesAndBreaks()
    {
        const string yaml = "v: |\r\n  a\r\n  b\r\n";
        var scalar = ScalarAt(yaml);
        Assert.Equal("a\nb\n", scalar.Value);
        var map = MapOf(yaml, scalar);
        Assert.Equal(new LinePosition(2, 4), PositionOf(yaml, map, 1));
        Assert.Equal(new LinePosition(3, 3), PositionOf(yaml, map, 2));
    }

    [Theory]
    [InlineData(3, 2, 6)]  // a single break folds into a space
    [InlineData(4, 3, 3)]
    [InlineData(7, 4, 1)]  // an empty line keeps a newline
    [InlineData(8, 5, 3)]
    public void Folded_Clip_FoldsLinesAndMapsThem(int index, int line, int column)
    {
        const string yaml = "v: >\n  one\n  two\n\n  three\n";
        var scalar = ScalarAt(yaml);
        Assert.Equal("one two\nthree\n", scalar.Value);
        Assert.Equal(new LinePosition(line, column), PositionOf(yaml, MapOf(yaml, scalar), index));
    }

    [Fact]
    public void Folded_MoreIndentedLines_AreNotFolded()
    {
        const string yaml = "v: >-\n  a\n    b\n  c\n";
        var scalar = ScalarAt(yaml);
        Assert.Equal("a\n  b\nc", scalar.Value);
        var map = MapOf(yaml, scalar);
        Assert.Equal(new LinePosition(3, 5), PositionOf(yaml, map, 4));
        Assert.Equal(new LinePosition(4, 3), PositionOf(yaml, map, 6));
    }

    [Fact]
    public void Compute_ValueItCannotReproduce_MapsEveryCharacterToTheScalarStart()
    {
        const string yaml = "v: abc\n";
        var map = YamlScalarMap.Compute(yaml, 3, 6, ScalarStyle.Plain, "xyzw");
        Assert.Equal(4, map.Length);
        for (int i = 0; i < 4; i++) Assert.Equal(3, map.ToFileOffset(i));
    }

    [Theory]
    [InlineData("v: plain text # comment\n")]
    [InlineData("v: [a b, 'c d', \"e\\nf\"]\n")]
    [InlineData("v: { x: 'a''b', y: \"q\\\"r\" }\n")]
    [InlineData("v: \"tab\\there\\x41\\/\\\\ \\N\\_\\L\\P\"\n")]
    [InlineData("v: 'trail  \n\n\n   lines '\n")]
    [InlineData("v: >+\n\n  lead\n\n   more\n  back\n\n\n")]
    [InlineData("- v: |4-\n      deep\n     text\n")]
    [InlineData("v:   \t value\twith\ttabs \t\n")]
    [InlineData("\uFEFFv: bom\n")]
    [InlineData("v: line\u2028sep\n")]
    [InlineData("v: \"a\r\n\r\n  b\"\r\n")]
    public void Compute_AnyStyle_EveryCharacterMapsToTheTextThatProducedIt(string yaml)
    {
        var file = new SourceFile(Path, yaml);
        var roots = YamlNodeReader.Read(file, new Atlas.Compiler.Diagnostics.DiagnosticBag(), default);
        int checkedScalars = 0;
        foreach (var scalar in AllScalars(roots))
        {
            var map = YamlScalarMap.Compute(yaml, scalar.Start, scalar.End, scalar.Style, scalar.Value);
            Assert.Equal(scalar.Value.Length, map.Length);
            int previous = -1;
            for (int i = 0; i < scalar.Value.Length; i++)
            {
                int offset = map.ToFileOffset(i);
                Assert.InRange(offset, scalar.Start, yaml.Length - 1);
                Assert.True(offset >= previous, $"offsets go backwards at {i} in {scalar.Value}");
                previous = offset;
                char source = yaml[offset];
                char decoded = scalar.Value[i];
                bool explained = source == decoded
                                 || source == '\\' && scalar.Style == ScalarStyle.DoubleQuoted
                                 || source is '\r' or '\n' or '\u2028' or '\u2029' && decoded is ' ' or '\n' or '\u2028' or '\u2029'
                                 || source == '\'' && decoded == '\'';
                Assert.True(explained, $"`{scalar.Value}`[{i}] = {(int)decoded} maps to {(int)source} at {offset}");
            }
            checkedScalars++;
        }
        Assert.True(checkedScalars > 0);
    }

    private static System.Collections.Generic.IEnumerable<YamlScalar> AllScalars(System.Collections.Generic.IEnumerable<YamlNode> nodes)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case YamlScalar scalar:
                    yield return scalar;
                    break;
                case YamlMapping mapping:
                    foreach (var s in AllScalars(System.Linq.Enumerable.SelectMany(mapping.Pairs, p => new[] { p.Key, p.Value }))) yield return s;
                    break;
                case YamlSequence sequence:
                    foreach (var s in AllScalars(sequence.Items)) yield return s;
                    break;
            }
        }
    }
}
