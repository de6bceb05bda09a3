using System.Text;

namespace Atlas.Knowledge.Tests;

public sealed class DocumentReaderTests
{
    [Fact]
    public void Parse_Html_StrippedToTextWithTitle()
    {
        const string html = "<html><head><title>Refunds &amp; returns</title><style>p{color:red}</style></head><body><h1>Refunds</h1><p>Within&nbsp;30 days.</p><script>alert(1)</script><ul><li>One</li><li>Two</li></ul></body></html>";

        var document = DocumentReader.TryParse("docs/refunds.html", Encoding.UTF8.GetBytes(html), out var error);

        Assert.Null(error);
        Assert.NotNull(document);
        Assert.Equal("html", document.Format);
        Assert.Equal("Refunds & returns", document.Metadata["title"]);
        Assert.DoesNotContain("alert", document.Text, System.StringComparison.Ordinal);
        Assert.DoesNotContain("color", document.Text, System.StringComparison.Ordinal);
        Assert.DoesNotContain("<", document.Text, System.StringComparison.Ordinal);
        Assert.Contains("Within 30 days.", document.Text, System.StringComparison.Ordinal);
        Assert.Contains("One\n\nTwo", document.Text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Markdown_IdSourceHashAndMetadata()
    {
        var document = DocumentReader.TryParse("a/b.md", Encoding.UTF8.GetBytes("# T\r\nbody"), out _);

        Assert.NotNull(document);
        Assert.Equal("a/b.md", document.Id);
        Assert.Equal("a/b.md", document.Source);
        Assert.Equal(64, document.Hash.Length);
        Assert.Equal("# T\nbody", document.Text);
        Assert.Equal("md", document.Metadata["extension"]);
    }

    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x00, 0x01 }, "binary content (not text)")]
    [InlineData(new byte[] { 0x20, 0x0A, 0x09 }, "empty")]
    [InlineData(new byte[] { 0x61, 0xC3, 0x28 }, "not valid UTF-8 text")]
    public void Parse_BadBytes_RejectedWithReason(byte[] bytes, string reason)
    {
        var document = DocumentReader.TryParse("x.txt", bytes, out var error);

        Assert.Null(document);
        Assert.Equal(reason, error);
    }
}
