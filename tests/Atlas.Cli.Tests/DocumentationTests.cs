using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Atlas.Cli.Tests;

/// <summary>The README and the spec point at things that exist, and their snippets build as shown.</summary>
public sealed partial class DocumentationTests
{
    public static TheoryData<string> Documents => new(
        new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(Cli.RepositoryRoot, "spec"), "*.md").Select(f => "spec/" + Path.GetFileName(f))).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Documents))]
    public void RelativeLinks_ResolveToFilesInsideTheRepository(string document)
    {
        var (text, folder) = Read(document);
        var targets = InlineLink().Matches(text).Select(m => m.Groups[1].Value)
            .Concat(ReferenceLink().Matches(text).Select(m => m.Groups[1].Value))
            .Where(t => !t.Contains("://", StringComparison.Ordinal) && !t.StartsWith("mailto:", StringComparison.Ordinal) && !t.StartsWith('#'))
            .ToList();

        Assert.All(targets, target => AssertInsideRepository(document, folder, target.Split('#')[0]));
    }

    /// <summary>A Markdown document named in code (<c>`path/to/file.md`</c>) is one a reader can open in this repository.</summary>
    [Theory]
    [MemberData(nameof(Documents))]
    public void MarkdownDocumentsNamedInCode_AreInTheRepository(string document)
    {
        var (text, folder) = Read(document);

        Assert.All(
            DocumentInCode().Matches(text).Select(m => m.Groups[1].Value),
            path => Assert.True(
                File.Exists(Path.Combine(Cli.RepositoryRoot, path)) || File.Exists(Path.Combine(folder, path)),
                $"{document} names `{path}`, which is not in the repository"));
    }

    /// <summary>The generator snippet lists every package the examples need to build (BuildServiceProvider is in Microsoft.Extensions.DependencyInjection).</summary>
    [Fact]
    public void ReadmeGeneratorSnippet_HasEveryPackageTheExampleProjectsReference()
    {
        var (readme, _) = Read("README.md");
        var section = readme[readme.IndexOf("## Using Atlas from C#", StringComparison.Ordinal)..];
        var snippet = XElement.Parse(XmlBlock().Match(section).Groups[1].Value);
        var shown = snippet.Descendants("PackageReference").Select(p => (string)p.Attribute("Include")!).ToHashSet(StringComparer.Ordinal);

        foreach (var project in Directory.GetFiles(Path.Combine(Cli.RepositoryRoot, "examples"), "*.csproj", SearchOption.AllDirectories))
        {
            foreach (var package in XDocument.Load(project).Descendants("PackageReference").Select(p => (string)p.Attribute("Include")!))
                Assert.True(shown.Contains(package), $"{Path.GetFileName(project)} references {package}; the README's snippet does not");
        }
    }

    private static (string Text, string Folder) Read(string document)
    {
        var path = Path.Combine(Cli.RepositoryRoot, document);
        return (File.ReadAllText(path), Path.GetDirectoryName(path)!);
    }

    private static void AssertInsideRepository(string document, string folder, string target)
    {
        var full = Path.GetFullPath(Path.Combine(folder, Uri.UnescapeDataString(target)));
        var root = Path.GetFullPath(Cli.RepositoryRoot).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        Assert.True(full.StartsWith(root, StringComparison.Ordinal), $"{document} links {target}, outside the repository");
        Assert.True(File.Exists(full) || Directory.Exists(full), $"{document} links {target}, which does not exist");
    }

    [GeneratedRegex(@"\]\(\s*<?([^)\s>]+)>?(?:\s+""[^""]*"")?\s*\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", RegexOptions.Multiline)]
    private static partial Regex ReferenceLink();

    [GeneratedRegex(@"`([^`\s*?{}]+/[^`\s*?{}]+\.md)`")]
    private static partial Regex DocumentInCode();

    [GeneratedRegex(@"```xml\n(.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex XmlBlock();
}
