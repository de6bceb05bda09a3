using Atlas.Compiler.Text;

namespace Atlas.Compiler.Tests.Text;

public class SourceFileTests
{
    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(3, 1, 4)]
    [InlineData(4, 2, 1)]
    [InlineData(7, 3, 1)]
    [InlineData(9, 4, 1)]
    public void GetLinePosition_MixedLineEndings_IsOneBased(int offset, int line, int column)
    {
        var file = new SourceFile("a.atlas", "abc\nd\r\ne\rf");
        Assert.Equal(new LinePosition(line, column), file.GetLinePosition(offset));
    }

    [Fact]
    public void SourceMap_Runs_MapEachCharacterToItsFileOffset()
    {
        var builder = new SourceMap.Builder();
        builder.Add(10); builder.Add(11); builder.Add(20); builder.Add(21);
        var map = builder.ToSourceMap(0);
        Assert.Equal(10, map.ToFileOffset(0));
        Assert.Equal(11, map.ToFileOffset(1));
        Assert.Equal(20, map.ToFileOffset(2));
        Assert.Equal(21, map.ToFileOffset(3));
        Assert.Equal(new TextSpan(11, 11), map.ToFileSpan(1, 3));
    }
}
