using System.Collections.Immutable;
using Atlas.Compiler.Model;

namespace Atlas.Compiler.Emit;

/// <summary>Options from the consuming project (MSBuild properties).</summary>
public sealed record EmitOptions(string Namespace);

/// <summary>One generated C# file: a hint name unique within the generator, and its text.</summary>
public sealed record GeneratedSource(string HintName, string Text);

/// <summary>
/// Turns a checked model into C#. Pure and deterministic (same model and options, same text), so the
/// generator can cache on the model. (Being written: this signature is final.)
/// </summary>
public static class CSharpEmitter
{
    /// <summary>The whole model's sources. Only called for a model without errors.</summary>
    public static ImmutableArray<GeneratedSource> Emit(AtlasModel model, EmitOptions options) => ImmutableArray<GeneratedSource>.Empty;
}
