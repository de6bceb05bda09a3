using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Atlas.Generators.Tests.Support;

/// <summary>Global options as MSBuild would pass them (<c>build_property.X</c>).</summary>
internal sealed class TestAnalyzerConfigOptionsProvider : AnalyzerConfigOptionsProvider
{
    private readonly Options _global;

    public TestAnalyzerConfigOptionsProvider(IReadOnlyDictionary<string, string> globalOptions) =>
        _global = new Options(globalOptions.ToImmutableDictionary());

    public static TestAnalyzerConfigOptionsProvider FromProperties(params (string Name, string Value)[] properties)
    {
        var options = new Dictionary<string, string>();
        foreach (var (name, value) in properties) options["build_property." + name] = value;
        return new TestAnalyzerConfigOptionsProvider(options);
    }

    public override AnalyzerConfigOptions GlobalOptions => _global;

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

    private sealed class Options : AnalyzerConfigOptions
    {
        public static readonly Options Empty = new(ImmutableDictionary<string, string>.Empty);

        private readonly ImmutableDictionary<string, string> _values;

        public Options(ImmutableDictionary<string, string> values) => _values = values;

        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => _values.TryGetValue(key, out value);
    }
}
