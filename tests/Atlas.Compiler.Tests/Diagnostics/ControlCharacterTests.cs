using System.Linq;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Tests.Diagnostics;

/// <summary>
/// Names and text echoed in diagnostics never reach the terminal raw (issue 11, item 20): a YAML
/// key holding <c>ESC[31m</c> recoloured the output of <c>atlas check</c>.
/// </summary>
public class ControlCharacterTests
{
    private static string[] Messages(string path, string text) =>
        AtlasCompiler.Compile(new SourceFile(path, text)).Diagnostics.Select(d => d.ToString()).ToArray();

    [Fact]
    public void YamlKey_WithEscapeSequence_IsEscapedInTheMessage()
    {
        var messages = Messages("t.atlas.yaml", "providers:\n  \"\\e[31mred\": { kind: mock }\n");
        var line = Assert.Single(messages);
        Assert.DoesNotContain('\u001B', line);
        Assert.Contains("\\u001B[31mred", line);
    }

    [Fact]
    public void AtlasText_ControlCharacterInASyntaxError_IsEscaped()
    {
        var line = Assert.Single(Messages("t.atlas", "provider p\u001B[31m { kind = mock }\n"));
        Assert.Equal("t.atlas(1,11): error ATL0001: Unexpected `\\u001B`; expected `{`", line);
    }

    [Fact]
    public void TemplateTag_WithBellAndBidiOverride_IsEscaped()
    {
        const string Source = "provider p { kind = mock }\nagent a(q: string) -> string {\n  model = p\n  prompt = \"{{q\u0007\u202Ex}}\"\n}\n";
        var line = Assert.Single(Messages("t.atlas", Source));
        Assert.Contains("`q\\u0007\\u202Ex`", line);
        Assert.DoesNotContain(line, c => c < ' ' || c == '\u202E');
    }

    [Theory]
    [InlineData("plain `name`", "plain `name`")]
    [InlineData("\u001B[31mred\u001B[0m", "\\u001B[31mred\\u001B[0m")]
    [InlineData("tab\tnew\nline\r", "tab\\u0009new\\u000Aline\\u000D")]
    [InlineData("del\u007F c1\u0085 é ü 日本", "del\\u007F c1\\u0085 é ü 日本")]
    [InlineData("\u2066isolate\u2069", "\\u2066isolate\\u2069")]
    public void Escape_ReplacesOnlyControlCharacters(string text, string expected) =>
        Assert.Equal(expected, DiagnosticText.Escape(text));

    [Theory]
    // YamlDotNet throws ArgumentOutOfRangeException for these two; the message used to be "Invalid YAML here (ArgumentOutOfRangeException)".
    [InlineData("\\UFFFFFFFF", 29, "`\\UFFFFFFFF` is not a Unicode character: escapes go up to `\\U0010FFFF`")]
    [InlineData("\\uD800\\u0041", 29, "`\\uD800` is the first half of a surrogate pair, so it must be followed by its second half (`\\uDC00` to `\\uDFFF`), not `\\u0041`; or write the character as one escape, e.g. `\\U0001F600`")]
    public void YamlUnicodeEscape_ThatYamlDotNetCrashesOn_SaysWhatIsWrong(string escape, int column, string message)
    {
        string yaml = "providers:\n  p: { kind: mock, model: \"a" + escape + "b\" }\n";
        var diagnostic = Assert.Single(AtlasCompiler.Compile(new SourceFile("t.atlas.yaml", yaml)).Diagnostics);
        Assert.Equal("ATL1001", diagnostic.Id);
        Assert.Equal((2, column), (diagnostic.Location.Start.Line, diagnostic.Location.Start.Column));
        Assert.Equal(message, diagnostic.Message);
    }

    [Theory]
    [InlineData("\\u00e9")]
    [InlineData("\\uD83D\\uDE00")]
    [InlineData("\\U0001F600")]
    [InlineData("\\\\uD800\\u0041")]
    public void YamlUnicodeEscape_Valid_NoDiagnostic(string escape)
    {
        string yaml = "providers:\n  p: { kind: mock, model: \"a" + escape + "b\" }\nagents:\n  a:\n    params: { q: string }\n    returns: string\n    model: p\n    prompt: \"{{q}}\"\n";
        Assert.Empty(AtlasCompiler.Compile(new SourceFile("t.atlas.yaml", yaml)).Diagnostics);
    }
}
