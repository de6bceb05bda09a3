using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Atlas.Generators.Tests.Support;

/// <summary>An AdditionalText held in memory, as the IDE or the compiler would hand it over.</summary>
internal sealed class InMemoryAdditionalText : AdditionalText
{
    private readonly SourceText? _text;

    public InMemoryAdditionalText(string path, string? text)
    {
        Path = path;
        _text = text is null ? null : SourceText.From(text);
    }

    public override string Path { get; }

    public override SourceText? GetText(CancellationToken cancellationToken = default) => _text;
}
