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

    [Fact]
    public void Parse_Pdf_WordsOfEveryPageTitleAndPageCount()
    {
        var builder = new UglyToad.PdfPig.Writer.PdfDocumentBuilder();
        builder.DocumentInformation.Title = "Refund policy";
        var font = builder.AddStandard14Font(UglyToad.PdfPig.Fonts.Standard14Fonts.Standard14Font.Helvetica);
        builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4).AddText("Refunds within 30 days of purchase.", 12, new UglyToad.PdfPig.Core.PdfPoint(40, 700), font);
        builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4).AddText("Gift cards are never refunded.", 12, new UglyToad.PdfPig.Core.PdfPoint(40, 700), font);

        var document = DocumentReader.TryParse("docs/policy.pdf", builder.Build(), out var error);

        Assert.Null(error);
        Assert.NotNull(document);
        Assert.Equal("pdf", document.Format);
        Assert.Equal("Refunds within 30 days of purchase.\n\nGift cards are never refunded.", document.Text);
        Assert.Equal("Refund policy", document.Metadata["title"]);
        Assert.Equal("2", document.Metadata["pages"]);
    }

    [Fact]
    public void Parse_DamagedPdf_RejectedWithReason()
    {
        var document = DocumentReader.TryParse("docs/broken.pdf", Encoding.ASCII.GetBytes("%PDF-1.7\nthis is not really a PDF"), out var error);

        Assert.Null(document);
        Assert.StartsWith("not a readable PDF: ", error, System.StringComparison.Ordinal);
    }
}
